/**
 * What a finished wait gives: pure functions from one task's outcome to items, and the collector that puts items on
 * the Wait node's two outputs in the order users expect.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { mergeNotFinished, mergeResult } from '../ekycproField';
import type { WaitOutcome } from '../polling/waitLoop';
import type { ResultRow } from '../results';
import type { EKycTask } from '../transport/types';
import type { TaskGroup } from './groupByTask';

export type NotFinishedOutcome = Exclude<WaitOutcome<EKycTask>, { kind: 'exported' }>;

/** The task's id, check and progress as the wait last saw them. */
export function progressSummary(outcome: WaitOutcome<EKycTask>, group: TaskGroup): IDataObject {
	const task = outcome.task;
	return {
		task_id: group.taskId,
		check: group.check.id,
		status: task?.status ?? 'unknown',
		total: task?.total ?? null,
		success: task?.success ?? null,
		failure: task?.failure ?? null,
		progress: task?.progress ?? null,
		polls: outcome.polls,
		waited_seconds: Math.round(outcome.waitedMs / 1000),
	};
}

function formatMinutes(ms: number): string {
	const minutes = Math.round((ms / 60_000) * 10) / 10;
	return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}

export function notFinishedReason(outcome: NotFinishedOutcome, group: TaskGroup, maxWaitMs: number): string {
	return outcome.kind === 'failed'
		? `Task ${group.taskId} failed on eKYCPro's side`
		: `Task ${group.taskId} was not exported within ${formatMinutes(maxWaitMs)}`;
}

/** The Not Finished item's fields: the summary, whether eKYCPro failed the task, and why it came out here. */
export function notFinishedJson(outcome: NotFinishedOutcome, group: TaskGroup, maxWaitMs: number): IDataObject {
	return {
		...progressSummary(outcome, group),
		failed: outcome.kind === 'failed',
		reason: notFinishedReason(outcome, group, maxWaitMs),
	};
}

export const DONE = 0;
export const NOT_FINISHED = 1;
type Output = typeof DONE | typeof NOT_FINISHED;

/**
 * The Wait node's outputs: Done and Not Finished, with Check Again before them in park mode. Result rows (rows mode)
 * and Not Finished summaries come in task order; items placed by their input index (enriched items, and error items
 * under Continue On Fail) come in input order, after the rows.
 */
export class WaitOutputs {
	/** Park mode: the items of tasks still running, to loop back into the node. */
	readonly checkAgain: INodeExecutionData[] = [];
	readonly rows: INodeExecutionData[] = [];
	/** Result rows output so far (rows mode), for Max Rows as Items. */
	resultRows = 0;
	private readonly summaries: INodeExecutionData[] = [];
	private readonly byInput = new Map<number, { output: Output; item: INodeExecutionData }>();

	/** An item that stands for input item `itemIndex` (one per input item at most). */
	place(itemIndex: number, output: Output, item: INodeExecutionData): void {
		this.byInput.set(itemIndex, { output, item });
	}

	/** Rows mode: one Not Finished item for the task. */
	addSummary(group: TaskGroup, json: IDataObject): void {
		this.summaries.push({ json, pairedItem: group.itemIndexes.map((item) => ({ item })) });
	}

	/** Enrich mode: each item of the task with its own result merged in. */
	addEnriched(items: INodeExecutionData[], group: TaskGroup, byNumber: ReadonlyMap<string, ResultRow>): void {
		for (const index of group.itemIndexes) this.place(index, DONE, mergeResult(items[index], index, byNumber));
	}

	/** Enrich mode: each item of the task with the Not Finished summary merged in. */
	addEnrichedNotFinished(items: INodeExecutionData[], group: TaskGroup, json: IDataObject): void {
		for (const index of group.itemIndexes) this.place(index, NOT_FINISHED, mergeNotFinished(items[index], index, json));
	}

	/** Once, at the end (the row list is handed over, not copied: it can hold a million rows). */
	toNodeOutput(park: boolean): INodeExecutionData[][] {
		const outputs: INodeExecutionData[][] = [this.rows, this.summaries];
		const placed = [...this.byInput.entries()].sort(([a], [b]) => a - b);
		for (const [, { output, item }] of placed) outputs[output].push(item);
		return park ? [this.checkAgain, ...outputs] : outputs;
	}
}
