/**
 * The local eKYCPro simulator: the API server (both styles) and a separate S3-like result host, driven by a clock the
 * caller controls, with faults on demand. Built from /work/shared/API.md and the vendor pages.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
// Real timers even when a test fakes the global ones (jest fake timers only replace the globals).
import { clearTimeout as realClearTimeout, setTimeout as realSetTimeout } from 'node:timers';

import { buildResultFile, contentTypeOf, extensionOf, type ResultFormat } from './files';
import { BodyParseError, parseForm, type FormField } from './multipart';
import {
	checkFor,
	isFailure,
	LEGACY_PATH_PATTERN,
	resolveCheck,
	rowFor,
	TASK_TYPE_PATTERN,
	type SandboxApiStyle,
	type SandboxCheck,
} from './results';

export interface SandboxTiming {
	/** How long a task stays `pending` (default 20 s). */
	pendingMs?: number;
	/** Processing speed (default 11.75/s: 20,000 numbers take about 29 minutes in all, as in the vendor's example). */
	numbersPerSecond?: number;
	/** How long a task stays `completed` before it is `exported` (default 15 s). */
	completedMs?: number;
}

export interface SandboxOptions {
	/** Default 'sandbox-key'. Checked on every API call: missing or wrong -> 401. */
	apiKey?: string;
	/** Default '127.0.0.1'. */
	host?: string;
	/** Default '127.0.0.2' (Linux loopback answers all of 127/8); falls back to `host` where that address is missing. */
	resultHost?: string;
	/** Default 0 (ephemeral). */
	port?: number;
	/** Default 0 (ephemeral). */
	resultPort?: number;
	/** The clock, default `Date.now()` (read at every request, so jest fake timers that fake Date work). */
	now?: () => number;
	timing?: SandboxTiming;
	/** Default: legacy checks 'xlsx-shared', v1 checks 'zip-xlsx'. A function receives the check key (see SandboxTask.check). */
	resultFormat?: ResultFormat | ((check: string) => ResultFormat);
	/** Presigned URL lifetime (default 10 min), written as X-Amz-Expires in whole seconds. */
	urlTtlMs?: number;
	/** Minimum batch size: fewer unique numbers -> 400 {"error":"invalid_batch_size"}. */
	minBatch?: number;
	/** Creates allowed before 402 {"error":"insufficient balance"} (counted against `charges`). */
	balance?: number;
	/** Largest accepted upload body (default 50 MB) -> 413 above it. */
	maxUploadBytes?: number;
	/** When given, v1 task types outside this list answer 400 (validation on); otherwise any [a-z0-9_]+ is accepted. */
	knownTaskTypes?: readonly string[];
	/** One line per request (for the CLI). */
	log?: (line: string) => void;
}

export type FaultKind =
	| '500'
	| '502'
	| '429'
	| 'reset'
	| 'charge-then-drop'
	| 'truncate'
	| 'expire'
	| 'slow'
	| '400'
	| '401'
	| '402'
	| '413';

export interface Fault {
	on: 'create' | 'status' | 'download' | 'any';
	kind: FaultKind;
	/** How many matching requests it hits (default 1). */
	times?: number;
	/** For 429: seconds (default 1), or 'date' for an HTTP-date 2 s ahead on the sandbox clock. */
	retryAfter?: number | 'date';
	/** For 'slow' (default 1000 ms, real timers). */
	delayMs?: number;
	/** Custom JSON error body. */
	body?: unknown;
}

export interface RequestLogEntry {
	server: 'api' | 'result';
	method: string;
	/** Path without the query string. */
	path: string;
	query: Record<string, string>;
	/** Request headers, names lower-cased, values as received (repeated headers joined with ', '). */
	headers: Record<string, string>;
	/** Whether an X-API-Key header arrived (the result host must never get one). */
	hasApiKey: boolean;
	/** Status sent, or meant to be sent when `dropped`; 0 for a connection reset without any answer. */
	status: number;
	/** The connection was cut: no answer, or a truncated one. */
	dropped: boolean;
	/** The fault that hit this request, if any. */
	fault?: FaultKind;
	/** Sandbox clock when the request arrived. */
	at: number;
}

export interface SandboxTask {
	id: string;
	style: SandboxApiStyle;
	/** Catalogue id when the check is in nodes/EKycPro/checks.ts, else the legacy path or the v1 task type. */
	check: string;
	/** Legacy: `/wa/api/deep` etc. */
	path?: string;
	/** v1: `tg`, `tg_avatar`, ... */
	taskType?: string;
	userId: string;
	/** Uploaded numbers, duplicates removed, in upload order. */
	numbers: readonly string[];
	/** Non-empty lines in the uploaded file (duplicates counted). */
	uploadedLines: number;
	fileName?: string;
	createdAt: number;
	resultFormat: ResultFormat;
	/** Status, total, success and failure as a status call would answer them now. */
	status: string;
	total: number;
	success: number;
	failure: number;
}

