import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { loadResult } from '../helpers/resultFile';
import { openSession } from '../transport/http';
import { notExportedError } from '../transport/download';
import { getTask, validateTaskId } from '../transport/tasks';
import { EXPORTED } from '../transport/types';
import { errorItem, toNodeError } from '../helpers/errors';
import { resolveCheck } from './check';
import { taskIdProperty } from './getStatus.operation';

const show = { show: { operation: ['downloadResult'] } };

/** Output, Return All, Limit, Simplify and the binary field: shared with the Wait node. */
export const resultOutputProperties = (displayOptions: INodeProperties['displayOptions']): INodeProperties[] => [
	{
		displayName: 'Output',
		name: 'resultOutput',
		type: 'options',
		noDataExpression: true,
		displayOptions,
		options: [
			{ name: 'Rows', value: 'rows', description: 'One item per result row' },
			{ name: 'File', value: 'file', description: 'One item with the result file as binary data' },
			{ name: 'Rows and File', value: 'both', description: 'An item with the file, then one item per row' },
		],
		default: 'rows',
	},
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		displayOptions: { show: { ...displayOptions?.show, resultOutput: ['rows', 'both'] } },
		default: true,
		description: 'Whether to return all results or only up to a given limit',
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1 },
		displayOptions: { show: { ...displayOptions?.show, resultOutput: ['rows', 'both'], returnAll: [false] } },
		default: 50,
		description: 'Max number of results to return',
	},
	{
		displayName: 'Simplify',
		name: 'simplify',
		type: 'boolean',
		displayOptions: { show: { ...displayOptions?.show, resultOutput: ['rows', 'both'] } },
		default: true,
		description:
			'Whether to turn yes/no into true/false, age into a number and empty cells into null (other values, such as "ban", stay as they are)',
	},
	{
		displayName: 'Put File in Field',
		name: 'binaryPropertyName',
		type: 'string',
		displayOptions: { show: { ...displayOptions?.show, resultOutput: ['file', 'both'] } },
		default: 'data',
		hint: 'The name of the output binary field to put the result file in',
	},
];

export const description: INodeProperties[] = [taskIdProperty('downloadResult'), ...resultOutputProperties(show)];

export interface ResultOutputSettings {
	output: 'rows' | 'file' | 'both';
	limit?: number;
	simplify: boolean;
	binaryPropertyName: string;
}

export function readResultOutputSettings(ctx: IExecuteFunctions, itemIndex: number): ResultOutputSettings {
	const output = ctx.getNodeParameter('resultOutput', itemIndex) as ResultOutputSettings['output'];
	const wantsRows = output !== 'file';
	const returnAll = wantsRows ? (ctx.getNodeParameter('returnAll', itemIndex, true) as boolean) : true;
	return {
		output,
		limit: wantsRows && !returnAll ? (ctx.getNodeParameter('limit', itemIndex, 50) as number) : undefined,
		simplify: wantsRows ? (ctx.getNodeParameter('simplify', itemIndex, true) as boolean) : false,
		binaryPropertyName: output === 'rows' ? 'data' : (ctx.getNodeParameter('binaryPropertyName', itemIndex, 'data') as string),
	};
}

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[][]> {
	const session = await openSession(this);
	const returnData: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			const check = resolveCheck(this, itemIndex);
			const taskId = validateTaskId(session, this.getNodeParameter('taskId', itemIndex), itemIndex);
			const settings = readResultOutputSettings(this, itemIndex);
			const task = await getTask(session, check, taskId, itemIndex);
			if (task.status !== EXPORTED) throw notExportedError(session, check, task, itemIndex);
			const result = await loadResult(this, session, check, task, itemIndex, {
				rows: settings.output !== 'file',
				simplify: settings.simplify,
				limit: settings.limit,
				binary: settings.output !== 'rows',
			});
			const pairedItem = { item: itemIndex };
			if (result.binary) {
				const json: IDataObject = { ...result.task, fileName: result.fileName, fileSize: result.bytes };
				if (settings.output === 'both') json.rows = result.rows.length;
				returnData.push({ json, binary: { [settings.binaryPropertyName]: result.binary }, pairedItem });
			}
			for (const row of result.rows) returnData.push({ json: row, pairedItem });
		} catch (error) {
			if (!this.continueOnFail()) throw toNodeError(this.getNode(), error, itemIndex);
			returnData.push(errorItem(this.getNode(), error, { item: itemIndex }, itemIndex));
		}
	}
	return [returnData];
}
