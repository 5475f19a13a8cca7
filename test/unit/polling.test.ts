import {
	DEFAULT_SCHEDULE,
	estimateRemainingMs,
	nextPollDelay,
	type ProgressSample,
	type ScheduleOptions,
} from '../../nodes/EKycPro/polling/schedule';
import { cancellableSleep } from '../../nodes/EKycPro/polling/cancellableSleep';
import {
	DEFAULT_MAX_CONSECUTIVE_TRANSIENT_ERRORS,
	waitForExport,
	type TaskProgress,
	type WaitLoopDeps,
} from '../../nodes/EKycPro/polling/waitLoop';

const SECOND = 1000;
const MINUTE = 60 * SECOND;

const adaptive: ScheduleOptions = { ...DEFAULT_SCHEDULE, mode: 'adaptive' };

function sample(atSeconds: number, status: string, total: number, done: number): ProgressSample {
	return { at: atSeconds * SECOND, status, total, done };
}

/** Samples of a task that checks `perSecond` numbers a second from `startSeconds`, seen at the given times. */
function steadySamples(total: number, perSecond: number, startSeconds: number, atSeconds: number[]): ProgressSample[] {
	return atSeconds.map((at) =>
		at < startSeconds
			? sample(at, 'pending', 0, 0)
			: sample(at, 'processing', total, Math.min(total - 1, Math.floor((at - startSeconds) * perSecond))),
	);
}

/** Follows the schedule from the given first sample on, asking `statusAt` at every time the schedule picks. */
function follow(
	statusAt: (atMs: number) => Omit<ProgressSample, 'at'>,
	options: ScheduleOptions,
	calls: number,
): { samples: ProgressSample[]; delays: number[] } {
	const samples: ProgressSample[] = [{ at: 0, ...statusAt(0) }];
	const delays: number[] = [];
	while (samples.length < calls) {
		const delay = nextPollDelay(samples, options);
		delays.push(delay);
		const at = samples[samples.length - 1].at + delay;
		samples.push({ at, ...statusAt(at) });
	}
	return { samples, delays };
}