export interface Sandbox {
	baseUrl: string;
	resultBaseUrl: string;
	apiKey: string;
	/** 200 answers to create (charge-then-drop included). */
	charges: number;
	/** 200 answers to status calls (they may be charged too). */
	statusCalls: number;
	requests: RequestLogEntry[];
	tasks(): SandboxTask[];
	task(id: string): SandboxTask | undefined;
	fault(fault: Fault): void;
	failTask(id: string): void;
	/** Forces the status a task reports (e.g. an unknown value); null clears it. */
	setStatusOverride(id: string, status: string | null): void;
	/** The deterministic result row for a number; `check` is a catalogue id, legacy path or v1 task type. */
	expectedRow(check: string, e164: string): Record<string, string>;
	close(): Promise<void>;
}

const E164 = /^\+[1-9]\d{6,14}$/;
const DEFAULT_MAX_UPLOAD = 50 * 1024 * 1024;
const JSON_TYPE = 'application/json; charset=utf-8';
const XML_TYPE = 'application/xml';

interface TaskRecord {
	id: string;
	check: SandboxCheck;
	userId: string;
	/** Whether the create carried user_id: then a status call naming another user finds nothing. */
	userIdGiven: boolean;
	numbers: string[];
	uploadedLines: number;
	fileName?: string;
	createdAt: number;
	format: ResultFormat;
	/** Indexes (ascending) of the numbers counted under `failure`. */
	failureIndexes: Int32Array;
	failedAt?: number;
	statusOverride?: string;
	/** Nanosecond digits the vendor prints after the milliseconds. */
	nanos: string;
	file?: Promise<Buffer>;
}

interface Progress {
	status: string;
	total: number;
	success: number;
	failure: number;
	updatedAt: number;
}

interface Answer {
	status: number;
	headers: Record<string, string>;
	body: Buffer;
}

interface RouteInfo {
	kind: 'create' | 'status' | 'other';
	style?: SandboxApiStyle;
	/** Legacy path prefix. */
	path?: string;
	taskId?: string;
	methodAllowed: boolean;
}

function jsonAnswer(status: number, value: unknown, headers: Record<string, string> = {}): Answer {
	return { status, headers: { 'content-type': JSON_TYPE, ...headers }, body: Buffer.from(JSON.stringify(value)) };
}

function xmlEscape(text: string): string {
	return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function s3Error(status: number, code: string, message: string, extra: Record<string, string> = {}): Answer {
	const requestId = randomBytes(8).toString('hex').toUpperCase();
	const fields = Object.entries(extra)
		.map(([name, value]) => `<${name}>${xmlEscape(value)}</${name}>`)
		.join('');
	const xml =
		'<?xml version="1.0" encoding="UTF-8"?>\n' +
		`<Error><Code>${code}</Code><Message>${xmlEscape(message)}</Message>${fields}` +
		`<RequestId>${requestId}</RequestId><HostId>${randomBytes(24).toString('base64')}</HostId></Error>`;
	return {
		status,
		headers: { 'content-type': XML_TYPE, server: 'AmazonS3', 'x-amz-request-id': requestId },
		body: Buffer.from(xml),
	};
}

function badGateway(): Answer {
	const html =
		'<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n' +
		'<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';
	return { status: 502, headers: { 'content-type': 'text/html' }, body: Buffer.from(html) };
}

function amzDate(ms: number): string {
	return new Date(ms)
		.toISOString()
		.replace(/[-:]/g, '')
		.replace(/\.\d{3}/, '');
}

function parseAmzDate(text: string): number | undefined {
	const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
	if (!match) return undefined;
	const [, year, month, day, hour, minute, second] = match.map(Number);
	return Date.UTC(year, month - 1, day, hour, minute, second);
}

/** Task ids like the vendor's (xid: 12 bytes in base32hex, 20 chars of [0-9a-v]). */
function base32hex(bytes: Uint8Array): string {
	const alphabet = '0123456789abcdefghijklmnopqrstuv';
	let out = '';
	let buffer = 0;
	let bits = 0;
	for (const byte of bytes) {
		buffer = (buffer << 8) | byte;
		bits += 8;
		while (bits >= 5) {
			out += alphabet[(buffer >>> (bits - 5)) & 31];
			bits -= 5;
		}
		buffer &= (1 << bits) - 1;
	}
	if (bits > 0) out += alphabet[(buffer << (5 - bits)) & 31];
	return out;
}

function headerRecord(headers: http.IncomingHttpHeaders): Record<string, string> {
	const record: Record<string, string> = {};
	for (const [name, value] of Object.entries(headers)) {
		if (value !== undefined) record[name] = Array.isArray(value) ? value.join(', ') : value;
	}
	return record;
}

function listen(server: http.Server, port: number, host: string): Promise<void> {
	return new Promise((resolve, reject) => {
		const onError = (error: Error) => reject(error);
		server.once('error', onError);
		server.listen(port, host, () => {
			server.off('error', onError);
			resolve();
		});
	});
}

function readBody(request: http.IncomingMessage, limit: number): Promise<{ body: Buffer; tooLarge: boolean }> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		let size = 0;
		let tooLarge = false;
		// Over the limit the rest is drained, not kept, so the client can still read the 413.
		request.on('data', (chunk: Buffer) => {
			size += chunk.length;
			if (size > limit) {
				tooLarge = true;
				chunks.length = 0;
			} else if (!tooLarge) chunks.push(chunk);
		});
		request.on('end', () => resolve({ body: tooLarge ? Buffer.alloc(0) : Buffer.concat(chunks), tooLarge }));
		request.on('error', reject);
		request.on('close', () => {
			if (!request.complete) reject(new Error('request aborted'));
		});
	});
}

