/** When a call to the API is sent again, and how long to wait first. */

import { sleep } from 'n8n-workflow';

import { cancellableSleep } from '../polling/cancellableSleep';
import { isTransientNetworkError } from './networkErrors';
import type { TransportContext } from './session';

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

/**
 * `idempotent`: status reads, retried on 429, 5xx and network errors.
 * `create`: retried only when the server answered 500 or 429, i.e. when it says nothing was charged; never after a
 * timeout or a dropped connection, where the task may exist and a retry could charge twice.
 */
export type RetryPolicy = 'idempotent' | 'create';

/** Back-off sleeps are cut into slices this long, so a cancelled execution stops waiting at once. */
const RETRY_SLEEP_SLICE_MS = 500;

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

export function shouldRetryStatus(policy: RetryPolicy, status: number): boolean {
	if (status === 429 || status === 500) return true;
	return policy === 'idempotent' && status >= 502 && status <= 599;
}

/** A request that got no answer is sent again only when it cannot charge twice. */
export function shouldRetryNetworkError(policy: RetryPolicy, error: unknown): boolean {
	return policy === 'idempotent' && isTransientNetworkError(error);
}

/** The wait before sending again after an answer: the server's Retry-After on a 429 (capped), else the back-off. */
export function retryDelayAfterStatus(
	status: number,
	headers: Record<string, string | string[] | undefined>,
	attempt: number,
	retry: RetryOptions,
): number {
	const retryAfter = status === 429 ? parseRetryAfter(headers['retry-after']) : undefined;
	return retryAfter !== undefined ? Math.min(retryAfter, retry.maxRetryAfterMs) : backoffDelay(attempt, retry);
}

/** Sleeps before a retry with n8n-workflow's `sleep`. Returns false when the execution was cancelled. */
export async function waitBeforeRetry(
	ctx: Pick<TransportContext, 'getExecutionCancelSignal'>,
	ms: number,
): Promise<boolean> {
	const signal = ctx.getExecutionCancelSignal?.();
	return await cancellableSleep(ms, RETRY_SLEEP_SLICE_MS, {
		sleep: async (slice) => await sleep(slice),
		isCancelled: () => signal?.aborted === true,
	});
}

/** The wait a refused request asked for (429 Retry-After, capped), kept with the error it was thrown as. */
const retryAfterByError = new WeakMap<object, number>();

export function rememberRetryAfter(error: object, ms: number): void {
	retryAfterByError.set(error, ms);
}

/** The wait the server asked for before the next request, when `error` is a refusal that said so. */
export function retryAfterOf(error: unknown): number | undefined {
	return error !== null && typeof error === 'object' ? retryAfterByError.get(error) : undefined;
}