describe('nextPollDelay (adaptive)', () => {
	it('never asks sooner than the minimum nor later than the maximum, whatever the progress', () => {
		const options: ScheduleOptions = { ...adaptive, minIntervalMs: 7 * SECOND, maxIntervalMs: 90 * SECOND };
		const histories: ProgressSample[][] = [
			[],
			[sample(0, 'pending', 0, 0)],
			[sample(0, 'pending', 0, 0), sample(7, 'pending', 0, 0), sample(3600, 'pending', 0, 0)],
			steadySamples(20_000, 11, 10, [0, 30, 600, 1200]),
			steadySamples(20_000, 11, 10, [0, 30, 600, 1200, 1800]),
			steadySamples(100, 5, 0, [0, 5, 10, 18]),
			[sample(0, 'processing', 1000, 10), sample(1, 'processing', 1000, 990)],
			[sample(0, 'processing', 1000, 500), sample(4000, 'processing', 1000, 500)],
			[sample(0, 'processing', 1000, 999), sample(60, 'completed', 1000, 1000)],
			[sample(0, 'completed', 1000, 1000), sample(5000, 'completed', 1000, 1000)],
			[sample(0, 'weird-new-status', 1000, 10), sample(50, 'weird-new-status', 1000, 20)],
		];
		for (const samples of histories) {
			const delay = nextPollDelay(samples, options);
			expect(delay).toBeGreaterThanOrEqual(7 * SECOND);
			expect(delay).toBeLessThanOrEqual(90 * SECOND);
		}
	});

	it('takes a maximum below the minimum as the minimum', () => {
		const options: ScheduleOptions = { ...adaptive, minIntervalMs: 20 * SECOND, maxIntervalMs: 5 * SECOND };
		const samples = steadySamples(20_000, 11, 0, [0, 60, 300]);
		expect(nextPollDelay(samples, options)).toBe(20 * SECOND);
	});

	it('asks rarely while a long task is far from its end', () => {
		// 20,000 numbers at about 11.5 a second: the vendor's 29-minute example, seen 5 minutes in.
		const samples = steadySamples(20_000, 11.5, 20, [0, 5, 20, 60, 120, 300]);
		const delay = nextPollDelay(samples, adaptive);
		expect(delay).toBeGreaterThanOrEqual(3 * MINUTE);
	});

	it('asks rarely even on the first sign of progress, when over ten minutes of work are left', () => {
		// Pending until some time after 60 s; at 300 s 3,000 of 20,000 are done.
		const samples = [sample(0, 'pending', 0, 0), sample(60, 'pending', 0, 0), sample(300, 'processing', 20_000, 3000)];
		expect(estimateRemainingMs(samples)!).toBeGreaterThan(10 * MINUTE);
		expect(nextPollDelay(samples, adaptive)).toBeGreaterThanOrEqual(2 * MINUTE);
	});

	it('lands one call just after the estimated end when the end is near', () => {
		const samples = steadySamples(20_000, 10, 0, [0, 60, 300, 900, 1500, 1960]);
		const remaining = estimateRemainingMs(samples);
		expect(remaining).toBeDefined();
		expect(remaining!).toBeGreaterThan(30 * SECOND);
		expect(remaining!).toBeLessThan(50 * SECOND);
		const delay = nextPollDelay(samples, adaptive);
		expect(delay).toBeGreaterThanOrEqual(remaining!);
		expect(delay).toBeLessThanOrEqual(remaining! + 30 * SECOND);
	});

	it('follows a steady task with long waits early and a short one that lands just after the end', () => {
		// 20,000 numbers at 10 a second: processing ends at 2,000 s.
		const task = (atMs: number) => {
			const done = Math.min(20_000, Math.floor((atMs / SECOND) * 10));
			return { status: done >= 20_000 ? 'completed' : 'processing', total: 20_000, done };
		};
		const { samples, delays } = follow(task, adaptive, 20);
		const firstDone = samples.findIndex((entry) => entry.status === 'completed');
		expect(firstDone).toBeGreaterThan(0);
		expect(samples[firstDone].at).toBeGreaterThanOrEqual(2000 * SECOND);
		expect(samples[firstDone].at).toBeLessThanOrEqual(2000 * SECOND + MINUTE);
		// Few calls for a task of over half an hour; the landing wait is short next to the longest.
		expect(firstDone + 1).toBeLessThanOrEqual(10);
		const landingWait = delays[firstDone - 1];
		expect(Math.max(...delays.slice(0, firstDone))).toBeGreaterThan(3 * landingWait);
	});

	it('backs off geometrically from the minimum while the task is pending with no total', () => {
		const { delays } = follow(() => ({ status: 'pending', total: 0, done: 0 }), adaptive, 10);
		expect(delays[0]).toBe(adaptive.minIntervalMs);
		for (let index = 1; index < delays.length; index++) {
			if (delays[index - 1] >= adaptive.maxIntervalMs) {
				expect(delays[index]).toBe(adaptive.maxIntervalMs);
			} else {
				expect(delays[index]).toBeGreaterThanOrEqual(1.5 * delays[index - 1]);
			}
		}
		expect(delays[delays.length - 1]).toBe(adaptive.maxIntervalMs);
	});

	it('asks soon once processing is over, then a little less often while the file is exported', () => {
		const running = steadySamples(2000, 10, 0, [0, 60, 150]);
		const completedAt = 205;
		const completed = [...running, sample(completedAt, 'completed', 2000, 2000)];
		const first = nextPollDelay(completed, adaptive);
		expect(first).toBeLessThanOrEqual(30 * SECOND);

		// Keep asking while it stays completed: the waits grow, but not faster than doubling, and stay bounded.
		const exporting = [...completed];
		const waits = [first];
		for (let call = 0; call < 8; call++) {
			const at = exporting[exporting.length - 1].at + waits[waits.length - 1];
			exporting.push({ at, status: 'completed', total: 2000, done: 2000 });
			waits.push(nextPollDelay(exporting, adaptive));
		}
		for (let index = 1; index < waits.length; index++) {
			expect(waits[index]).toBeGreaterThanOrEqual(waits[index - 1]);
			expect(waits[index]).toBeLessThanOrEqual(Math.max(2.5 * waits[index - 1], adaptive.minIntervalMs));
		}
		expect(waits[1]).toBeLessThanOrEqual(MINUTE);
		expect(waits[waits.length - 1]).toBeLessThanOrEqual(adaptive.maxIntervalMs);
	});

	it('spaces the calls out the longer progress stays stalled', () => {
		// 19,900 of 20,000 done at 10 a second by 1,990 s, then nothing moves.
		const running = steadySamples(20_000, 10, 0, [0, 60, 300, 900, 1500, 1990]);
		const waits = [60, 600, 1800].map((stalledSeconds) =>
			nextPollDelay([...running, sample(1990 + stalledSeconds, 'processing', 20_000, 19_900)], adaptive),
		);
		expect(waits[1]).toBeGreaterThan(waits[0]);
		expect(waits[2]).toBeGreaterThan(waits[1]);
		expect(waits[2]).toBeGreaterThanOrEqual(0.2 * 1800 * SECOND);
	});
});

