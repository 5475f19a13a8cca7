/**
 * The eKYCPro Wait node's work: read the settings, group the items by task, wait for each distinct task, then turn
 * each outcome into items (result rows or enriched input items on Done; id and progress on Not Finished, or an error
 * that carries them), so paid work is never lost.
 */
import { NodeOperationError, sleep } from 'n8n-workflow';
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { carriesNoTask, indexRowsByNumber, mergeResult } from '../ekycproField';
import { errorItem, toNodeError } from '../helpers/nodeErrors';
import { appendResultItems, loadResult, readOptionsFor } from '../helpers/resultFile';
import { waitForExport } from '../polling/waitLoop';
import type { WaitOutcome } from '../polling/waitLoop';
import { isTransientApiError, openSession, retryAfterOf } from '../transport/http';
import type { ApiSession } from '../transport/http';
import { getTask } from '../transport/tasks';
import type { EKycTask } from '../transport/types';
import { groupByTask } from './groupByTask';
import type { TaskGroup } from './groupByTask';
import { DONE, notFinishedJson, notFinishedReason, progressSummary, WaitOutputs } from './outcomes';
import type { NotFinishedOutcome } from './outcomes';
import { runParkPass } from './parkPass';
import { readWaitParameters } from './parameters';
import type { WaitParameters } from './parameters';

/** Only under Continue On Fail does a wait end in an error outcome; otherwise the error is thrown. */
type GroupOutcome = WaitOutcome<EKycTask> | { kind: 'error'; error: unknown };

/** Waits for every task at once. When one wait fails (without Continue On Fail) the others stop polling too. */
async function waitForGroups(
	ctx: IExecuteFunctions,
	session: ApiSession,
	groups: TaskGroup[],
	parameters: WaitParameters,
	continueOnFail: boolean,
): Promise<GroupOutcome[]> {
	const signal = ctx.getExecutionCancelSignal?.();
	let stopped = false;
	return await Promise.all(
		groups.map(
			async (group): Promise<GroupOutcome> =>
				await waitForExport<EKycTask>(
					{
						// One request per status call: the loop retries on its own schedule, within Max Wait, counting each.
						getStatus: async () => await getTask(session, group.check, group.taskId, group.itemIndexes[0], 'once'),
						isTransientError: isTransientApiError,
						retryAfterMs: retryAfterOf,
						now: () => Date.now(),
						sleep: async (ms) => await sleep(ms),
						isCancelled: () => stopped || signal?.aborted === true,
						onPoll: (sample) =>
							ctx.logger?.debug(`eKYCPro task ${group.taskId}: ${sample.status} ${sample.done}/${sample.total}`),
					},
					{ schedule: parameters.schedule, maxWaitMs: parameters.maxWaitMs },
				).catch((error: unknown) => {
					if (continueOnFail) return { kind: 'error' as const, error };
					stopped = true;
					throw toNodeError(ctx.getNode(), error, group.itemIndexes[0]);
				}),
		),
	);
}

/** An exported task: its rows, or its items with their results merged in. */
async function emitExported(
	ctx: IExecuteFunctions,
	session: ApiSession,
	items: INodeExecutionData[],
	group: TaskGroup,
	outcome: Extract<WaitOutcome<EKycTask>, { kind: 'exported' }>,
	parameters: WaitParameters,
	outputs: WaitOutputs,
): Promise<void> {
	const itemIndex = group.itemIndexes[0];
	if (parameters.output === undefined) {
		const options = { rows: true, simplify: parameters.simplify, binary: false };
		const result = await loadResult(ctx, session, group.check, outcome.task, itemIndex, options);
		outputs.addEnriched(items, group, indexRowsByNumber(result.rows));
		return;
	}
	const result = await loadResult(
		ctx,
		session,
		group.check,
		outcome.task,
		itemIndex,
		readOptionsFor(parameters.output, outputs.resultRows),
	);
	outputs.resultRows += result.rows.length;
	const pairedItem = group.itemIndexes.map((item) => ({ item }));
	appendResultItems(outputs.rows, result, parameters.output, progressSummary(outcome, group), pairedItem);
}

/** A task that failed or ran out of time: on Not Finished, or an error, as the user chose. */
function emitNotFinished(
	ctx: IExecuteFunctions,
	items: INodeExecutionData[],
	group: TaskGroup,
	outcome: NotFinishedOutcome,
	parameters: WaitParameters,
	outputs: WaitOutputs,
): void {
	if (parameters.onTimeout === 'error') {
		const summary = JSON.stringify(progressSummary(outcome, group));
		throw new NodeOperationError(ctx.getNode(), notFinishedReason(outcome, group, parameters.maxWaitMs), {
			itemIndex: group.itemIndexes[0],
			description: `The task is paid and keeps its results: ${summary}. Collect it later with the eKYCPro node (Get Status, Download Result) and this task ID.`,
		});
	}
	const json = notFinishedJson(outcome, group, parameters.maxWaitMs);
	if (parameters.mode === 'enrich') outputs.addEnrichedNotFinished(items, group, json);
	else outputs.addSummary(group, json);
}

export async function waitForTasks(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const session = await openSession(this);
	const parameters = readWaitParameters(this);
	const outputs = new WaitOutputs();

	// Under Continue On Fail, an item whose task cannot be waited for or read comes out as an error item (on the
	// first output, where n8n looks for them) and the other tasks go on; their results are paid for.
	const continueOnFail = this.continueOnFail();
	const fail = (itemIndex: number, error: unknown) =>
		outputs.place(itemIndex, DONE, errorItem(this.getNode(), error, { item: itemIndex }, itemIndex));

	// Items Create Task sent no number for carry no task: with their results (enrich) they leave on Done as they are,
	// found false and why; they add no rows.
	if (parameters.mode === 'enrich') {
		items.forEach((item, itemIndex) => {
			if (carriesNoTask(item)) outputs.place(itemIndex, DONE, mergeResult(item, itemIndex, new Map()));
		});
	}
	const groups = groupByTask(this, session, items, continueOnFail ? fail : undefined);
	const park = parameters.betweenChecks === 'park';
	const outcomes = park
		? await runParkPass(this, session, items, groups, parameters, outputs, continueOnFail)
		: await waitForGroups(this, session, groups, parameters, continueOnFail);

	for (let g = 0; g < groups.length; g++) {
		const group = groups[g];
		const outcome = outcomes[g];
		if (outcome.kind === 'cancelled') {
			throw new NodeOperationError(this.getNode(), `Waiting for task ${group.taskId} was cancelled`, {
				description: `Task ${group.taskId} (${group.check.name}) goes on at eKYCPro; read it later with Get Status / Download Result.`,
			});
		}
		if (outcome.kind === 'waiting') continue;
		if (outcome.kind === 'error') {
			for (const itemIndex of group.itemIndexes) fail(itemIndex, outcome.error);
			continue;
		}
		try {
			if (outcome.kind === 'exported') await emitExported(this, session, items, group, outcome, parameters, outputs);
			else emitNotFinished(this, items, group, outcome, parameters, outputs);
		} catch (error) {
			if (!continueOnFail) throw toNodeError(this.getNode(), error, group.itemIndexes[0]);
			for (const itemIndex of group.itemIndexes) fail(itemIndex, error);
		}
	}
	return outputs.toNodeOutput(park);
}
