/**
 * Park mode: one pass of the loop "Check Again -> this node". Each pass asks for the status of each task that is due
 * once; finished tasks leave on Done / Not Finished, the rest go out on Check Again with what the wait has seen so
 * far. When no task is due, the pass sleeps in-process if the next check is close (n8n resumes parked executions
 * only about once a minute) or parks the execution until then, holding no worker slot.
 */
import { sleep } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { readWaitState, withWaitState } from '../ekycproField';
import type { WaitStateField } from '../ekycproField';
import { toNodeError } from '../helpers/nodeErrors';
import { cancellableSleep } from '../polling/cancellableSleep';
import { recordStatus, startWait } from '../polling/waitLoop';
import type { StatusAnswer, WaitOutcome, WaitProgress } from '../polling/waitLoop';
import { isTransientApiError, retryAfterOf } from '../transport/http';
import type { ApiSession } from '../transport/http';
import { getTask } from '../transport/tasks';
import type { EKycTask } from '../transport/types';
import type { TaskGroup } from './groupByTask';
import { assertCanPark } from './loopCheck';
import type { WaitOutputs } from './outcomes';
import type { WaitParameters } from './parameters';

/** n8n resumes parked executions from a check every 60 s for those due within 70 s: shorter waits sleep here. */
export const PARK_FROM_MS = 65_000;
const SLEEP_SLICE_MS = 1_000;
/** A check due within this is made now: timers may fire a little early, and a pass per millisecond helps nobody. */
const DUE_WITHIN_MS = 1_000;

/** A task's wait as the items carry it. */
interface TaskWait {
	progress: WaitProgress<EKycTask>;
	nextCheckAt: number;
}

function fromState(state: WaitStateField): TaskWait {
	return {
		progress: {
			startedAt: state.started_at,
			polls: state.polls,
			transientInRow: state.transient_in_row ?? 0,
			samples: state.samples.map(([at, status, total, done]) => ({ at, status, total, done })),
			lastTask: state.last_task as EKycTask | undefined,
		},
		nextCheckAt: state.next_check_at,
	};
}

function toState(wait: TaskWait): WaitStateField {
	const { progress } = wait;
	const state: WaitStateField = {
		started_at: progress.startedAt,
		polls: progress.polls,
		transient_in_row: progress.transientInRow,
		next_check_at: wait.nextCheckAt,
		samples: progress.samples.map((s) => [s.at, s.status, s.total, s.done]),
	};
	// The result link expires and is fetched again when the task is exported: not worth storing on every pass.
	if (progress.lastTask) {
		const task: IDataObject = { ...progress.lastTask };
		delete task.result_url;
		state.last_task = task;
	}
	return state;
}

/** The wait of a group: from the first of its items that carries one, else a new wait that is due now. */
function waitOf(items: INodeExecutionData[], group: TaskGroup, now: number): TaskWait {
	for (const index of group.itemIndexes) {
		const state = readWaitState(items[index]);
		if (state) return fromState(state);
	}
	return { progress: startWait<EKycTask>(now), nextCheckAt: now };
}

/** The group's items on Check Again: the wait on the first, none on the others (it is stored once per task). */
function checkAgain(items: INodeExecutionData[], group: TaskGroup, wait: TaskWait, outputs: WaitOutputs): void {
	group.itemIndexes.forEach((index, position) =>
		outputs.checkAgain.push(withWaitState(items[index], index, position === 0 ? toState(wait) : undefined)),
	);
}

export type PassOutcome = WaitOutcome<EKycTask> | { kind: 'error'; error: unknown } | { kind: 'waiting' };

/**
 * One pass. Returns an outcome per group: finished ones for the caller to emit, `waiting` for groups whose items are
 * already on Check Again.
 */
export async function runParkPass(
	ctx: IExecuteFunctions,
	session: ApiSession,
	items: INodeExecutionData[],
	groups: TaskGroup[],
	parameters: WaitParameters,
	outputs: WaitOutputs,
	continueOnFail: boolean,
): Promise<PassOutcome[]> {
	if (groups.length === 0) return [];
	assertCanPark(
		ctx,
		groups.map((group) => group.taskId),
	);
	const waits = groups.map((group) => waitOf(items, group, Date.now()));
	const waiting = (): PassOutcome[] => {
		groups.forEach((group, g) => checkAgain(items, group, waits[g], outputs));
		return groups.map(() => ({ kind: 'waiting' }));
	};

	const earliest = Math.min(...waits.map((wait) => wait.nextCheckAt));
	const untilDue = earliest - Date.now();
	const isDue = (wait: TaskWait) => wait.nextCheckAt - Date.now() <= DUE_WITHIN_MS;
	if (untilDue >= PARK_FROM_MS) {
		// n8n drops what this pass returns and, on resume, sends this pass's input on Check Again: the items as
		// they came, with their waits. Returning them here too keeps a manual test run readable.
		await ctx.putExecutionToWait(new Date(earliest));
		return waiting();
	}
	if (untilDue > DUE_WITHIN_MS) {
		const signal = ctx.getExecutionCancelSignal?.();
		const slept = await cancellableSleep(untilDue, SLEEP_SLICE_MS, {
			sleep: async (ms) => await sleep(ms),
			isCancelled: () => signal?.aborted === true,
		});
		if (!slept) {
			return waits.map(({ progress }) => ({
				kind: 'cancelled',
				task: progress.lastTask,
				polls: progress.polls,
				waitedMs: Date.now() - progress.startedAt,
			}));
		}
	}

	const stepOptions = {
		schedule: parameters.schedule,
		maxWaitMs: parameters.maxWaitMs,
		isTransientError: isTransientApiError,
		retryAfterMs: retryAfterOf,
	};
	return await Promise.all(
		groups.map(async (group, g): Promise<PassOutcome> => {
			const wait = waits[g];
			if (!isDue(wait)) {
				checkAgain(items, group, wait, outputs);
				return { kind: 'waiting' };
			}
			let answer: StatusAnswer<EKycTask>;
			try {
				answer = { ok: true, task: await getTask(session, group.check, group.taskId, group.itemIndexes[0], 'once') };
			} catch (error) {
				answer = { ok: false, error };
			}
			try {
				const now = Date.now();
				const step = recordStatus(wait.progress, answer, now, stepOptions);
				if (step.kind !== 'again') return step;
				wait.nextCheckAt = Math.ceil(now + step.delayMs);
				checkAgain(items, group, wait, outputs);
				return { kind: 'waiting' };
			} catch (error) {
				if (continueOnFail) return { kind: 'error', error };
				throw toNodeError(ctx.getNode(), error, group.itemIndexes[0]);
			}
		}),
	);
}
