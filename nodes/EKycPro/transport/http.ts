import { NodeApiError, sleep } from 'n8n-workflow';
import type {
	IDataObject,
	IExecuteFunctions,
	IHttpRequestMethods,
	IHttpRequestOptions,
	JsonObject,
} from 'n8n-workflow';

import { DEFAULT_BASE_URL } from '../../../credentials/EKycProApi.credentials';

export const CREDENTIAL_TYPE = 'eKycProApi';

/** What the transport needs from n8n: both nodes' execute contexts fit. */
export type TransportContext = Pick<
	IExecuteFunctions,
	'getNode' | 'getCredentials' | 'helpers' | 'getExecutionCancelSignal'
>;

export interface RetryOptions {
	/** Attempts in all, the first one included. */
	maxAttempts: number;
	baseDelayMs: number;
	maxDelayMs: number;
	/** A Retry-After longer than this is cut to it. */
	maxRetryAfterMs: number;
}

export const DEFAULT_RETRY: RetryOptions = {
	maxAttempts: 5,
	baseDelayMs: 1000,
	maxDelayMs: 30_000,
	maxRetryAfterMs: 120_000,
};

/** One set of credentials and retry rules for the calls of one node run. */
export interface ApiSession {
	ctx: TransportContext;
	baseUrl: string;
	userId?: string;
	retry: RetryOptions;
	/** Replaces the API key in text taken from an answer, should the API ever quote it back. */
	redact(text: string): string;
}

export async function openSession(ctx: TransportContext, retry: RetryOptions = DEFAULT_RETRY): Promise<ApiSession> {
	const credentials = await ctx.getCredentials(CREDENTIAL_TYPE);
	const baseUrl = String(credentials.baseUrl ?? '').trim().replace(/\/+$/, '') || DEFAULT_BASE_URL;
	const userId = String(credentials.userId ?? '').trim();
	const apiKey = String(credentials.apiKey ?? '');
	const redact = (text: string) => (apiKey.length >= 4 ? text.split(apiKey).join('***') : text);
	return { ctx, baseUrl, userId: userId === '' ? undefined : userId, retry, redact };
}

/**
 * `idempotent`: status reads, retried on 429, 5xx and network errors.
 * `create`: retried only when the server answered 500 or 429, i.e. when it says nothing was charged; never after a
 * timeout or a dropped connection, where the task may exist and a retry could charge twice.
 */
export type RetryPolicy = 'idempotent' | 'create';

export interface ApiCall {
	method: IHttpRequestMethods;
	path: string;
	body?: FormData;
	qs?: IDataObject;
	timeoutMs: number;
	policy: RetryPolicy;
	itemIndex: number;
	/** Shown in messages: "creating a Telegram task", "reading the status of task abc". */
	action: string;
	/** For 404 messages. */
	taskId?: string;
	checkName: string;
}

const TRANSIENT_NETWORK_CODES = new Set([
	'ECONNRESET',
	'ECONNABORTED',
	'ETIMEDOUT',
	'ESOCKETTIMEDOUT',
	'EPIPE',
	'EAI_AGAIN',
	'ECONNREFUSED',
	'ERR_SOCKET_CONNECTION_TIMEOUT',
	'UND_ERR_SOCKET',
]);

/** Codes that mean the request never left this machine, so nothing can have been charged. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ERR_INVALID_URL']);

interface FullResponse {
	body: unknown;
	headers: Record<string, string | string[] | undefined>;
	statusCode: number;
}

function codeInText(text: string): string | undefined {
	if (/socket hang up/i.test(text)) return 'ECONNRESET';
	if (/timeout of \d+ms exceeded/i.test(text)) return 'ETIMEDOUT';
	if (/\baborted\b/i.test(text)) return 'ECONNRESET';
	return undefined;
}

/**
 * The network code of a failed request. n8n's httpRequestWithAuthentication wraps the request error in a
 * NodeApiError that (in n8n-workflow 1.x) keeps the code only as its `httpCode` and the original text only in
 * `messages`; a raw error has `code` and `message`, possibly under `cause`.
 */
export function networkErrorCode(error: unknown): string | undefined {
	let current: unknown = error;
	for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth++) {
		const candidate = current as { code?: unknown; httpCode?: unknown; message?: unknown; messages?: unknown; cause?: unknown };
		if (typeof candidate.code === 'string' && candidate.code !== '') return candidate.code;
		if (typeof candidate.httpCode === 'string' && /^E[A-Z_]+$/.test(candidate.httpCode)) return candidate.httpCode;
		const texts = [candidate.message, ...(Array.isArray(candidate.messages) ? candidate.messages : [])];
		for (const text of texts) {
			const code = typeof text === 'string' ? codeInText(text) : undefined;
			if (code) return code;
		}
		current = candidate.cause;
	}
	return undefined;
}