describe('nextPollDelay (fixed)', () => {
	it('always waits the fixed interval', () => {
		const options: ScheduleOptions = { ...DEFAULT_SCHEDULE, mode: 'fixed', fixedIntervalMs: 42 * SECOND };
		const histories: ProgressSample[][] = [
			[],
			[sample(0, 'pending', 0, 0)],
			steadySamples(20_000, 10, 0, [0, 60, 1990]),
			[sample(0, 'completed', 10, 10)],
		];
		for (const samples of histories) expect(nextPollDelay(samples, options)).toBe(42 * SECOND);
	});
});

describe('estimateRemainingMs', () => {
	it('has no estimate without a rate to go by', () => {
		expect(estimateRemainingMs([])).toBeUndefined();
		expect(estimateRemainingMs([sample(0, 'pending', 0, 0), sample(30, 'pending', 0, 0)])).toBeUndefined();
		expect(estimateRemainingMs([sample(0, 'pending', 500, 0), sample(30, 'processing', 500, 0)])).toBeUndefined();
		expect(estimateRemainingMs([sample(0, 'processing', 500, 100)])).toBeUndefined();
		expect(estimateRemainingMs([sample(0, 'processing', 500, 100), sample(9, 'failed', 500, 100)])).toBeUndefined();
	});

	it('is 0 once processing is over', () => {
		expect(estimateRemainingMs([sample(0, 'processing', 500, 100), sample(9, 'completed', 500, 500)])).toBe(0);
		expect(estimateRemainingMs([sample(0, 'EXPORTED', 500, 500)])).toBe(0);
	});

	it('follows a steady rate', () => {
		const samples = steadySamples(20_000, 10, 30, [0, 20, 60, 300, 700]);
		const remaining = estimateRemainingMs(samples)!;
		const expected = ((20_000 - (700 - 30) * 10) / 10) * SECOND;
		expect(Math.abs(remaining - expected)).toBeLessThan(0.05 * expected);
	});

	it('goes by the recent rate, not a burst in the first samples', () => {
		const samples = [
			sample(0, 'pending', 0, 0),
			sample(60, 'processing', 20_000, 5000),
			...[1, 2, 3, 4, 5].map((step) => sample(60 + 60 * step, 'processing', 20_000, 5000 + 500 * step)),
		];
		// 12,500 left at 500 a minute: 25 minutes. The average since the start would say 10.
		const remaining = estimateRemainingMs(samples)!;
		expect(Math.abs(remaining - 25 * MINUTE)).toBeLessThan(0.1 * 25 * MINUTE);
	});

	it('leaves a stall in the middle out of the rate once the work has resumed', () => {
		// 10 a second until 600 s, stalled until 1,200 s, 10 a second again: 12,000 left at 1,400 s.
		const samples = [
			...steadySamples(20_000, 10, 0, [0, 60, 300, 600]),
			sample(900, 'processing', 20_000, 6000),
			sample(1200, 'processing', 20_000, 6000),
			sample(1300, 'processing', 20_000, 7000),
			sample(1400, 'processing', 20_000, 8000),
		];
		const remaining = estimateRemainingMs(samples)!;
		expect(Math.abs(remaining - 1200 * SECOND)).toBeLessThan(0.05 * 1200 * SECOND);
	});

	it('is not dragged down by a stall: it assumes the work resumes at its rate', () => {
		// 10 a second until 1,200 s (12,000 done), then stalled for 10 minutes: 8,000 left, 800 s of work.
		const samples = [
			...steadySamples(20_000, 10, 0, [0, 60, 300, 600, 900, 1200]),
			sample(1500, 'processing', 20_000, 12_000),
			sample(1800, 'processing', 20_000, 12_000),
		];
		const remaining = estimateRemainingMs(samples)!;
		expect(Math.abs(remaining - 800 * SECOND)).toBeLessThan(0.05 * 800 * SECOND);
	});
});

