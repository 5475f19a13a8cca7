/**
 * The wait loop: asks for a task's status on the schedule until it is exported, failed, cancelled or out of time.
 * Every effect (HTTP, clock, sleep, cancellation) is injected, so the loop runs on a fake clock in tests and the
 * benchmark, and the node passes n8n-workflow's `sleep` (no timers of our own: n8n's cloud rules forbid them).
 */

import { EXPORTED, FAILED, normaliseStatus } from '../taskStatus';
import { cancellableSleep } from './cancellableSleep';
import { nextPollDelay, type ProgressSample, type ScheduleOptions } from './schedule';

/** The status fields the loop reads; the node's task type carries more. */
export interface TaskProgress {
	status: string;
	total: number;
	success: number;
	failure: number;
}

export interface WaitLoopDeps<T extends TaskProgress = TaskProgress> {
	/** One status call; throws on failure. */
	getStatus(): Promise<T>;
	/** 5xx, 429, network: keep waiting. Any other error ends the wait and is rethrown. */
	isTransientError(error: unknown): boolean;
	now(): number;
	/** The node passes n8n-workflow's `sleep`. */
	sleep(ms: number): Promise<void>;
	/** The node passes `() => this.getExecutionCancelSignal()?.aborted === true`. */
	isCancelled(): boolean;
	/** Called after every successful status call, for logging. */
	onPoll?(sample: ProgressSample): void;
}

export interface WaitLoopOptions {
	schedule: ScheduleOptions;
	/** Give up after this long (from the first call); the last sleep is shortened to end at this deadline. */
	maxWaitMs: number;
	/** Sleep in slices of at most this (default 1000 ms), checking for cancellation between them. */
	sliceMs?: number;
	/** Transient errors in a row, without any successful call between, that end the wait (default 30). */
	maxConsecutiveTransientErrors?: number;
}

/** `polls` counts every status call made, failed ones included; `waitedMs` runs from the first call. */
export type WaitOutcome<T> =
	| { kind: 'exported'; task: T; polls: number; waitedMs: number }
	| { kind: 'failed'; task: T; polls: number; waitedMs: number }
	/** Max wait reached: the last task seen, if any call succeeded. */
	| { kind: 'timeout'; task: T | undefined; polls: number; waitedMs: number }
	| { kind: 'cancelled'; task: T | undefined; polls: number; waitedMs: number };

export const DEFAULT_SLICE_MS = 1_000;
/** However the options are set, never more than one status call a second. */
export const MIN_SLEEP_MS = 1_000;
export const DEFAULT_MAX_CONSECUTIVE_TRANSIENT_ERRORS = 30;

/** Delay before retrying after `failuresInRow` transient errors: doubling from the schedule's shortest wait. */
export function transientRetryDelay(failuresInRow: number, schedule: ScheduleOptions): number {
	if (schedule.mode === 'fixed') return Math.max(0, schedule.fixedIntervalMs);
	const min = Math.max(0, schedule.minIntervalMs);
	const max = Math.max(min, schedule.maxIntervalMs);
	return Math.min(max, min * 2 ** Math.max(0, Math.min(failuresInRow - 1, 30)));
}

function toNumber(value: unknown): number {
	const number = typeof value === 'number' ? value : Number(value);
	return Number.isFinite(number) ? number : 0;
}

export async function waitForExport<T extends TaskProgress>(
	deps: WaitLoopDeps<T> & { getStatus(): Promise<T> },
	options: WaitLoopOptions,
): Promise<WaitOutcome<T>> {
	const sliceMs = options.sliceMs !== undefined && options.sliceMs > 0 ? options.sliceMs : DEFAULT_SLICE_MS;
	const maxTransientInRow = options.maxConsecutiveTransientErrors ?? DEFAULT_MAX_CONSECUTIVE_TRANSIENT_ERRORS;
	const startedAt = deps.now();
	const deadline = startedAt + Math.max(0, options.maxWaitMs);
	const samples: ProgressSample[] = [];
	let lastTask: T | undefined;
	let polls = 0;
	let transientInRow = 0;

	const waited = () => deps.now() - startedAt;

	while (true) {
		if (deps.isCancelled()) return { kind: 'cancelled', task: lastTask, polls, waitedMs: waited() };

		polls++;
		let answer: { ok: true; task: T } | { ok: false; error: unknown };
		try {
			answer = { ok: true, task: await deps.getStatus() };
		} catch (error) {
			answer = { ok: false, error };
		}

		let delay: number;
		if (!answer.ok) {
			// The error is the caller's own (its transport maps HTTP failures to n8n errors): passed on as it is.
			if (!deps.isTransientError(answer.error)) throw answer.error;
			transientInRow++;
			if (transientInRow >= maxTransientInRow) throw answer.error;
			delay = transientRetryDelay(transientInRow, options.schedule);
		} else {
			const { task } = answer;
			transientInRow = 0;
			lastTask = task;
			const sample: ProgressSample = {
				at: deps.now(),
				status: normaliseStatus(task.status),
				total: toNumber(task.total),
				done: toNumber(task.success) + toNumber(task.failure),
			};
			samples.push(sample);
			deps.onPoll?.(sample);
			if (sample.status === EXPORTED) return { kind: 'exported', task, polls, waitedMs: waited() };
			if (sample.status === FAILED) return { kind: 'failed', task, polls, waitedMs: waited() };
			delay = nextPollDelay(samples, options.schedule);
		}

		const now = deps.now();
		if (now >= deadline) return { kind: 'timeout', task: lastTask, polls, waitedMs: now - startedAt };
		// Shortened so the last call happens at the deadline, not after it.
		const sleepMs = Math.min(Math.max(MIN_SLEEP_MS, delay), deadline - now);

		if (!(await cancellableSleep(sleepMs, sliceMs, deps))) {
			return { kind: 'cancelled', task: lastTask, polls, waitedMs: waited() };
		}
	}
}
