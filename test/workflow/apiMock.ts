/**
 * The eKYCPro API as API.md describes it, served by nock for workflow tests: the five checks' endpoints, request
 * capture (headers, query, multipart fields) and the answer shapes of both API styles.
 */
import nock from 'nock';

export const API_BASE_URL = 'https://api.ekycpro.com';

/** The five checks of the vendor pages, written from API.md (not from the node's catalogue, so a wrong entry fails). */
export interface CheckCase {
	check: 'whatsappAvatar' | 'telegramAvatar' | 'telegram' | 'facebook' | 'instagram';
	style: 'legacy' | 'v1';
	/** Legacy: path prefix before /tasks. */
	path?: string;
	/** v1: the task_type form field. */
	taskType?: string;
}

export const CHECK_CASES: readonly CheckCase[] = [
	{ check: 'whatsappAvatar', style: 'legacy', path: '/wa/api/deep' },
	{ check: 'telegramAvatar', style: 'v1', taskType: 'tg_avatar' },
	{ check: 'telegram', style: 'v1', taskType: 'tg' },
	{ check: 'facebook', style: 'legacy', path: '/fb/api/simple' },
	{ check: 'instagram', style: 'legacy', path: '/ins/api/simple' },
];

export interface FormPart {
	name: string;
	fileName?: string;
	contentType?: string;
	value: string;
}

/** Reads a multipart/form-data body (text parts only, which is all the eKYCPro requests carry). */
export function parseMultipart(contentType: string | undefined, body: string): FormPart[] {
	const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType ?? '');
	if (!boundary) throw new Error(`Not a multipart body (content-type ${contentType ?? 'missing'})`);
	const delimiter = `--${boundary[1] ?? boundary[2]}`;
	const parts: FormPart[] = [];
	const sections = body.split(delimiter);
	// sections[0] is the preamble; the last starts with "--" (the closing delimiter).
	for (const section of sections.slice(1)) {
		if (section.startsWith('--')) break;
		const headerEnd = section.indexOf('\r\n\r\n');
		if (headerEnd < 0) throw new Error('A multipart part has no header end');
		const headers = section.slice(2, headerEnd);
		const value = section.slice(headerEnd + 4).replace(/\r\n$/, '');
		const disposition = /content-disposition:\s*form-data;([^\r\n]*)/i.exec(headers)?.[1] ?? '';
		const name = /\bname="([^"]*)"/.exec(disposition)?.[1];
		if (name === undefined) throw new Error(`A multipart part has no name: ${headers}`);
		parts.push({
			name,
			fileName: /\bfilename="([^"]*)"/.exec(disposition)?.[1],
			contentType: /content-type:\s*([^\r\n]+)/i.exec(headers)?.[1]?.trim(),
			value,
		});
	}
	return parts;
}

export interface CapturedRequest {
	kind: 'create' | 'status';
	method: string;
	path: string;
	query: Record<string, string>;
	headers: Record<string, string>;
	/** Multipart fields, in order; [] for a request without a multipart body. */
	fields: FormPart[];
}

export function field(request: CapturedRequest, name: string): FormPart | undefined {
	return request.fields.find((part) => part.name === name);
}

function headerRecord(raw: Record<string, string | string[] | undefined>): Record<string, string> {
	const headers: Record<string, string> = {};
	for (const [name, value] of Object.entries(raw)) {
		if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
	}
	return headers;
}

export interface TaskAnswer {
	status: string;
	total: number;
	success?: number;
	failure?: number;
	result_url?: string;
}

export interface MockOptions {
	taskId: string;
	/** What the create answers: [statusCode, JSON body]. Default: the task as the check's API style answers it. */
	createReply?: [number, unknown];
	/** What each status call answers; default processing 2 + 1 of `total`. */
	statusReply?: [number, unknown];
	/** Numbers expected in the upload, for the default answers' total. */
	total?: number;
	userId?: string;
	baseUrl?: string;
}

/** The create answer of each API style (API.md, "Two API styles, one task model"). */
export function createAnswer(testCase: CheckCase, taskId: string, total: number, userId = ''): Record<string, unknown> {
	const createdAt = '2025-03-02T10:15:30.123456789Z';
	if (testCase.style === 'v1') {
		return { task_id: taskId, status: 'pending', total, message: 'Task created successfully', created_at: createdAt };
	}
	return {
		created_at: createdAt,
		updated_at: createdAt,
		task_id: taskId,
		user_id: userId,
		status: 'pending',
		total: 0,
		success: 0,
		failure: 0,
	};
}

export function statusAnswer(taskId: string, answer: TaskAnswer, userId = ''): Record<string, unknown> {
	return {
		created_at: '2025-03-02T10:15:30.123456789Z',
		updated_at: '2025-03-02T10:16:02.000000000Z',
		task_id: taskId,
		user_id: userId,
		success: 0,
		failure: 0,
		...answer,
	};
}

/**
 * Serves the create and status endpoints of one check with nock (each as often as asked: default once) and records
 * every request that reaches them. Unmatched requests fail in nock, so a second create shows up as an error.
 */
export function mockCheckApi(
	testCase: CheckCase,
	options: MockOptions,
	times: { create?: number; status?: number } = {},
): { requests: CapturedRequest[]; scope: nock.Scope } {
	const requests: CapturedRequest[] = [];
	const total = options.total ?? 6;
	const scope = nock(options.baseUrl ?? API_BASE_URL);
	const capture = (kind: CapturedRequest['kind']) =>
		function (this: nock.ReplyFnContext, uri: string, body: nock.Body): void {
			const url = new URL(uri, 'http://placeholder');
			const headers = headerRecord(this.req.headers);
			const text = typeof body === 'string' ? body : JSON.stringify(body);
			requests.push({
				kind,
				method: this.req.method ?? '',
				path: url.pathname,
				query: Object.fromEntries(url.searchParams),
				headers,
				fields: /multipart\/form-data/i.test(headers['content-type'] ?? '')
					? parseMultipart(headers['content-type'], text)
					: [],
			});
		};
	const createReply = options.createReply ?? [200, createAnswer(testCase, options.taskId, total, options.userId)];
	const statusReply = options.statusReply ?? [
		200,
		statusAnswer(options.taskId, { status: 'processing', total, success: 2, failure: 1 }, options.userId),
	];
	const createPath = testCase.style === 'v1' ? '/v1/tasks' : `${testCase.path}/tasks`;
	if (times.create !== 0) {
		scope
			.post(createPath)
			.times(times.create ?? 1)
			.reply(function (uri, body) {
				capture('create').call(this, uri, body);
				return createReply;
			});
	}
	if (times.status !== 0) {
		const statusInterceptor =
			testCase.style === 'v1'
				? scope.post('/v1/gettasks')
				: scope.get(`${testCase.path}/tasks/${options.taskId}`).query(true);
		statusInterceptor.times(times.status ?? 1).reply(function (uri, body) {
			capture('status').call(this, uri, body);
			return statusReply;
		});
	}
	return { requests, scope };
}
