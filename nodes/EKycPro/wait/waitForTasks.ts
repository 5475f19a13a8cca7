import { NodeOperationError, sleep } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { checkFromId } from '../checks';
import type { CheckDefinition } from '../checks';
import { readResultOutputSettings } from '../actions/downloadResult.operation';
import { errorItem, toNodeError } from '../helpers/errors';
import { loadResult } from '../helpers/resultFile';
import { normalisePhoneNumber } from '../numbers';
import { DEFAULT_SCHEDULE } from '../polling/schedule';
import type { ScheduleOptions } from '../polling/schedule';
import { waitForExport } from '../polling/waitLoop';
import type { WaitOutcome } from '../polling/waitLoop';
import type { ResultRow } from '../results';
import { isTransientApiError, openSession } from '../transport/http';
import type { ApiSession } from '../transport/http';
import { getTask, validateTaskId } from '../transport/tasks';
import type { EKycTask } from '../transport/types';

interface TaskGroup {
	check: CheckDefinition;
	taskId: string;
	/** Input items that carry this task, in input order. */
	itemIndexes: number[];
}

interface PollingParameters {
	schedule?: 'adaptive' | 'fixed';
	minIntervalSeconds?: number;
	maxIntervalSeconds?: number;
	fixedIntervalSeconds?: number;
	maxWaitMinutes?: number;
	onTimeout?: 'output' | 'error';
}

export const DEFAULT_MAX_WAIT_MINUTES = 120;

function scheduleFrom(parameters: PollingParameters): ScheduleOptions {
	const seconds = (value: number | undefined, fallbackMs: number) =>
		value === undefined || !Number.isFinite(value) || value <= 0 ? fallbackMs : value * 1000;
	const minIntervalMs = seconds(parameters.minIntervalSeconds, DEFAULT_SCHEDULE.minIntervalMs);
	return {
		mode: parameters.schedule ?? DEFAULT_SCHEDULE.mode,
		minIntervalMs,
		maxIntervalMs: Math.max(minIntervalMs, seconds(parameters.maxIntervalSeconds, DEFAULT_SCHEDULE.maxIntervalMs)),
		fixedIntervalMs: seconds(parameters.fixedIntervalSeconds, DEFAULT_SCHEDULE.fixedIntervalMs),
	};
}

/**
 * Groups the input items by the task they carry: one poll loop per distinct task, however many items carry it.
 * An item that names no valid task throws, or under Continue On Fail is handed to `onInvalid` and left out.
 */
function groupByTask(
	ctx: IExecuteFunctions,
	session: ApiSession,
	items: INodeExecutionData[],
	onInvalid: ((itemIndex: number, error: unknown) => void) | undefined,
): TaskGroup[] {
	const groups = new Map<string, TaskGroup>();
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			const checkValue = String(ctx.getNodeParameter('check', itemIndex, '') ?? '');
			const resolved = checkFromId(checkValue);
			if ('error' in resolved) {
				throw new NodeOperationError(ctx.getNode(), `Item ${itemIndex} does not say which check its task is: ${resolved.error}`, {
					itemIndex,
					description:
						'Connect this node after eKYCPro Create Task (its output carries task_id and check), or set Check and Task ID by hand.',
				});
			}
			const taskId = validateTaskId(session, ctx.getNodeParameter('taskId', itemIndex), itemIndex);
			const key = `${resolved.check.id}\u0000${taskId}`;
			const group = groups.get(key);
			if (group) group.itemIndexes.push(itemIndex);
			else groups.set(key, { check: resolved.check, taskId, itemIndexes: [itemIndex] });
		} catch (error) {
			if (!onInvalid) throw toNodeError(ctx.getNode(), error, itemIndex);
			onInvalid(itemIndex, error);
		}
	}
	return [...groups.values()];
}

