/**
 * Simulated eKYCPro tasks on a simulated clock, and the wait loop run against them (nothing really sleeps).
 *
 * Task shapes (the duration runs from creation to the end of processing; an export phase follows):
 *   steady    pending for 2% of the duration (total 0 meanwhile), then even progress;
 *   stalling  pending for 10% (a slow start), progress that stops for 20% of the duration midway, then resumes;
 *   bursty    pending for 5%, counts that move in 10 jumps (a server that updates them in batches);
 *   queued    pending for half the duration (a busy queue), then even progress;
 *   wavy      pending for 5%, a rate that swings between 60% and 140% of its mean three times (a shared server);
 *   speeding  pending for 5%, then the rate triples halfway through the time (the server got less busy);
 *   straggling pending for 5%, 95% of the numbers in the first 60% of the time, the last 5% in the other 40%.
 */

import type { ScheduleOptions } from '../../nodes/EKycPro/polling/schedule';
import { waitForExport, type TaskProgress } from '../../nodes/EKycPro/polling/waitLoop';

export type Shape = 'steady' | 'stalling' | 'bursty' | 'queued' | 'wavy' | 'speeding' | 'straggling';

export interface Scenario {
	durationMs: number;
	shape: Shape;
	/** From the end of processing (`completed`) to `exported`. */
	exportMs: number;
}

export interface SimulatedTask {
	/** When `exported` first shows. */
	exportedAt: number;
	statusAt(at: number): TaskProgress;
}

/** The vendor's example: 20,000 numbers in about 29 minutes. */
const NUMBERS_PER_SECOND = 20_000 / (29 * 60);

const PENDING_FRACTION: Record<Shape, number> = {
	steady: 0.02,
	stalling: 0.1,
	bursty: 0.05,
	queued: 0.5,
	wavy: 0.05,
	speeding: 0.05,
	straggling: 0.05,
};

export function simulateTask({ durationMs, shape, exportMs }: Scenario): SimulatedTask {
	const total = Math.max(20, Math.round((durationMs / 1000) * NUMBERS_PER_SECOND));
	const pendingMs = durationMs * PENDING_FRACTION[shape];
	const stallMs = shape === 'stalling' ? durationMs * 0.2 : 0;
	const workMs = durationMs - pendingMs - stallMs;
	const exportedAt = durationMs + exportMs;

	/** Fraction of the numbers done `sinceStart` ms after processing started; the stall does no work. */
	const fractionDone = (sinceStart: number): number => {
		let busy = sinceStart;
		const stallStart = workMs / 2;
		if (stallMs > 0 && sinceStart > stallStart) busy = Math.max(stallStart, sinceStart - stallMs);
		if (shape === 'wavy') {
			// The integral of a rate 1 + 0.4 sin(2 pi t / period), with three whole periods in the work.
			const period = workMs / 3;
			busy += ((0.4 * period) / (2 * Math.PI)) * (1 - Math.cos((2 * Math.PI * busy) / period));
		}
		if (shape === 'speeding') {
			// A quarter of the work in the first half of the time, three quarters in the second.
			const half = workMs / 2;
			busy = busy <= half ? busy / 2 : half / 2 + ((busy - half) * 3) / 2;
		}
		if (shape === 'straggling') {
			// 95% of the work in the first 60% of the time, the last 5% in the rest.
			const fast = workMs * 0.6;
			const share = busy <= fast ? (busy / fast) * 0.95 : 0.95 + ((busy - fast) / (workMs - fast)) * 0.05;
			busy = share * workMs;
		}
		const fraction = Math.min(1, busy / workMs);
		return shape === 'bursty' ? Math.floor(fraction * 10) / 10 : fraction;
	};

	return {
		exportedAt,
		statusAt(at: number): TaskProgress {
			if (at < pendingMs) return { status: 'pending', total: 0, success: 0, failure: 0 };
			if (at < durationMs) {
				const done = Math.min(total - 1, Math.floor(total * fractionDone(at - pendingMs)));
				const failure = Math.floor(done / 7);
				return { status: 'processing', total, success: done - failure, failure };
			}
			const failure = Math.floor(total / 7);
			return { status: at < exportedAt ? 'completed' : 'exported', total, success: total - failure, failure };
		},
	};
}

export interface RunResult {
	kind: string;
	/** Status calls from creation to the exported answer. */
	calls: number;
	/** Ms between the export and the call that saw it. */
	lateMs: number;
}

/** Runs the real wait loop, starting at the task's creation, with the status calls answered by the simulation. */
export async function runScenario(scenario: Scenario, schedule: ScheduleOptions): Promise<RunResult> {
	const task = simulateTask(scenario);
	let clock = 0;
	const outcome = await waitForExport(
		{
			getStatus: async () => task.statusAt(clock),
			isTransientError: () => false,
			now: () => clock,
			sleep: async (ms: number) => {
				clock += ms;
			},
			isCancelled: () => false,
		},
		// One slice per sleep: the bench does not test cancellation, and fewer awaits keep it fast.
		{ schedule, maxWaitMs: 24 * 3600_000, sliceMs: 24 * 3600_000 },
	);
	return { kind: outcome.kind, calls: outcome.polls, lateMs: clock - task.exportedAt };
}