class SandboxServer implements Sandbox {
	baseUrl = '';
	resultBaseUrl = '';
	readonly apiKey: string;
	charges = 0;
	statusCalls = 0;
	readonly requests: RequestLogEntry[] = [];

	private readonly now: () => number;
	private readonly pendingMs: number;
	private readonly numbersPerSecond: number;
	private readonly completedMs: number;
	private readonly urlTtlMs: number;
	private readonly maxUploadBytes: number;
	private readonly taskRecords = new Map<string, TaskRecord>();
	private readonly faults: Array<Fault & { remaining: number }> = [];
	private readonly signingKey = randomBytes(32);
	private readonly accessKeyId = 'ASIA' + base32hex(randomBytes(10)).toUpperCase().slice(0, 16);
	private readonly accountUserId: string;
	private readonly machineBytes = randomBytes(5);
	private idCounter = randomBytes(3).readUIntBE(0, 3);
	private readonly apiServer: http.Server;
	private readonly resultServer: http.Server;
	private readonly slowTimers = new Set<{ timer: ReturnType<typeof realSetTimeout>; resolve: () => void }>();
	private closed = false;

	constructor(private readonly options: SandboxOptions) {
		this.apiKey = options.apiKey ?? 'sandbox-key';
		this.now = options.now ?? (() => Date.now());
		this.pendingMs = options.timing?.pendingMs ?? 20_000;
		this.numbersPerSecond = options.timing?.numbersPerSecond ?? 11.75;
		this.completedMs = options.timing?.completedMs ?? 15_000;
		this.urlTtlMs = options.urlTtlMs ?? 10 * 60_000;
		this.maxUploadBytes = options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD;
		if (!(this.numbersPerSecond > 0)) throw new Error('timing.numbersPerSecond must be above 0');
		// A stable account id per key, shaped like the vendor's (`wfi7wGPS4B4PdtTMox5Y`).
		this.accountUserId = createHash('sha256')
			.update(this.apiKey)
			.digest('base64')
			.replace(/[^A-Za-z0-9]/g, '')
			.slice(0, 20);
		this.apiServer = http.createServer((request, response) => void this.handle('api', request, response));
		this.resultServer = http.createServer((request, response) => void this.handle('result', request, response));
	}

