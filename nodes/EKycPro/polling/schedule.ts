/**
 * When to ask for a task's status next: a pure function of the progress seen so far.
 *
 * Status calls may be charged, so the adaptive schedule spends as few as a prompt answer allows: it estimates when
 * processing ends from the recent rate of progress, asks rarely while the end is far, lands one call just after the
 * estimated end, then asks soon while the result file is being exported.
 */

import { FAILED, isProcessedStatus, isTerminal, normaliseStatus } from '../taskStatus';

/** One status answer, reduced to what the schedule needs. */
export interface ProgressSample {
	/** When the answer arrived, in ms (any fixed origin). */
	at: number;
	status: string;
	/** Numbers in the task; 0 while the server has not counted them yet. */
	total: number;
	/** Numbers checked so far: `success + failure`. */
	done: number;
}

export interface ScheduleOptions {
	/** `adaptive`: follow the progress. `fixed`: always wait `fixedIntervalMs`. */
	mode: 'adaptive' | 'fixed';
	/** Adaptive: never ask sooner than this after the previous call. */
	minIntervalMs: number;
	/** Adaptive: never wait longer than this between calls. */
	maxIntervalMs: number;
	/** Fixed: the wait between calls. */
	fixedIntervalMs: number;
}

/**
 * Adaptive between 5 s and 10 min. The 10-minute cap keeps a 3-hour task to about 26 calls (a 5-minute cap: about
 * 43); a 30-minute task takes 11-14 calls with either (bench/polling/run.ts).
 */
export const DEFAULT_SCHEDULE: ScheduleOptions = {
	mode: 'adaptive',
	minIntervalMs: 5_000,
	maxIntervalMs: 10 * 60_000,
	fixedIntervalMs: 30_000,
};

/**
 * Tuning of the adaptive schedule, chosen on the simulated tasks of `bench/polling/` (1 min to 3 h; steady, stalling,
 * bursty, queued, wavy, speeding and straggling progress; exports of 10-60 s) for few calls and a late answer of at
 * most about a minute.
 */
const TUNING = {
	/** While the estimate of the end is unproven, wait this fraction of the estimated remaining processing time. */
	farFraction: 0.4,
	/**
	 * Once an estimate has held, the fraction grows toward 1 by how well it held: 1 - trustSlope x (how far the end
	 * moved between the last two calls / how far ahead it was). Steady progress is followed with few calls; a
	 * slow-down only brings the next call before the end; a sudden speed-up is what costs a late answer.
	 */
	trustSlope: 2,
	/**
	 * Once the estimated remaining time is within this, or this fraction of the time waited so far, go straight to
	 * the estimated end: a call before it would only confirm the estimate.
	 */
	nearEndMs: 150_000,
	nearEndElapsedFraction: 0.05,
	/** Added to the estimated end for that landing call, so that it finds processing over. */
	landingMarginMs: 20_000,
	/** A rate measured over a short time is a guess: wait at most this multiple of the time it was measured over. */
	evidenceFactor: 6,
	/** Nothing to go by (pending, total 0, no progress yet): wait this fraction of the time already spent so. */
	noRateFraction: 1.5,
	/** Progress stopped: wait at least this fraction of the time it has been stopped. */
	stallFraction: 0.25,
	/** Processing over, file being exported: wait this fraction of the time since processing ended. */
	exportFraction: 1,
	/** The recent rate covers at least this fraction of the time progress was seen (older progress is forgotten)... */
	recentFraction: 0.35,
	/** ...and at least this many intervals that showed progress, so counts updated in batches average out. */
	recentMinIntervals: 3,
};

function finiteOr(value: number, fallback: number): number {
	return Number.isFinite(value) && value >= 0 ? value : fallback;
}

/** Options a user typed may be missing, negative or swapped; the schedule works with sane bounds. */
function boundsOf(options: ScheduleOptions): { min: number; max: number } {
	const min = finiteOr(options.minIntervalMs, DEFAULT_SCHEDULE.minIntervalMs);
	const max = finiteOr(options.maxIntervalMs, DEFAULT_SCHEDULE.maxIntervalMs);
	return { min, max: Math.max(min, max) };
}

function clamp(value: number, min: number, max: number): number {
	return Math.min(max, Math.max(min, value));
}