/** A clock that only moves when the loop sleeps. */
function fakeClock() {
	let now = 0;
	return {
		now: () => now,
		sleep: async (ms: number) => {
			now += ms;
		},
	};
}

describe('cancellableSleep', () => {
	it('sleeps the whole time in slices of at most the slice length', async () => {
		const clock = fakeClock();
		const sleeps: number[] = [];
		const slept = await cancellableSleep(2500, 1000, {
			sleep: async (ms) => {
				sleeps.push(ms);
				await clock.sleep(ms);
			},
			isCancelled: () => false,
		});
		expect(slept).toBe(true);
		expect(sleeps).toEqual([1000, 1000, 500]);
		expect(clock.now()).toBe(2500);
	});

	it('stops within one slice of a cancellation and says it was cancelled', async () => {
		const clock = fakeClock();
		const slept = await cancellableSleep(10 * MINUTE, 500, {
			sleep: clock.sleep,
			isCancelled: () => clock.now() >= 1200,
		});
		expect(slept).toBe(false);
		expect(clock.now()).toBe(1500);
	});

	it('does not sleep at all when already cancelled', async () => {
		const sleep = jest.fn(async () => {});
		expect(await cancellableSleep(MINUTE, 500, { sleep, isCancelled: () => true })).toBe(false);
		expect(sleep).not.toHaveBeenCalled();
	});

	it('reports a cancellation that came during the last slice', async () => {
		const clock = fakeClock();
		expect(await cancellableSleep(800, 500, { sleep: clock.sleep, isCancelled: () => clock.now() >= 800 })).toBe(false);
		expect(clock.now()).toBe(800);
	});

	it('takes the whole time as one slice when the slice length is not positive', async () => {
		const sleeps: number[] = [];
		const sleep = async (ms: number) => {
			sleeps.push(ms);
		};
		expect(await cancellableSleep(3000, 0, { sleep, isCancelled: () => false })).toBe(true);
		expect(sleeps).toEqual([3000]);
	});

	it('does nothing for a time of 0', async () => {
		const sleep = jest.fn(async () => {});
		expect(await cancellableSleep(0, 500, { sleep, isCancelled: () => false })).toBe(true);
		expect(sleep).not.toHaveBeenCalled();
	});
});

interface ScriptedTask extends TaskProgress {
	task_id: string;
}

function task(status: string, total: number, done: number): ScriptedTask {
	const failure = Math.floor(done / 4);
	return { task_id: 't-1', status, total, success: done - failure, failure };
}

function deps(
	clock: ReturnType<typeof fakeClock>,
	getStatus: () => Promise<ScriptedTask>,
	extra: Partial<WaitLoopDeps<ScriptedTask>> = {},
): WaitLoopDeps<ScriptedTask> {
	return {
		getStatus,
		isTransientError: (error) => error instanceof TransientError,
		now: clock.now,
		sleep: clock.sleep,
		isCancelled: () => false,
		...extra,
	};
}

class TransientError extends Error {}

const fixedMinute: ScheduleOptions = { ...DEFAULT_SCHEDULE, mode: 'fixed', fixedIntervalMs: MINUTE };