	async start(): Promise<void> {
		const host = this.options.host ?? '127.0.0.1';
		await listen(this.apiServer, this.options.port ?? 0, host);
		let resultHost = this.options.resultHost ?? '127.0.0.2';
		try {
			await listen(this.resultServer, this.options.resultPort ?? 0, resultHost);
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'EADDRNOTAVAIL') throw error;
			this.options.log?.(`result host ${resultHost} is not available here; serving results on ${host}`);
			resultHost = host;
			await listen(this.resultServer, this.options.resultPort ?? 0, resultHost);
		}
		this.baseUrl = `http://${host}:${(this.apiServer.address() as AddressInfo).port}`;
		this.resultBaseUrl = `http://${resultHost}:${(this.resultServer.address() as AddressInfo).port}`;
	}

	// ---- public controls ----

	tasks(): SandboxTask[] {
		return [...this.taskRecords.values()].map((record) => this.snapshot(record));
	}

	task(id: string): SandboxTask | undefined {
		const record = this.taskRecords.get(id);
		return record && this.snapshot(record);
	}

	fault(fault: Fault): void {
		const times = fault.times ?? 1;
		if (!Number.isInteger(times) || times < 1) throw new Error('fault.times must be a whole number of at least 1');
		this.faults.push({ ...fault, remaining: times });
	}

	failTask(id: string): void {
		const record = this.requireTask(id);
		record.failedAt ??= this.now();
	}

	setStatusOverride(id: string, status: string | null): void {
		const record = this.requireTask(id);
		record.statusOverride = status ?? undefined;
	}

	expectedRow(check: string, e164: string): Record<string, string> {
		return rowFor(resolveCheck(check), e164);
	}

	async close(): Promise<void> {
		if (this.closed) return;
		this.closed = true;
		for (const slow of this.slowTimers) {
			realClearTimeout(slow.timer);
			slow.resolve();
		}
		this.slowTimers.clear();
		const closing = [this.apiServer, this.resultServer].map(
			(server) => new Promise<void>((resolve) => server.close(() => resolve())),
		);
		for (const server of [this.apiServer, this.resultServer]) server.closeAllConnections();
		await Promise.all(closing);
	}

	// ---- tasks and their lifecycle ----

	private requireTask(id: string): TaskRecord {
		const record = this.taskRecords.get(id);
		if (!record) throw new Error(`sandbox has no task ${id}`);
		return record;
	}

	private newTaskId(at: number): string {
		const bytes = Buffer.alloc(12);
		bytes.writeUInt32BE(Math.floor(at / 1000) >>> 0, 0);
		this.machineBytes.copy(bytes, 4);
		this.idCounter = (this.idCounter + 1) & 0xffffff;
		bytes.writeUIntBE(this.idCounter, 9, 3);
		return base32hex(bytes);
	}

	private progress(record: TaskRecord, now: number): Progress {
		const count = record.numbers.length;
		const at = record.failedAt !== undefined ? Math.min(now, record.failedAt) : now;
		const elapsed = at - record.createdAt;
		const processingEnd = this.pendingMs + Math.ceil((count * 1000) / this.numbersPerSecond);
		const exportedAt = processingEnd + this.completedMs;
		let status: string;
		let processed: number;
		let updatedAt: number;
		if (elapsed < this.pendingMs) {
			status = 'pending';
			processed = 0;
			updatedAt = record.createdAt;
		} else if (elapsed < processingEnd) {
			status = 'processing';
			processed = Math.min(count, Math.floor(((elapsed - this.pendingMs) * this.numbersPerSecond) / 1000));
			updatedAt = at;
		} else if (elapsed < exportedAt) {
			status = 'completed';
			processed = count;
			updatedAt = record.createdAt + processingEnd;
		} else {
			status = 'exported';
			processed = count;
			updatedAt = record.createdAt + exportedAt;
		}
		if (record.failedAt !== undefined && now >= record.failedAt) {
			status = 'failed';
			updatedAt = record.failedAt;
		}
		const failure = countBelow(record.failureIndexes, processed);
		// Legacy tasks report total 0 while pending, as in the vendor's example; v1 knows it from the create.
		const total = status === 'pending' && record.check.style === 'legacy' ? 0 : count;
		return { status: record.statusOverride ?? status, total, success: processed - failure, failure, updatedAt };
	}

	private snapshot(record: TaskRecord): SandboxTask {
		const progress = this.progress(record, this.now());
		return {
			id: record.id,
			style: record.check.style,
			check: record.check.key,
			path: record.check.path,
			taskType: record.check.taskType,
			userId: record.userId,
			numbers: record.numbers,
			uploadedLines: record.uploadedLines,
			fileName: record.fileName,
			createdAt: record.createdAt,
			resultFormat: record.format,
			status: progress.status,
			total: progress.total,
			success: progress.success,
			failure: progress.failure,
		};
	}

	private vendorTime(record: TaskRecord, ms: number, nanos: boolean): string {
		const iso = new Date(ms).toISOString();
		return nanos ? iso.replace('Z', `${record.nanos}Z`) : iso;
	}

	private formatFor(check: SandboxCheck): ResultFormat {
		const option = this.options.resultFormat;
		if (typeof option === 'function') return option(check.key);
		if (option) return option;
		return check.style === 'legacy' ? 'xlsx-shared' : 'zip-xlsx';
	}

	private resultPath(record: TaskRecord): string {
		return `/results/${record.id}/${record.id}.${extensionOf(record.format)}`;
	}

	private canonicalQuery(params: URLSearchParams): string {
		return [...params]
			.filter(([name]) => name !== 'X-Amz-Signature')
			.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
			.map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`)
			.join('&');
	}

	private signature(path: string, params: URLSearchParams): string {
		return createHmac('sha256', this.signingKey)
			.update(`GET\n${path}\n${this.canonicalQuery(params)}`)
			.digest('hex');
	}

	/** A presigned URL on the result host; each call signs anew (fresh date and session token), like S3. */
	private presign(record: TaskRecord, now: number): string {
		const path = this.resultPath(record);
		const date = amzDate(now);
		const params = new URLSearchParams();
		params.set('X-Amz-Algorithm', 'AWS4-HMAC-SHA256');
		params.set('X-Amz-Credential', `${this.accessKeyId}/${date.slice(0, 8)}/ap-southeast-1/s3/aws4_request`);
		params.set('X-Amz-Date', date);
		params.set('X-Amz-Expires', String(Math.max(1, Math.round(this.urlTtlMs / 1000))));
		params.set('X-Amz-Security-Token', randomBytes(18).toString('base64'));
		params.set('X-Amz-SignedHeaders', 'host');
		params.set('X-Amz-Signature', this.signature(path, params));
		return `${this.resultBaseUrl}${path}?${params.toString()}`;
	}

	private statusBody(record: TaskRecord, now: number): Record<string, unknown> {
		const progress = this.progress(record, now);
		// The v1 pages print milliseconds in status answers, the legacy pages nanoseconds.
		const nanos = record.check.style === 'legacy';
		const body: Record<string, unknown> = {
			created_at: this.vendorTime(record, record.createdAt, nanos),
			updated_at: this.vendorTime(record, progress.updatedAt, nanos),
			task_id: record.id,
			user_id: record.userId,
			status: progress.status,
			total: progress.total,
			success: progress.success,
			failure: progress.failure,
		};
		if (progress.status === 'exported') body.result_url = this.presign(record, now);
		return body;
	}

	// ---- request handling ----

	private takeFault(kind: 'create' | 'status' | 'download' | 'other'): Fault | undefined {
		const index = this.faults.findIndex((fault) => fault.on === 'any' || fault.on === kind);
		if (index < 0) return undefined;
		const fault = this.faults[index];
		fault.remaining--;
		if (fault.remaining <= 0) this.faults.splice(index, 1);
		return fault;
	}

	private record(entry: RequestLogEntry): void {
		this.requests.push(entry);
		if (this.options.log) {
			const notes = [entry.dropped ? 'dropped' : '', entry.fault ? `fault ${entry.fault}` : ''];
			if (entry.server === 'result') notes.push(entry.hasApiKey ? 'X-API-Key sent!' : 'no X-API-Key');
			const note = notes.filter(Boolean).join(', ');
			this.options.log(
				`${new Date(entry.at).toISOString()} ${entry.server.padEnd(6)} ${entry.method} ${entry.path} -> ${entry.status || 'reset'}` +
					(note ? ` (${note})` : ''),
			);
		}
	}

	private async handle(
		server: 'api' | 'result',
		request: http.IncomingMessage,
		response: http.ServerResponse,
	): Promise<void> {
		const url = new URL(request.url ?? '/', 'http://sandbox.local');
		const headers = headerRecord(request.headers);
		const entry: RequestLogEntry = {
			server,
			method: request.method ?? 'GET',
			path: url.pathname,
			query: Object.fromEntries(url.searchParams),
			headers,
			hasApiKey: 'x-api-key' in headers,
			status: 0,
			dropped: false,
			at: this.now(),
		};
		const route = server === 'api' ? this.route(entry.method, url.pathname) : undefined;
		// Faults are taken on arrival, so concurrent requests consume them in the order they came.
		const fault = this.takeFault(server === 'result' ? 'download' : (route?.kind ?? 'other'));
		entry.fault = fault?.kind;
		try {
			const { body, tooLarge } = await readBody(request, this.maxUploadBytes);
			if (fault?.kind === 'reset') {
				entry.dropped = true;
				this.record(entry);
				request.socket.destroy();
				return;
			}
			if (fault?.kind === 'slow') await this.delay(fault.delayMs ?? 1000);
			if (this.closed) return;
			const faultAnswer = fault ? this.faultAnswer(server, fault) : undefined;
			const answer =
				faultAnswer ??
				(server === 'api'
					? await this.handleApi(route as RouteInfo, entry, request, body, tooLarge)
					: await this.handleResult(entry, url));
			entry.status = answer.status;
			if (fault?.kind === 'charge-then-drop') {
				// The work is done (and charged) but the answer never leaves.
				entry.dropped = true;
				this.record(entry);
				request.socket.destroy();
				return;
			}
			if (fault?.kind === 'truncate') {
				entry.dropped = true;
				this.record(entry);
				this.sendTruncated(request, response, answer);
				return;
			}
			this.record(entry);
			this.send(request, response, answer);
		} catch (error) {
			if (response.headersSent || request.socket.destroyed) {
				request.socket.destroy();
				return;
			}
			const answer = jsonAnswer(500, { error: `sandbox error: ${(error as Error).message}` });
			entry.status = answer.status;
			this.record(entry);
			this.send(request, response, answer);
		}
	}

	private delay(ms: number): Promise<void> {
		return new Promise((resolve) => {
			const slow = {
				timer: realSetTimeout(() => {
					this.slowTimers.delete(slow);
					resolve();
				}, ms),
				resolve,
			};
			this.slowTimers.add(slow);
		});
	}

	private send(request: http.IncomingMessage, response: http.ServerResponse, answer: Answer): void {
		response.writeHead(answer.status, { ...answer.headers, 'content-length': String(answer.body.length) });
		response.end(request.method === 'HEAD' ? undefined : answer.body);
	}

	/** Announces the full length, sends about half of the body, then closes the connection. */
	private sendTruncated(request: http.IncomingMessage, response: http.ServerResponse, answer: Answer): void {
		response.writeHead(answer.status, { ...answer.headers, 'content-length': String(answer.body.length) });
		const part = answer.body.subarray(0, Math.floor(answer.body.length / 2));
		response.write(part, () => request.socket.end());
	}

	/** The answer a fault replaces the real one with; undefined for faults that answer normally and then cut. */
	private faultAnswer(server: 'api' | 'result', fault: Fault): Answer | undefined {
		// The API answers errors in JSON, the S3-like result host in XML; a custom body is always JSON.
		const answer = (status: number, apiBody: unknown, s3Code: string, s3Message: string): Answer => {
			if (fault.body !== undefined) return jsonAnswer(status, fault.body);
			return server === 'api' ? jsonAnswer(status, apiBody) : s3Error(status, s3Code, s3Message);
		};
		switch (fault.kind) {
			case '500':
				return answer(
					500,
					{ error: 'internal server error, retry later' },
					'InternalError',
					'We encountered an internal error. Please try again.',
				);
			case '502':
				return fault.body !== undefined ? jsonAnswer(502, fault.body) : badGateway();
			case '429': {
				const retryAfter =
					fault.retryAfter === 'date'
						? new Date(Math.ceil((this.now() + 2000) / 1000) * 1000).toUTCString()
						: String(fault.retryAfter ?? 1);
				const limited = answer(
					429,
					{ error: 'too many requests', message: 'rate limit exceeded, retry later' },
					'SlowDown',
					'Please reduce your request rate.',
				);
				limited.headers['retry-after'] = retryAfter;
				return limited;
			}
			case '400':
				return answer(400, { error: 'invalid parameters' }, 'InvalidRequest', 'Invalid Request');
			case '401':
				return answer(401, { error: 'invalid api key' }, 'Unauthorized', 'Unauthorized');
			case '402':
				return answer(
					402,
					{ error: 'insufficient balance', message: 'please top up your account' },
					'PaymentRequired',
					'Payment Required',
				);
			case '413':
				return answer(
					413,
					{ error: 'file too large', message: 'the upload exceeds the size limit' },
					'EntityTooLarge',
					'Your proposed upload exceeds the maximum allowed size',
				);
			case 'expire':
				if (fault.body !== undefined) return jsonAnswer(403, fault.body);
				return s3Error(403, 'AccessDenied', 'Request has expired', { ServerTime: new Date(this.now()).toISOString() });
			default:
				return undefined; // slow, truncate, charge-then-drop
		}
	}

	private route(method: string, path: string): RouteInfo {
		if (path === '/v1/tasks') return { kind: 'create', style: 'v1', methodAllowed: method === 'POST' };
		if (path === '/v1/gettasks') return { kind: 'status', style: 'v1', methodAllowed: method === 'POST' };
		const legacy = /^(\/[A-Za-z0-9_-]+\/api\/[A-Za-z0-9_-]+)\/tasks(?:\/([^/]*))?\/?$/.exec(path);
		if (legacy && LEGACY_PATH_PATTERN.test(legacy[1]) && legacy[1] !== '/v1/api') {
			if (legacy[2] === undefined || legacy[2] === '') {
				return { kind: 'create', style: 'legacy', path: legacy[1], methodAllowed: method === 'POST' };
			}
			return {
				kind: 'status',
				style: 'legacy',
				path: legacy[1],
				taskId: decodeURIComponent(legacy[2]),
				methodAllowed: method === 'GET' || method === 'HEAD',
			};
		}
		return { kind: 'other', methodAllowed: true };
	}

	private checkApiKey(headers: Record<string, string>): Answer | undefined {
		const given = headers['x-api-key'];
		if (given === undefined || given === '') return jsonAnswer(401, { error: 'missing X-API-Key header' });
		const expected = Buffer.from(this.apiKey);
		const actual = Buffer.from(given);
		if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
			return jsonAnswer(401, { error: 'invalid api key' });
		}
		return undefined;
	}

	private async handleApi(
		route: RouteInfo,
		entry: RequestLogEntry,
		request: http.IncomingMessage,
		body: Buffer,
		tooLarge: boolean,
	): Promise<Answer> {
		const denied = this.checkApiKey(entry.headers);
		if (denied) return denied;
		if (route.kind === 'other') return jsonAnswer(404, { error: 'not found' });
		if (!route.methodAllowed) return jsonAnswer(405, { error: 'method not allowed' });
		if (tooLarge) {
			return jsonAnswer(413, {
				error: 'file too large',
				message: `the upload exceeds ${Math.round(this.maxUploadBytes / 1024 / 1024)} MB`,
			});
		}
		if (route.kind === 'status' && route.style === 'legacy') return this.legacyStatus(route, entry);
		let fields: FormField[];
		try {
			fields = parseForm(body, request.headers['content-type']);
		} catch (error) {
			if (error instanceof BodyParseError) return jsonAnswer(400, { error: error.message });
			throw error;
		}
		const field = (name: string) => fields.find((candidate) => candidate.name === name);
		if (route.kind === 'status') {
			return this.v1Status(
				field('task_id')?.data.toString('utf8').trim(),
				field('task_type')?.data.toString('utf8').trim(),
			);
		}
		return this.create(route, field('file'), field('task_type')?.data.toString('utf8').trim(), field('user_id'));
	}

	private create(
		route: RouteInfo,
		file: FormField | undefined,
		taskType: string | undefined,
		userField: FormField | undefined,
	): Answer {
		if (!file) return jsonAnswer(400, { error: 'file is required' });
		let check: SandboxCheck;
		if (route.style === 'v1') {
			if (!taskType) return jsonAnswer(400, { error: 'task_type is required' });
			const known = this.options.knownTaskTypes;
			if (!TASK_TYPE_PATTERN.test(taskType) || (known && !known.includes(taskType))) {
				return jsonAnswer(400, { error: `invalid task_type: ${taskType}` });
			}
			check = checkFor('v1', taskType);
		} else check = checkFor('legacy', route.path as string);

		const text = file.data.toString('utf8').replace(/^\ufeff/, '');
		const numbers: string[] = [];
		const seen = new Set<string>();
		let uploadedLines = 0;
		const lines = text.split(/\r\n|\n|\r/);
		for (let index = 0; index < lines.length; index++) {
			const line = lines[index].trim();
			if (line === '') continue;
			if (!E164.test(line)) {
				return jsonAnswer(400, {
					error: `invalid phone number on line ${index + 1}: "${line.slice(0, 40)}"; each line must hold one number in E.164 format`,
				});
			}
			uploadedLines++;
			if (!seen.has(line)) {
				seen.add(line);
				numbers.push(line);
			}
		}
		if (numbers.length === 0) return jsonAnswer(400, { error: 'file is empty' });
		const minBatch = this.options.minBatch;
		if (minBatch !== undefined && numbers.length < minBatch) {
			return jsonAnswer(400, {
				error: 'invalid_batch_size',
				message: `a task needs at least ${minBatch} numbers, the file has ${numbers.length}`,
			});
		}
		if (this.options.balance !== undefined && this.charges >= this.options.balance) {
			return jsonAnswer(402, { error: 'insufficient balance' });
		}

		const now = this.now();
		const userId = userField?.data.toString('utf8').trim() || undefined;
		const failures: number[] = [];
		numbers.forEach((number, index) => {
			if (isFailure(check, number)) failures.push(index);
		});
		const record: TaskRecord = {
			id: this.newTaskId(now),
			check,
			userId: userId ?? this.accountUserId,
			userIdGiven: userId !== undefined,
			numbers,
			uploadedLines,
			fileName: file.filename,
			createdAt: now,
			format: this.formatFor(check),
			failureIndexes: Int32Array.from(failures),
			nanos: String(randomBytes(3).readUIntBE(0, 3) % 1_000_000).padStart(6, '0'),
		};
		this.taskRecords.set(record.id, record);
		this.charges++;
		if (check.style === 'v1') {
			return jsonAnswer(200, {
				task_id: record.id,
				status: 'pending',
				total: numbers.length,
				message: 'Task created successfully',
				created_at: this.vendorTime(record, now, true),
			});
		}
		return jsonAnswer(200, this.statusBody(record, now));
	}

	private legacyStatus(route: RouteInfo, entry: RequestLogEntry): Answer {
		const record = this.taskRecords.get(route.taskId ?? '');
		const userId = entry.query.user_id;
		if (
			!record ||
			record.check.style !== 'legacy' ||
			record.check.path !== route.path ||
			(record.userIdGiven && userId !== undefined && userId !== '' && userId !== record.userId)
		) {
			return jsonAnswer(404, { error: 'task not found' });
		}
		this.statusCalls++;
		return jsonAnswer(200, this.statusBody(record, this.now()));
	}

	/** gettasks takes only task_id; a task_type sent along must match the task's, as a path must for legacy. */
	private v1Status(taskId: string | undefined, taskType: string | undefined): Answer {
		if (!taskId) return jsonAnswer(400, { error: 'task_id is required' });
		const record = this.taskRecords.get(taskId);
		if (!record || record.check.style !== 'v1' || (taskType && taskType !== record.check.taskType)) {
			return jsonAnswer(404, { error: 'task not found' });
		}
		this.statusCalls++;
		return jsonAnswer(200, this.statusBody(record, this.now()));
	}

	private async handleResult(entry: RequestLogEntry, url: URL): Promise<Answer> {
		if (entry.method !== 'GET' && entry.method !== 'HEAD') {
			return s3Error(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.');
		}
		const params = url.searchParams;
		const signature = params.get('X-Amz-Signature');
		const date = parseAmzDate(params.get('X-Amz-Date') ?? '');
		const expires = Number(params.get('X-Amz-Expires'));
		if (!signature || date === undefined || !Number.isFinite(expires)) {
			return s3Error(403, 'AccessDenied', 'Access Denied');
		}
		const expected = this.signature(url.pathname, params);
		if (signature.length !== expected.length || !timingSafeEqual(Buffer.from(signature), Buffer.from(expected))) {
			return s3Error(
				403,
				'SignatureDoesNotMatch',
				'The request signature we calculated does not match the signature you provided.',
			);
		}
		const now = this.now();
		if (now >= date + expires * 1000) {
			return s3Error(403, 'AccessDenied', 'Request has expired', {
				'X-Amz-Expires': String(expires),
				Expires: new Date(date + expires * 1000).toISOString(),
				ServerTime: new Date(now).toISOString(),
			});
		}
		const match = /^\/results\/([^/]+)\/[^/]+$/.exec(url.pathname);
		const record = match ? this.taskRecords.get(match[1]) : undefined;
		if (!record || url.pathname !== this.resultPath(record)) {
			return s3Error(404, 'NoSuchKey', 'The specified key does not exist.', { Key: url.pathname.slice(1) });
		}
		const file = await this.resultFile(record);
		const headers: Record<string, string> = {
			'content-type': contentTypeOf(record.format),
			'accept-ranges': 'bytes',
			etag: `"${createHash('md5').update(file).digest('hex')}"`,
			'last-modified': new Date(record.createdAt).toUTCString(),
			server: 'AmazonS3',
			'x-amz-request-id': randomBytes(8).toString('hex').toUpperCase(),
		};
		const range = entry.headers.range && /^bytes=(\d*)-(\d*)$/.exec(entry.headers.range);
		if (range && (range[1] !== '' || range[2] !== '')) {
			let start: number;
			let end: number;
			if (range[1] === '') {
				start = Math.max(0, file.length - Number(range[2]));
				end = file.length - 1;
			} else {
				start = Number(range[1]);
				end = range[2] === '' ? file.length - 1 : Math.min(Number(range[2]), file.length - 1);
			}
			if (start >= file.length || start > end) {
				const unsatisfiable = s3Error(416, 'InvalidRange', 'The requested range is not satisfiable');
				unsatisfiable.headers['content-range'] = `bytes */${file.length}`;
				return unsatisfiable;
			}
			return {
				status: 206,
				headers: { ...headers, 'content-range': `bytes ${start}-${end}/${file.length}` },
				body: file.subarray(start, end + 1),
			};
		}
		return { status: 200, headers, body: file };
	}

	private resultFile(record: TaskRecord): Promise<Buffer> {
		record.file ??= buildResultFile(record.check, record.numbers, record.format, {
			baseName: record.id,
			modified: new Date(record.createdAt),
		});
		return record.file;
	}
}

function countBelow(sorted: Int32Array, limit: number): number {
	let low = 0;
	let high = sorted.length;
	while (low < high) {
		const middle = (low + high) >>> 1;
		if (sorted[middle] < limit) low = middle + 1;
		else high = middle;
	}
	return low;
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
	const sandbox = new SandboxServer(options);
	await sandbox.start();
	return sandbox;
}