/** Processing is over (file being exported, or ready): the counts are complete. */
function isProcessed(sample: ProgressSample): boolean {
	if (isProcessedStatus(sample.status)) return true;
	return sample.total > 0 && sample.done >= sample.total && normaliseStatus(sample.status) !== FAILED;
}

/** Index of the first sample of the trailing run of samples for which `belongs` holds. */
function startOfTrailingRun(samples: readonly ProgressSample[], belongs: (sample: ProgressSample) => boolean): number {
	let start = samples.length - 1;
	while (start > 0 && belongs(samples[start - 1])) start--;
	return start;
}

interface ProgressEstimate {
	/** Numbers per ms while the task was seen progressing, recently. */
	rate: number;
	/** How long progress was observed, in ms: the rate is only as good as this is long. */
	evidenceMs: number;
	/** Ms since the count last moved (0 when the last call saw progress). */
	stalledMs: number;
}

/**
 * The recent rate of progress of the task still in processing, from the trailing run of samples in which the count
 * only grows. Intervals without progress (stalls, or a server that updates its counts in batches) are left out, so
 * a stall does not drag the rate of the work down; how long the count has not moved is reported beside it.
 */
function estimateProgress(samples: readonly ProgressSample[]): ProgressEstimate | undefined {
	const lastIndex = samples.length - 1;
	const last = samples[lastIndex];
	if (!(last.total > 0) || isProcessed(last) || normaliseStatus(last.status) === FAILED) return undefined;

	// A count that went back, or a different total, starts a new run: older samples describe something else.
	let first = lastIndex;
	while (
		first > 0 &&
		samples[first - 1].done <= samples[first].done &&
		(samples[first - 1].total === last.total || samples[first - 1].done === 0)
	) {
		first--;
	}

	let lastMoved = -1;
	for (let index = lastIndex; index > first; index--) {
		if (samples[index].done > samples[index - 1].done) {
			lastMoved = index;
			break;
		}
	}
	if (lastMoved < 0) return undefined;

	// Progress per interval, newest first. In the interval where the count first left 0, processing started at an
	// unknown moment inside it: assume its middle rather than its start, which would read a slow start as a slow
	// rate and push the next call far beyond the end.
	const intervals: Array<{ done: number; ms: number }> = [];
	let evidenceMs = 0;
	for (let index = lastMoved; index > first; index--) {
		const done = samples[index].done - samples[index - 1].done;
		if (done <= 0) continue;
		let ms = samples[index].at - samples[index - 1].at;
		if (samples[index - 1].done === 0) ms /= 2;
		if (!(ms > 0)) continue;
		intervals.push({ done, ms });
		evidenceMs += ms;
	}
	if (intervals.length === 0) return undefined;

	let recentDone = 0;
	let recentMs = 0;
	for (const [count, interval] of intervals.entries()) {
		recentDone += interval.done;
		recentMs += interval.ms;
		if (count + 1 >= TUNING.recentMinIntervals && recentMs >= TUNING.recentFraction * evidenceMs) break;
	}
	return { rate: recentDone / recentMs, evidenceMs, stalledMs: last.at - samples[lastMoved].at };
}

/**
 * Estimated ms from the last sample until processing finishes (every number checked), assuming a stalled task
 * resumes now at its recent rate; 0 once processing is over; `undefined` when there is nothing to go by (no
 * samples, pending, total 0, no progress seen yet, failed).
 */
export function estimateRemainingMs(samples: readonly ProgressSample[]): number | undefined {
	if (samples.length === 0) return undefined;
	const last = samples[samples.length - 1];
	if (normaliseStatus(last.status) === FAILED) return undefined;
	if (isProcessed(last)) return 0;
	const progress = estimateProgress(samples);
	if (progress === undefined) return undefined;
	return (last.total - last.done) / progress.rate;
}

/** When processing most likely ended, for a task whose last sample shows it over. */
function processingEndedAt(samples: readonly ProgressSample[]): number {
	const exportStart = startOfTrailingRun(samples, isProcessed);
	const firstProcessed = samples[exportStart];
	if (exportStart === 0) return firstProcessed.at;
	// It ended between the last call that saw it running and the first that saw it over; the estimate made at that
	// last call says where, else the middle.
	const before = samples.slice(0, exportStart);
	const lastRunning = before[before.length - 1];
	const remaining = estimateRemainingMs(before);
	const guess = remaining === undefined ? (lastRunning.at + firstProcessed.at) / 2 : lastRunning.at + remaining;
	return clamp(guess, lastRunning.at, firstProcessed.at);
}

