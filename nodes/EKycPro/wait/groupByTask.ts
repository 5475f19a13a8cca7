import { NodeOperationError } from 'n8n-workflow';
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { checkFromId, CUSTOM_CHECK_ID } from '../checks';
import { readCustomCheck } from '../common.descriptions';
import { carriesNoTask } from '../ekycproField';
import type { CheckDefinition } from '../checks';
import { toNodeError } from '../helpers/nodeErrors';
import type { ApiSession } from '../transport/http';
import { validateTaskId } from '../transport/tasks';

/** One distinct task and the input items that carry it. */
export interface TaskGroup {
	check: CheckDefinition;
	taskId: string;
	/** Input items that carry this task, in input order. */
	itemIndexes: number[];
}

/**
 * Groups the input items by the task they carry: one wait per distinct task, however many items carry it.
 * An item that names no valid task throws, or under Continue On Fail is handed to `onInvalid` and left out. An item
 * Create Task sent nothing for (no usable number, no task) is left out: there is nothing to wait for.
 */
export function groupByTask(
	ctx: IExecuteFunctions,
	session: ApiSession,
	items: INodeExecutionData[],
	onInvalid: ((itemIndex: number, error: unknown) => void) | undefined,
): TaskGroup[] {
	const groups = new Map<string, TaskGroup>();
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		if (carriesNoTask(items[itemIndex])) continue;
		try {
			const checkValue = String(ctx.getNodeParameter('check', itemIndex, '') ?? '');
			// Custom Check picked by hand: its fields say which; otherwise the id Create Task wrote (custom ones included).
			const resolved =
				checkValue === CUSTOM_CHECK_ID ? { check: readCustomCheck(ctx, itemIndex) } : checkFromId(checkValue);
			if ('error' in resolved) {
				throw new NodeOperationError(
					ctx.getNode(),
					`Item ${itemIndex} does not say which check its task is: ${resolved.error}`,
					{
						itemIndex,
						description:
							'Connect this node after eKYCPro Create Task (its output carries task_id and check), or set Check and Task ID by hand.',
					},
				);
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