const NETWORK_WORDS: Record<string, string> = {
	ECONNRESET: 'the connection was reset',
	ECONNABORTED: 'the connection was aborted',
	ETIMEDOUT: 'it timed out',
	ESOCKETTIMEDOUT: 'it timed out',
	EPIPE: 'the connection broke',
	ECONNREFUSED: 'the connection was refused',
	ENOTFOUND: 'the host name was not found',
	EAI_AGAIN: 'the host name could not be looked up',
	ERR_BAD_RESPONSE: 'the answer was cut off',
};

/**
 * A network failure in words. n8n replaces a message that contains a raw code such as ECONNRESET with a generic
 * one, so the code itself goes into the error's data, not its message.
 */
export function describeNetworkError(error: unknown): string {
	const code = networkErrorCode(error);
	return code === undefined ? 'a network error' : (NETWORK_WORDS[code] ?? `network error ${code.toLowerCase()}`);
}

export function isTransientNetworkError(error: unknown): boolean {
	const code = networkErrorCode(error);
	return code !== undefined && TRANSIENT_NETWORK_CODES.has(code);
}

/**
 * Whether an error from callApi is worth waiting through: the API's server errors and rate limits, and network
 * failures (after callApi's own retries). Used by the Wait node, whose loop keeps polling through them.
 */
export function isTransientApiError(error: unknown): boolean {
	const { httpCode, errorResponse } = (error ?? {}) as { httpCode?: string | null; errorResponse?: { networkCode?: unknown } };
	if (httpCode === '429' || /^5\d\d$/.test(httpCode ?? '')) return true;
	const code = errorResponse?.networkCode;
	return typeof code === 'string' && TRANSIENT_NETWORK_CODES.has(code);
}

/** Reads Retry-After in seconds or as an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: unknown, now = Date.now()): number | undefined {
	const text = Array.isArray(value) ? value[0] : value;
	if (typeof text !== 'string' && typeof text !== 'number') return undefined;
	const raw = String(text).trim();
	if (/^\d+(\.\d+)?$/.test(raw)) return Math.round(Number(raw) * 1000);
	const date = Date.parse(raw);
	if (Number.isNaN(date)) return undefined;
	return Math.max(0, date - now);
}

export function backoffDelay(attempt: number, retry: RetryOptions): number {
	return Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (attempt - 1));
}

/** Sleeps in short slices so a cancelled execution stops waiting at once. Returns false when cancelled. */
export async function cancellableSleep(ctx: Pick<TransportContext, 'getExecutionCancelSignal'>, ms: number): Promise<boolean> {
	const signal = ctx.getExecutionCancelSignal?.();
	let left = ms;
	while (left > 0) {
		if (signal?.aborted) return false;
		const slice = Math.min(left, 500);
		await sleep(slice);
		left -= slice;
	}
	return !signal?.aborted;
}

/** The API's own words from an error body, without anything that could echo the request. */
export function apiReason(body: unknown): string | undefined {
	if (body && typeof body === 'object' && !Array.isArray(body)) {
		const record = body as Record<string, unknown>;
		// Every distinct text the API gave: {"error":"file too large","message":"the upload exceeds 1 MB"} says both.
		const texts: string[] = [];
		for (const key of ['error', 'message', 'detail', 'msg', 'reason']) {
			const value = record[key];
			const text =
				typeof value === 'string' ? value.trim() : value && typeof value === 'object' ? apiReason(value) : undefined;
			if (text && !texts.includes(text)) texts.push(text);
		}
		return texts.length === 0 ? undefined : texts.join(': ').slice(0, 500);
	}
	if (typeof body === 'string') {
		const text = body.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim();
		return text === '' ? undefined : text.slice(0, 300);
	}
	if (body instanceof Uint8Array) return apiReason(new TextDecoder().decode(body.subarray(0, 2000)));
	return undefined;
}

/** A NodeApiError built from status and body only: no request, so no header and no key can be echoed. */
export function apiError(
	ctx: Pick<TransportContext, 'getNode'>,
	statusCode: number | undefined,
	message: string,
	description: string,
	itemIndex: number,
	extra: JsonObject = {},
): NodeApiError {
	const response: JsonObject = { message, ...extra };
	if (statusCode !== undefined) response.httpCode = String(statusCode);
	return new NodeApiError(ctx.getNode(), response, {
		message,
		description,
		httpCode: statusCode === undefined ? undefined : String(statusCode),
		itemIndex,
	});
}