/**
 * How far the end estimated at the previous call moved by the last one, relative to how far ahead it was estimated;
 * `undefined` when the previous call had no estimate.
 */
function previousEstimateError(samples: readonly ProgressSample[], estimatedEnd: number): number | undefined {
	if (samples.length < 2) return undefined;
	const before = samples.slice(0, -1);
	const previous = before[before.length - 1];
	const previousRemaining = estimateRemainingMs(before);
	if (previousRemaining === undefined || !(previousRemaining > 0)) return undefined;
	return Math.abs(estimatedEnd - (previous.at + previousRemaining)) / previousRemaining;
}

/** Ms from the last sample until the next status call should be made. */
export function nextPollDelay(samples: readonly ProgressSample[], options: ScheduleOptions): number {
	if (options.mode === 'fixed') return finiteOr(options.fixedIntervalMs, DEFAULT_SCHEDULE.fixedIntervalMs);
	const { min, max } = boundsOf(options);
	if (samples.length === 0) return min;
	const last = samples[samples.length - 1];
	if (isTerminal(last.status)) return min;

	// Processing over, file being exported: ask soon, then less often the longer the export takes.
	if (isProcessed(last)) {
		return clamp(TUNING.exportFraction * (last.at - processingEndedAt(samples)), min, max);
	}

	const progress = estimateProgress(samples);
	if (progress === undefined) {
		// Nothing to go by: back off geometrically from the minimum for as long as nothing changes.
		const unchangedSince = startOfTrailingRun(samples, (sample) => sample.done === last.done);
		return clamp(TUNING.noRateFraction * (last.at - samples[unchangedSince].at), min, max);
	}

	// Far from the end, a fraction of the remaining time: each answer refines the estimate, and the calls close in on
	// the end geometrically. Near it, one call just after the estimated end.
	const remaining = (last.total - last.done) / progress.rate;
	const nearEnd = Math.max(TUNING.nearEndMs, TUNING.nearEndElapsedFraction * (last.at - samples[0].at));
	const error = previousEstimateError(samples, last.at + remaining);
	const fraction =
		error === undefined ? TUNING.farFraction : clamp(1 - TUNING.trustSlope * error, TUNING.farFraction, 1);
	let delay = remaining <= nearEnd ? remaining + TUNING.landingMarginMs : fraction * remaining;
	// Do not trust a rate seen for a short time to predict far ahead.
	delay = Math.min(delay, TUNING.evidenceFactor * progress.evidenceMs);
	// A stall that lasts is not worth a call every few seconds: space the calls out as it goes on.
	delay = Math.max(delay, TUNING.stallFraction * progress.stalledMs);
	return clamp(delay, min, max);
}

/** A status answer as Get Status outputs it: enough to suggest when to ask again. */
export interface StatusAnswerOfTask {
	status: string;
	total: number;
	success: number;
	failure: number;
	/** When the task was created, as the API prints it (ISO 8601, sometimes with nanoseconds). */
	created_at?: string;
}

/** Parses the API's timestamps; nanoseconds are cut to milliseconds (Date.parse rejects them). */
export function parseApiTime(text: string | undefined): number | undefined {
	if (text === undefined) return undefined;
	const parsed = Date.parse(text.trim().replace(/(\.\d{3})\d+/, '$1'));
	return Number.isNaN(parsed) ? undefined : parsed;
}

/**
 * When to ask again about a task seen once, for users who build their own loop (Get Status -> IF -> n8n's Wait): the
 * adaptive schedule's delay with the task's age standing in for the samples a wait would have gathered. `undefined`
 * once the task is exported or failed.
 */
export function suggestNextCheckMs(
	task: StatusAnswerOfTask,
	now: number,
	options = DEFAULT_SCHEDULE,
): number | undefined {
	if (isTerminal(task.status)) return undefined;
	const done = task.success + task.failure;
	const current: ProgressSample = { at: now, status: task.status, total: task.total, done };
	const createdAt = parseApiTime(task.created_at);
	const samples: ProgressSample[] =
		createdAt !== undefined && createdAt < now
			? [{ at: createdAt, status: 'pending', total: task.total, done: 0 }, current]
			: [current];
	return nextPollDelay(samples, options);
}
