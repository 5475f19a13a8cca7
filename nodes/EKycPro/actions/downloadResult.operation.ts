import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { readResultOutputSettings, resultOutputProperties, taskIdProperty } from '../common.descriptions';
import { errorItem, toNodeError } from '../helpers/nodeErrors';
import { appendResultItems, loadResult, readOptionsFor } from '../helpers/resultFile';
import { notExportedError } from '../transport/download';
import { openSession } from '../transport/http';
import { getTask, validateTaskId } from '../transport/tasks';
import { EXPORTED } from '../transport/types';
import { resolveCheck } from './check';

const show = { show: { operation: ['downloadResult'] } };

export const description: INodeProperties[] = [
	taskIdProperty({ displayOptions: show }),
	...resultOutputProperties(show),
];

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[][]> {
	const session = await openSession(this);
	const returnData: INodeExecutionData[] = [];
	// Max Rows as Items counts the rows of every item's result together: they all land in this one execution.
	let rowsOut = 0;
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			const check = resolveCheck(this, itemIndex);
			const taskId = validateTaskId(session, this.getNodeParameter('taskId', itemIndex), itemIndex);
			const settings = readResultOutputSettings(this, itemIndex);
			const task = await getTask(session, check, taskId, itemIndex);
			if (task.status !== EXPORTED) throw notExportedError(session, check, task, itemIndex);
			const result = await loadResult(this, session, check, task, itemIndex, readOptionsFor(settings, rowsOut));
			rowsOut += result.rows.length;
			appendResultItems(returnData, result, settings, { ...result.task }, { item: itemIndex });
		} catch (error) {
			if (!this.continueOnFail()) throw toNodeError(this.getNode(), error, itemIndex);
			returnData.push(errorItem(this.getNode(), error, { item: itemIndex }, itemIndex));
		}
	}
	return [returnData];
}