function errorForStatus(session: ApiSession, call: ApiCall, response: FullResponse, attempts: number): NodeApiError {
	const status = response.statusCode;
	const rawReason = apiReason(response.body);
	const reason = rawReason === undefined ? undefined : session.redact(rawReason);
	const said = reason ? ` eKYCPro said: "${reason}".` : '';
	const ctx = session.ctx;
	const i = call.itemIndex;
	const free = call.policy === 'create' ? ' No task was created and nothing was charged.' : '';
	switch (status) {
		case 400:
			return apiError(
				ctx,
				status,
				`eKYCPro refused the request while ${call.action}: ${reason ?? 'bad request'}`,
				call.policy === 'create'
					? `The API rejected the parameters or the file of numbers.${free} Check the numbers (one E.164 number per line), the check's task type or path, and the minimum batch size of this check.`
					: 'Check that the task ID is right and belongs to the chosen check.',
				i,
				{ reason: reason ?? null },
			);
		case 401:
		case 403:
			return apiError(
				ctx,
				status,
				`eKYCPro rejected the API key (HTTP ${status}) while ${call.action}`,
				`Open the eKYCPro API credential and check the API key and the base URL (${session.baseUrl}).${free}${said}`,
				i,
			);
		case 402:
			return apiError(
				ctx,
				status,
				'Your eKYCPro balance is too low to create this task',
				`No task was created and nothing was charged. Top up your eKYCPro balance, or send fewer numbers.${said}`,
				i,
			);
		case 404:
			return apiError(
				ctx,
				status,
				call.taskId === undefined
					? `eKYCPro has no such endpoint (HTTP 404) while ${call.action}`
					: `Task "${call.taskId}" was not found for the ${call.checkName} check`,
				call.taskId === undefined
					? `Check the base URL in the credential (${session.baseUrl}) and, for a custom check, its task type or path.${said}`
					: `Check the task ID, and that the node's resource is the check the task was created with (a task of one check cannot be read through another).${said}`,
				i,
			);
		case 413:
			return apiError(
				ctx,
				status,
				'The file of numbers is too large for eKYCPro',
				`Split the numbers into smaller batches (for example with a Loop Over Items node in front of this one) and create one task per batch.${free}${said}`,
				i,
			);
		case 429:
			return apiError(
				ctx,
				status,
				`eKYCPro is rate limiting requests (HTTP 429) while ${call.action}, and kept doing so after ${attempts} attempts`,
				`Wait a few minutes before running again, or poll less often.${free}${said}`,
				i,
			);
		default:
			if (status >= 500 && call.policy === 'create' && status !== 500) {
				// A gateway's 502/503/504 does not say whether the server behind it created the task.
				return apiError(
					ctx,
					status,
					`eKYCPro answered HTTP ${status} while ${call.action}`,
					`A gateway answered, so eKYCPro may have created the task and charged for it; it was not sent again. Look for the task in your eKYCPro account before creating it again.${said}`,
					i,
					{ possiblyCharged: true },
				);
			}
			if (status >= 500) {
				return apiError(
					ctx,
					status,
					`eKYCPro answered with a server error (HTTP ${status}) while ${call.action}${attempts > 1 ? `, ${attempts} times in a row` : ''}`,
					`The eKYCPro service has a problem; server errors are not charged. Try again later.${said}`,
					i,
				);
			}
			if (status >= 300 && status < 400) {
				const location = headerText(response.headers.location);
				return apiError(
					ctx,
					status,
					`eKYCPro answered with a redirect (HTTP ${status})${location ? ` to ${hostOf(location)}` : ''} while ${call.action}`,
					`The API key is not sent on to another address. Check the base URL in the credential (${session.baseUrl}); use the address the API answers on directly, with https.`,
					i,
				);
			}
			return apiError(
				ctx,
				status,
				`eKYCPro answered HTTP ${status} while ${call.action}`,
				`This answer was not expected.${said}`,
				i,
			);
	}
}

function headerText(value: string | string[] | undefined): string | undefined {
	return Array.isArray(value) ? value[0] : value;
}

function hostOf(url: string): string {
	const match = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]+)/i.exec(url);
	return match ? match[1] : url.slice(0, 100);
}