describe('waitForExport', () => {
	it('asks at once, follows the task to exported and returns the exported task', async () => {
		const clock = fakeClock();
		const script = [
			task('pending', 0, 0),
			task('processing', 100, 40),
			task('completed', 100, 100),
			{ ...task('exported', 100, 100), result_url: 'https://files.example/r.zip' },
		];
		const callTimes: number[] = [];
		const seen: ProgressSample[] = [];
		const outcome = await waitForExport(
			deps(
				clock,
				async () => {
					callTimes.push(clock.now());
					return script[Math.min(callTimes.length - 1, script.length - 1)];
				},
				{ onPoll: (entry) => seen.push(entry) },
			),
			{ schedule: fixedMinute, maxWaitMs: 60 * MINUTE },
		);
		expect(outcome.kind).toBe('exported');
		expect(outcome.task).toEqual(script[3]);
		expect(outcome.polls).toBe(4);
		expect(callTimes).toEqual([0, MINUTE, 2 * MINUTE, 3 * MINUTE]);
		expect(outcome.waitedMs).toBe(3 * MINUTE);
		expect(seen.map((entry) => [entry.status, entry.total, entry.done])).toEqual([
			['pending', 0, 0],
			['processing', 100, 40],
			['completed', 100, 100],
			['exported', 100, 100],
		]);
	});

	it('reads the status whatever its case', async () => {
		const clock = fakeClock();
		const outcome = await waitForExport(
			deps(clock, async () => task(' Exported ', 5, 5)),
			{ schedule: fixedMinute, maxWaitMs: MINUTE },
		);
		expect(outcome.kind).toBe('exported');
		expect(outcome.polls).toBe(1);
	});

	it('ends with the failed task when the server says failed', async () => {
		const clock = fakeClock();
		let calls = 0;
		const outcome = await waitForExport(
			deps(clock, async () => (++calls < 3 ? task('processing', 100, calls * 10) : task('failed', 100, 20))),
			{ schedule: fixedMinute, maxWaitMs: 60 * MINUTE },
		);
		expect(outcome).toEqual({ kind: 'failed', task: task('failed', 100, 20), polls: 3, waitedMs: 2 * MINUTE });
	});

	it('times out at the deadline with the last progress seen, the last wait shortened to meet it', async () => {
		const clock = fakeClock();
		const callTimes: number[] = [];
		const outcome = await waitForExport(
			deps(clock, async () => {
				callTimes.push(clock.now());
				return task('processing', 1000, callTimes.length * 7);
			}),
			{ schedule: fixedMinute, maxWaitMs: 150 * SECOND },
		);
		expect(outcome.kind).toBe('timeout');
		expect(callTimes).toEqual([0, MINUTE, 2 * MINUTE, 150 * SECOND]);
		expect(outcome.waitedMs).toBe(150 * SECOND);
		expect(outcome.task).toEqual(task('processing', 1000, 28));
		expect(outcome.polls).toBe(4);
	});

	it('times out with no task when no call succeeded', async () => {
		const clock = fakeClock();
		const outcome = await waitForExport(
			deps(clock, async () => {
				throw new TransientError('503');
			}),
			{ schedule: fixedMinute, maxWaitMs: 3 * MINUTE },
		);
		expect(outcome.kind).toBe('timeout');
		expect(outcome.task).toBeUndefined();
		expect(outcome.waitedMs).toBe(3 * MINUTE);
	});

	it('notices cancellation within one sleep slice', async () => {
		const clock = fakeClock();
		const cancelAt = 12_300;
		const sleeps: number[] = [];
		const outcome = await waitForExport(
			deps(clock, async () => task('processing', 1000, 10), {
				isCancelled: () => clock.now() >= cancelAt,
				sleep: async (ms) => {
					sleeps.push(ms);
					await clock.sleep(ms);
				},
			}),
			{
				schedule: { ...DEFAULT_SCHEDULE, mode: 'fixed', fixedIntervalMs: 5 * MINUTE },
				maxWaitMs: 60 * MINUTE,
				sliceMs: 2000,
			},
		);
		expect(outcome.kind).toBe('cancelled');
		expect(outcome.polls).toBe(1);
		expect(outcome.task).toEqual(task('processing', 1000, 10));
		expect(outcome.waitedMs).toBeGreaterThanOrEqual(cancelAt);
		expect(outcome.waitedMs).toBeLessThanOrEqual(cancelAt + 2000);
		expect(Math.max(...sleeps)).toBeLessThanOrEqual(2000);
	});

	it('never calls more than once a second, even with intervals of 0', async () => {
		const clock = fakeClock();
		const callTimes: number[] = [];
		const outcome = await waitForExport(
			deps(clock, async () => {
				callTimes.push(clock.now());
				return task('processing', 1000, 1);
			}),
			{ schedule: { ...DEFAULT_SCHEDULE, mode: 'fixed', fixedIntervalMs: 0 }, maxWaitMs: 3 * SECOND },
		);
		expect(outcome.kind).toBe('timeout');
		expect(callTimes).toEqual([0, SECOND, 2 * SECOND, 3 * SECOND]);
	});

	it('does not call at all when already cancelled', async () => {
		const clock = fakeClock();
		const getStatus = jest.fn(async () => task('processing', 1, 0));
		const outcome = await waitForExport(deps(clock, getStatus, { isCancelled: () => true }), {
			schedule: fixedMinute,
			maxWaitMs: MINUTE,
		});
		expect(outcome).toEqual({ kind: 'cancelled', task: undefined, polls: 0, waitedMs: 0 });
		expect(getStatus).not.toHaveBeenCalled();
	});

	it('retries transient errors and carries on to the export', async () => {
		const clock = fakeClock();
		let calls = 0;
		const outcome = await waitForExport(
			deps(clock, async () => {
				calls++;
				if (calls === 2 || calls === 3 || calls === 4) throw new TransientError('502 Bad Gateway');
				return calls < 6 ? task('processing', 100, calls * 10) : task('exported', 100, 100);
			}),
			{ schedule: adaptive, maxWaitMs: 60 * MINUTE },
		);
		expect(outcome.kind).toBe('exported');
		expect(outcome.polls).toBe(6);
	});

	it('gives up with the error after a run of transient errors without a success', async () => {
		const clock = fakeClock();
		let calls = 0;
		const promise = waitForExport(
			deps(clock, async () => {
				calls++;
				throw new TransientError(`429 number ${calls}`);
			}),
			{ schedule: adaptive, maxWaitMs: 48 * 60 * MINUTE },
		);
		await expect(promise).rejects.toThrow(`429 number ${DEFAULT_MAX_CONSECUTIVE_TRANSIENT_ERRORS}`);
		expect(calls).toBe(DEFAULT_MAX_CONSECUTIVE_TRANSIENT_ERRORS);
	});

	it('counts the transient errors in a row only: a success starts the count again', async () => {
		const clock = fakeClock();
		let calls = 0;
		const outcome = await waitForExport(
			deps(clock, async () => {
				calls++;
				if (calls === 25) return task('processing', 100, 50);
				if (calls === 50) return task('exported', 100, 100);
				throw new TransientError('500');
			}),
			{ schedule: { ...adaptive, maxIntervalMs: MINUTE }, maxWaitMs: 48 * 60 * MINUTE },
		);
		expect(outcome.kind).toBe('exported');
		expect(outcome.polls).toBe(50);
	});

	it('rethrows any other error at once', async () => {
		const clock = fakeClock();
		const unauthorised = new Error('401 Unauthorized');
		const getStatus = jest.fn(async (): Promise<ScriptedTask> => {
			throw unauthorised;
		});
		await expect(waitForExport(deps(clock, getStatus), { schedule: adaptive, maxWaitMs: 60 * MINUTE })).rejects.toBe(
			unauthorised,
		);
		expect(getStatus).toHaveBeenCalledTimes(1);
	});

	/** A 30-minute task: pending, then processing with a stall midway, then 40 s of export. */
	function thirtyMinuteTask(stall: boolean) {
		const total = 20_000;
		const pendingUntil = stall ? 180 : 36;
		const stallFrom = 900;
		const stallFor = stall ? 360 : 0;
		const processedAt = 1800;
		const exportedAt = processedAt + 40;
		const workSeconds = processedAt - pendingUntil - stallFor;
		return {
			exportedAt: exportedAt * SECOND,
			statusAt(atMs: number): ScriptedTask {
				const at = atMs / SECOND;
				if (at < pendingUntil) return task('pending', 0, 0);
				if (at >= exportedAt) return task('exported', total, total);
				if (at >= processedAt) return task('completed', total, total);
				let busy = at - pendingUntil;
				if (at > stallFrom) busy -= Math.min(stallFor, at - stallFrom);
				return task('processing', total, Math.min(total - 1, Math.floor((busy / workSeconds) * total)));
			},
		};
	}

	it.each([
		['steady', false],
		['stalling', true],
	])('follows a %s 30-minute task with at most 15 status calls and sees its end within a minute', async (_, stall) => {
		const clock = fakeClock();
		const simulated = thirtyMinuteTask(stall);
		const outcome = await waitForExport(
			deps(clock, async () => simulated.statusAt(clock.now())),
			{ schedule: DEFAULT_SCHEDULE, maxWaitMs: 6 * 60 * MINUTE, sliceMs: MINUTE },
		);
		expect(outcome.kind).toBe('exported');
		expect(outcome.polls).toBeLessThanOrEqual(15);
		expect(outcome.waitedMs - simulated.exportedAt).toBeLessThanOrEqual(MINUTE);
	});
});
