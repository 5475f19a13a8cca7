/**
 * Properties both nodes show, and the readers of their values: the Task ID, and how a result comes out (rows, the
 * file or both; Return All, Limit, Simplify, the binary field).
 */
import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

type DisplayOptions = INodeProperties['displayOptions'];

/** The task to act on; the action node's default reads Create Task's Task output, the Wait node gives its own. */
export const taskIdProperty = (overrides: Partial<INodeProperties>): INodeProperties => ({
	displayName: 'Task ID',
	name: 'taskId',
	type: 'string',
	required: true,
	default: '={{ $json.task_id }}',
	description: 'The task_id that Create Task returned',
	...overrides,
});

export const SIMPLIFY_DESCRIPTION =
	'Whether to turn yes/no into true/false, age into a number and empty cells into null (other values, such as "ban", stay as they are)';

export const resultOutputProperties = (displayOptions: DisplayOptions): INodeProperties[] => [
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
		description: SIMPLIFY_DESCRIPTION,
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

/** The values of `resultOutputProperties`. */
export interface ResultOutputSettings {
	output: 'rows' | 'file' | 'both';
	/** Rows to return at most; undefined for all. */
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
		binaryPropertyName:
			output === 'rows' ? 'data' : (ctx.getNodeParameter('binaryPropertyName', itemIndex, 'data') as string),
	};
}