function progressSummary(outcome: WaitOutcome<EKycTask>, group: TaskGroup): IDataObject {
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

/** The E.164 numbers an enrichment item carries (from Create Task's "Input Items With Their Numbers" output). */
function numbersOfItem(item: INodeExecutionData): string[] {
	const ekycpro = item.json.ekycpro as IDataObject | undefined;
	if (!ekycpro) return [];
	if (typeof ekycpro.number === 'string') return [ekycpro.number];
	if (Array.isArray(ekycpro.numbers)) return ekycpro.numbers.filter((n): n is string => typeof n === 'string');
	return [];
}

/** Result rows by E.164 number; the number column may read `number`, `phone` or be the first column. */
function indexRows(rows: ResultRow[]): Map<string, ResultRow> {
	const byNumber = new Map<string, ResultRow>();
	for (const row of rows) {
		const raw = row.number ?? row.phone ?? Object.values(row)[0];
		if (raw === null || raw === undefined || raw === '') continue;
		// Result files hold E.164 numbers, sometimes without their "+".
		const text = String(raw).trim();
		const normalised = normalisePhoneNumber(text.startsWith('+') ? text : `+${text}`);
		if (normalised.ok && !byNumber.has(normalised.e164)) byNumber.set(normalised.e164, row);
	}
	return byNumber;
}

function enrichItem(item: INodeExecutionData, itemIndex: number, byNumber: Map<string, ResultRow>): INodeExecutionData {
	const ekycpro: IDataObject = { ...((item.json.ekycpro as IDataObject | undefined) ?? {}) };
	const numbers = numbersOfItem(item);
	if (numbers.length === 0) {
		ekycpro.found = false;
		ekycpro.reason = Array.isArray(ekycpro.rejected)
			? `The number was not sent: ${(ekycpro.rejected as IDataObject[]).map((r) => r.reason).join('; ')}`
			: 'The item carries no number (connect Create Task with Output "Input Items With Their Numbers")';
	} else {
		const results = numbers.map((number) => byNumber.get(number));
		const found = results.filter((row): row is ResultRow => row !== undefined);
		ekycpro.found = found.length > 0;
		if (numbers.length === 1) ekycpro.result = found[0] ?? null;
		else ekycpro.results = numbers.map((number, i) => ({ number, result: results[i] ?? null }));
		if (found.length < numbers.length) {
			const missing = numbers.filter((_, i) => results[i] === undefined);
			ekycpro.reason = `Not in the result file: ${missing.join(', ')}`;
		}
	}
	return { json: { ...item.json, ekycpro }, binary: item.binary, pairedItem: { item: itemIndex } };
}

/**
 * The eKYCPro Wait node: polls each distinct task until it is exported, then emits its rows (or the input items
 * with their results merged in). Tasks that run out of time, fail or are cancelled come out on the second output
 * with their id and progress, or as an error carrying them, so paid work is never lost.
 */
export async function waitForTasks(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const session = await openSession(this);
	const mode = this.getNodeParameter('mode', 0) as 'rows' | 'enrich';
	const polling = this.getNodeParameter('polling', 0, {}) as PollingParameters;
	const schedule = scheduleFrom(polling);
	const maxWaitMs = (polling.maxWaitMinutes ?? DEFAULT_MAX_WAIT_MINUTES) * 60_000;
	const onTimeout = polling.onTimeout ?? 'output';
	const signal = this.getExecutionCancelSignal?.();

	// Under Continue On Fail, an item whose task cannot be waited for or read comes out as an error item (on the
	// first output, where n8n looks for them) and the other tasks go on; their results are paid for.
	const continueOnFail = this.continueOnFail();
	const failed = new Map<number, INodeExecutionData>();
	const fail = (itemIndex: number, error: unknown) =>
		failed.set(itemIndex, errorItem(this.getNode(), error, { item: itemIndex }, itemIndex));

	const groups = groupByTask(this, session, items, continueOnFail ? fail : undefined);
	// When one task's wait fails, the others stop too instead of polling on in the background (unless they go on).
	let stopped = false;
	const outcomes = await Promise.all(
		groups.map(async (group): Promise<WaitOutcome<EKycTask> | { kind: 'error'; error: unknown }> =>
			await waitForExport<EKycTask>(
				{
					getStatus: async () => await getTask(session, group.check, group.taskId, group.itemIndexes[0]),
					isTransientError: isTransientApiError,
					now: () => Date.now(),
					sleep: async (ms) => await sleep(ms),
					isCancelled: () => stopped || signal?.aborted === true,
					onPoll: (sample) =>
						this.logger?.debug(`eKYCPro task ${group.taskId}: ${sample.status} ${sample.done}/${sample.total}`),
				},
				{ schedule, maxWaitMs },
			).catch((error: unknown) => {
				if (continueOnFail) return { kind: 'error' as const, error };
				stopped = true;
				throw toNodeError(this.getNode(), error, group.itemIndexes[0]);
			}),
		),
	);

	// Enriched items are collected by input index and emitted in input order, whichever task they carried.
	const done: INodeExecutionData[] = [];
	const notFinished: INodeExecutionData[] = [];
	const enrichedDone = new Map<number, INodeExecutionData>();
	const enrichedNotFinished = new Map<number, INodeExecutionData>();

	/** The items one task gives: its rows (or enriched items), or its Not Finished summary. */
	const emitGroup = async (group: TaskGroup, outcome: WaitOutcome<EKycTask>): Promise<void> => {
		const pairedItem = group.itemIndexes.map((item) => ({ item }));
		if (outcome.kind !== 'exported') {
			const summary = progressSummary(outcome, group);
			const reason =
				outcome.kind === 'failed'
					? `Task ${group.taskId} failed on eKYCPro's side`
					: `Task ${group.taskId} was not exported within ${formatMinutes(maxWaitMs)}`;
			if (onTimeout === 'error') {
				throw new NodeOperationError(this.getNode(), reason, {
					itemIndex: group.itemIndexes[0],
					description: `The task is paid and keeps its results: ${JSON.stringify(summary)}. Collect it later with the eKYCPro node (Get Status, Download Result) and this task ID.`,
				});
			}
			const json = { ...summary, failed: outcome.kind === 'failed', reason };
			if (mode === 'enrich') {
				for (const itemIndex of group.itemIndexes) {
					const ekycpro = { ...((items[itemIndex].json.ekycpro as IDataObject | undefined) ?? {}), ...json };
					enrichedNotFinished.set(itemIndex, { json: { ...items[itemIndex].json, ekycpro }, binary: items[itemIndex].binary, pairedItem: { item: itemIndex } });
				}
			} else {
				notFinished.push({ json, pairedItem });
			}
			return;
		}
		const itemIndex = group.itemIndexes[0];
		if (mode === 'enrich') {
			const result = await loadResult(this, session, group.check, outcome.task, itemIndex, {
				rows: true,
				simplify: this.getNodeParameter('simplify', 0, true) as boolean,
				binary: false,
			});
			const byNumber = indexRows(result.rows);
			for (const index of group.itemIndexes) enrichedDone.set(index, enrichItem(items[index], index, byNumber));
			return;
		}
		const output = readResultOutputSettings(this, 0);
		const result = await loadResult(this, session, group.check, outcome.task, itemIndex, {
			rows: output.output !== 'file',
			simplify: output.simplify,
			limit: output.limit,
			binary: output.output !== 'rows',
		});
		if (result.binary) {
			done.push({
				json: { ...progressSummary(outcome, group), fileName: result.fileName, fileSize: result.bytes, rows: result.rows.length },
				binary: { [output.binaryPropertyName]: result.binary },
				pairedItem,
			});
		}
		for (const row of result.rows) done.push({ json: row, pairedItem });
	};

	for (let g = 0; g < groups.length; g++) {
		const group = groups[g];
		const outcome = outcomes[g];
		if (outcome.kind === 'cancelled') {
			throw new NodeOperationError(this.getNode(), `Waiting for task ${group.taskId} was cancelled`, {
				description: `Task ${group.taskId} (${group.check.name}) goes on at eKYCPro; read it later with Get Status / Download Result.`,
			});
		}
		// Only under Continue On Fail does a wait end in an error outcome; otherwise it threw above.
		if (outcome.kind === 'error') {
			for (const itemIndex of group.itemIndexes) fail(itemIndex, outcome.error);
			continue;
		}
		try {
			await emitGroup(group, outcome);
		} catch (error) {
			if (!continueOnFail) throw toNodeError(this.getNode(), error, group.itemIndexes[0]);
			for (const itemIndex of group.itemIndexes) fail(itemIndex, error);
		}
	}
	const inInputOrder = (byIndex: Map<number, INodeExecutionData>) =>
		[...byIndex.entries()].sort(([a], [b]) => a - b).map(([, item]) => item);
	if (mode === 'enrich') {
		for (const [itemIndex, item] of failed) enrichedDone.set(itemIndex, item);
		return [inInputOrder(enrichedDone), inInputOrder(enrichedNotFinished)];
	}
	return [[...done, ...inInputOrder(failed)], notFinished];
}
