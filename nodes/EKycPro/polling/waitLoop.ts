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
	/** The server's own wait before the next request (a 429's Retry-After), if the error carries one. */
	retryAfterMs?(error: unknown): number | undefined;
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

/**
 * What a wait has seen so far. The loop keeps it in memory; park mode carries it in the items between passes, so it
 * holds only plain data.
 */
export interface WaitProgress<T> {
	/** When the wait began: Max Wait counts from here. */
	startedAt: number;
	/** Status requests sent, failed ones included. */
	polls: number;
	transientInRow: number;
	samples: ProgressSample[];
	lastTask: T | undefined;
}

export function startWait<T>(now: number): WaitProgress<T> {
	return { startedAt: now, polls: 0, transientInRow: 0, samples: [], lastTask: undefined };
}

export type StatusAnswer<T> = { ok: true; task: T } | { ok: false; error: unknown };

/** What to do after one status answer: stop with an outcome, or ask again after `delayMs`. */
export type WaitStep<T> = Exclude<WaitOutcome<T>, { kind: 'cancelled' }> | { kind: 'again'; delayMs: number };

export interface StepOptions {
	schedule: ScheduleOptions;
	maxWaitMs: number;
	maxConsecutiveTransientErrors?: number;
	/** 5xx, 429, network: keep waiting. Any other error ends the wait and is rethrown. */
	isTransientError(error: unknown): boolean;
	/** The server's own wait before the next request (a 429's Retry-After), if the error carries one. */
	retryAfterMs?(error: unknown): number | undefined;
}

/**
 * Records one status answer (one request sent) and says what comes next. Throws the answer's error when it is not
 * transient, or when too many transient errors came in a row. The next request is never after the Max Wait
 * deadline: Max Wait is a hard limit.
 */
export function recordStatus<T extends TaskProgress>(
	progress: WaitProgress<T>,
	answer: StatusAnswer<T>,
	now: number,
	options: StepOptions,
): WaitStep<T> {
	progress.polls++;
	const maxTransientInRow = options.maxConsecutiveTransientErrors ?? DEFAULT_MAX_CONSECUTIVE_TRANSIENT_ERRORS;
	const waitedMs = now - progress.startedAt;
	let delay: number;
	if (!answer.ok) {
		// The error is the caller's own (its transport maps HTTP failures to n8n errors): passed on as it is.
		if (!options.isTransientError(answer.error)) throw answer.error;
		progress.transientInRow++;
		if (progress.transientInRow >= maxTransientInRow) throw answer.error;
		delay = Math.max(
			transientRetryDelay(progress.transientInRow, options.schedule),
			options.retryAfterMs?.(answer.error) ?? 0,
		);
	} else {
		const { task } = answer;
		progress.transientInRow = 0;
		progress.lastTask = task;
		const sample: ProgressSample = {
			at: now,
			status: normaliseStatus(task.status),
			total: toNumber(task.total),
			done: toNumber(task.success) + toNumber(task.failure),
		};
		progress.samples.push(sample);
		if (sample.status === EXPORTED) return { kind: 'exported', task, polls: progress.polls, waitedMs };
		if (sample.status === FAILED) return { kind: 'failed', task, polls: progress.polls, waitedMs };
		delay = nextPollDelay(progress.samples, options.schedule);
	}
	const deadline = progress.startedAt + Math.max(0, options.maxWaitMs);
	if (now >= deadline) return { kind: 'timeout', task: progress.lastTask, polls: progress.polls, waitedMs };
	// Shortened so the last call happens at the deadline, not after it.
	return { kind: 'again', delayMs: Math.min(Math.max(MIN_SLEEP_MS, delay), deadline - now) };
}

export async function waitForExport<T extends TaskProgress>(
	deps: WaitLoopDeps<T>,
	options: WaitLoopOptions,
): Promise<WaitOutcome<T>> {
	const sliceMs = options.sliceMs !== undefined && options.sliceMs > 0 ? options.sliceMs : DEFAULT_SLICE_MS;
	const stepOptions: StepOptions = {
		...options,
		isTransientError: deps.isTransientError,
		retryAfterMs: deps.retryAfterMs,
	};
	const progress = startWait<T>(deps.now());
	const cancelled = (): WaitOutcome<T> => ({
		kind: 'cancelled',
		task: progress.lastTask,
		polls: progress.polls,
		waitedMs: deps.now() - progress.startedAt,
	});

	while (true) {
		if (deps.isCancelled()) return cancelled();
		let answer: StatusAnswer<T>;
		try {
			answer = { ok: true, task: await deps.getStatus() };
		} catch (error) {
			answer = { ok: false, error };
		}
		const samplesBefore = progress.samples.length;
		const step = recordStatus(progress, answer, deps.now(), stepOptions);
		if (progress.samples.length > samplesBefore) deps.onPoll?.(progress.samples[progress.samples.length - 1]);
		if (step.kind !== 'again') return step;
		if (!(await cancellableSleep(step.delayMs, sliceMs, deps))) return cancelled();
	}
}
