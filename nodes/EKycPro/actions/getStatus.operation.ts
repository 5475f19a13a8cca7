import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { getTask, validateTaskId } from '../transport/tasks';
import { apiError, openSession } from '../transport/http';
import { EXPORTED, FAILED } from '../transport/types';
import type { EKycTask } from '../transport/types';
import { errorItem, toNodeError } from '../helpers/nodeErrors';
import { taskIdProperty } from '../common.descriptions';
import { suggestNextCheckMs } from '../polling/schedule';
import { resolveCheck } from './check';

export const description: INodeProperties[] = [
	taskIdProperty({ displayOptions: { show: { operation: ['getStatus'] } } }),
];

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[][]> {
	const session = await openSession(this);
	// Items that carry the same task share one status call: a status read may be charged.
	const seen = new Map<string, EKycTask>();
	const returnData: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			const check = resolveCheck(this, itemIndex);
			const taskId = validateTaskId(session, this.getNodeParameter('taskId', itemIndex), itemIndex);
			const key = `${check.id}\u0000${check.taskType ?? check.path}\u0000${taskId}`;
			let task = seen.get(key);
			if (task === undefined) {
				task = await getTask(session, check, taskId, itemIndex);
				seen.set(key, task);
			}
			if (task.status === FAILED) {
				const failed = apiError(
					this,
					undefined,
					`Task ${task.task_id} failed on eKYCPro's side`,
					`It stopped with ${task.success + task.failure} of ${task.total} numbers done and has no result file. Create a new task.`,
					itemIndex,
				);
				if (!this.continueOnFail()) throw failed;
				returnData.push({ json: { ...task, done: false, error: failed.message }, pairedItem: { item: itemIndex } });
				continue;
			}
			const nextMs = suggestNextCheckMs(task, Date.now());
			const json = {
				...task,
				done: task.status === EXPORTED,
				next_check_in_seconds: nextMs === undefined ? null : Math.ceil(nextMs / 1000),
			};
			returnData.push({ json, pairedItem: { item: itemIndex } });
		} catch (error) {
			if (!this.continueOnFail()) throw toNodeError(this.getNode(), error, itemIndex);
			returnData.push(errorItem(this.getNode(), error, { item: itemIndex }, itemIndex));
		}
	}
	return [returnData];
}
