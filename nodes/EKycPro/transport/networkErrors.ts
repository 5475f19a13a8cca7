/**
 * What a failed request says about the network: its code, the code in words, and whether waiting can help. n8n wraps
 * request errors differently across versions, so the code is looked for in several places.
 */

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
		const candidate = current as {
			code?: unknown;
			httpCode?: unknown;
			message?: unknown;
			messages?: unknown;
			cause?: unknown;
		};
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

/** A network failure that may pass if the request is sent again. */
export function isTransientNetworkError(error: unknown): boolean {
	const code = networkErrorCode(error);
	return code !== undefined && TRANSIENT_NETWORK_CODES.has(code);
}

/** The request never left this machine (by its network code), so nothing can have been charged. */
export function wasNotSent(code: string): boolean {
	return NOT_SENT_CODES.has(code);
}

/**
 * Whether an error from callApi is worth waiting through: the API's server errors and rate limits, and network
 * failures (after callApi's own retries). Used by the Wait node, whose loop keeps polling through them.
 */
export function isTransientApiError(error: unknown): boolean {
	const { httpCode, errorResponse } = (error ?? {}) as {
		httpCode?: string | null;
		errorResponse?: { networkCode?: unknown };
	};
	if (httpCode === '429' || /^5\d\d$/.test(httpCode ?? '')) return true;
	const code = errorResponse?.networkCode;
	return typeof code === 'string' && TRANSIENT_NETWORK_CODES.has(code);
}