function networkError(session: ApiSession, call: ApiCall, error: unknown, attempts: number): NodeApiError {
	const code = networkErrorCode(error) ?? 'unknown';
	const words = describeNetworkError(error);
	const ctx = session.ctx;
	if (NOT_SENT_CODES.has(code)) {
		return apiError(
			ctx,
			undefined,
			`Could not reach eKYCPro at ${session.baseUrl} while ${call.action}: ${words}`,
			`The request never reached the server, so nothing was charged. Check the base URL in the eKYCPro API credential and this machine's network.`,
			call.itemIndex,
			{ networkCode: code },
		);
	}
	if (call.policy === 'create') {
		return apiError(
			ctx,
			undefined,
			`The request to create the task was sent, but no answer came back: ${words}`,
			'eKYCPro may have created the task and charged for it. It was not sent again, because a second try could charge twice. ' +
				'Look for the task in your eKYCPro account (or run Get Status with its task ID) before creating it again.',
			call.itemIndex,
			{ networkCode: code, possiblyCharged: true },
		);
	}
	return apiError(
		ctx,
		undefined,
		`The connection to eKYCPro failed while ${call.action}, ${attempts} times in a row: ${words}`,
		`Check this machine's network and the base URL (${session.baseUrl}). Reading a status can be retried safely.`,
		call.itemIndex,
		{ networkCode: code },
	);
}

function shouldRetryStatus(policy: RetryPolicy, status: number): boolean {
	if (status === 429 || status === 500) return true;
	return policy === 'idempotent' && status >= 502 && status <= 599;
}

/**
 * The only place that talks to the eKYCPro API. Authentication comes from the credential through n8n's
 * httpRequestWithAuthentication; status and body are read here so errors are built without the request.
 */
export async function callApi(session: ApiSession, call: ApiCall): Promise<IDataObject> {
	const { ctx, retry } = session;
	const options: IHttpRequestOptions = {
		method: call.method,
		url: `${session.baseUrl}${call.path}`,
		qs: call.qs,
		body: call.body,
		json: true,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		timeout: call.timeoutMs,
		// The key is a custom header, which redirect-following would carry to any host: redirects are not followed.
		disableFollowRedirect: true,
		sendCredentialsOnCrossOriginRedirect: false,
	};
	if (call.body === undefined) delete options.body;
	if (call.qs === undefined) delete options.qs;

	for (let attempt = 1; ; attempt++) {
		let response: FullResponse;
		try {
			response = (await ctx.helpers.httpRequestWithAuthentication.call(
				ctx as IExecuteFunctions,
				CREDENTIAL_TYPE,
				options,
			)) as FullResponse;
		} catch (error) {
			// n8n aborts the request in flight when the execution is cancelled: that is no network failure.
			if (ctx.getExecutionCancelSignal?.()?.aborted) throw cancelled(session, call);
			const code = networkErrorCode(error);
			const retryable =
				call.policy === 'idempotent' && code !== undefined && TRANSIENT_NETWORK_CODES.has(code);
			if (!retryable || attempt >= retry.maxAttempts) throw networkError(session, call, error, attempt);
			if (!(await cancellableSleep(ctx, backoffDelay(attempt, retry)))) throw cancelled(session, call);
			continue;
		}
		const status = response.statusCode;
		if (status >= 200 && status < 300) {
			const body = response.body;
			if (body && typeof body === 'object' && !Array.isArray(body)) return body as IDataObject;
			if (typeof body === 'string') {
				try {
					const parsed: unknown = JSON.parse(body);
					if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as IDataObject;
				} catch {
					// Not JSON: reported below.
				}
			}
			throw apiError(
				ctx,
				status,
				`eKYCPro answered without the expected JSON while ${call.action}`,
				`The answer began with: ${session.redact(apiReason(body) ?? '(empty)')}. Check the base URL in the credential.` +
					(call.policy === 'create' ? ' The task may have been created and charged: look it up before trying again.' : ''),
				call.itemIndex,
			);
		}
		if (!shouldRetryStatus(call.policy, status) || attempt >= retry.maxAttempts) {
			throw errorForStatus(session, call, response, attempt);
		}
		const retryAfter = status === 429 ? parseRetryAfter(response.headers['retry-after']) : undefined;
		const delay =
			retryAfter !== undefined ? Math.min(retryAfter, retry.maxRetryAfterMs) : backoffDelay(attempt, retry);
		if (!(await cancellableSleep(ctx, delay))) throw cancelled(session, call);
	}
}

function cancelled(session: ApiSession, call: ApiCall): NodeApiError {
	return apiError(
		session.ctx,
		undefined,
		`The execution was cancelled while ${call.action}`,
		call.policy === 'create'
			? 'The create request may have reached eKYCPro and been charged: look the task up (Get Status) before creating it again.'
			: 'Nothing more was sent.',
		call.itemIndex,
	);
}
