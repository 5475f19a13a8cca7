/**
 * Properties both nodes show, and the readers of their values: the Task ID, and how a result comes out (rows, the
 * file or both; Return All, Limit, Simplify, the binary field).
 */
import { NodeOperationError } from 'n8n-workflow';
import type { IExecuteFunctions, INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { CHECKS, CUSTOM_CHECK_ID, customCheck } from './checks';
import type { ApiStyle, CheckDefinition } from './checks';
import { DEFAULT_MAX_ROWS_AS_ITEMS } from './helpers/rowGuard';

type DisplayOptions = INodeProperties['displayOptions'];

/** One option per check in the catalogue, then the custom check. */
export const checkOptions: INodePropertyOptions[] = [
	...CHECKS.map((check) => ({ name: check.name, value: check.id, description: check.description })),
	{
		name: 'Custom Check',
		value: CUSTOM_CHECK_ID,
		description: 'Any other check of the eKYCPro API, by the task type or API path its documentation gives',
	},
];

/**
 * The custom check's fields, shown when `whenCustom` holds (the check property is set to the custom check). Each
 * node says how: the action node with `show`; the Wait node with `hide` (its Check defaults to an expression, and n8n
 * shows every field whose `show` condition reads an expression).
 */
export const customCheckProperties = (whenCustom: NonNullable<DisplayOptions>): INodeProperties[] => {
	const andStyle = (style: ApiStyle): DisplayOptions => ({
		...whenCustom,
		show: { ...whenCustom.show, customApiStyle: [style] },
	});
	return [
		{
			displayName: 'Check Given By',
			name: 'customApiStyle',
			type: 'options',
			noDataExpression: true,
			displayOptions: whenCustom,
			options: [
				{
					name: 'Task Type',
					value: 'v1',
					description: 'The documentation names the check by a task type, such as ws_avatar or vk',
				},
				{
					name: 'API Path',
					value: 'legacy',
					description: 'The documentation gives the check an API path, such as /wa/api/simple',
				},
			],
			default: 'v1',
		},
		{
			displayName: 'Task Type',
			name: 'customTaskType',
			type: 'string',
			required: true,
			displayOptions: andStyle('v1'),
			default: '',
			placeholder: 'ws_avatar',
			description: 'The task_type value from the eKYCPro documentation of the check',
		},
		{
			displayName: 'API Path',
			name: 'customPath',
			type: 'string',
			required: true,
			displayOptions: andStyle('legacy'),
			default: '',
			placeholder: '/wa/api/simple',
			description: 'The path before /tasks in the eKYCPro documentation of the check',
		},
	];
};

/** The custom check its fields describe, with a clear error when it is mistyped. */
export function readCustomCheck(ctx: IExecuteFunctions, itemIndex: number): CheckDefinition {
	const style = ctx.getNodeParameter('customApiStyle', itemIndex) as ApiStyle;
	const value = ctx.getNodeParameter(style === 'v1' ? 'customTaskType' : 'customPath', itemIndex, '') as string;
	const resolved = customCheck(style, value);
	if ('error' in resolved) {
		throw new NodeOperationError(ctx.getNode(), resolved.error, {
			itemIndex,
			description: "Set the custom check's task type or API path as the eKYCPro documentation of the check gives it.",
		});
	}
	return resolved.check;
}

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
		displayName: 'Result As',
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
		displayName: 'Max Rows as Items',
		name: 'maxRowsAsItems',
		type: 'number',
		typeOptions: { minValue: 0 },
		displayOptions: { show: { ...displayOptions?.show, resultOutput: ['rows', 'both'] } },
		default: DEFAULT_MAX_ROWS_AS_ITEMS,
		description:
			'Stop with an error, before any item is built, when a result has more rows than this (0 = no limit). One n8n execution holds only so many items; raise it on an instance with more memory.',
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
	/** Max Rows as Items: the most rows a node run outputs as items; 0 for no limit (and when no rows are output). */
	maxRowsAsItems: number;
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
		maxRowsAsItems: wantsRows
			? Number(ctx.getNodeParameter('maxRowsAsItems', itemIndex, DEFAULT_MAX_ROWS_AS_ITEMS)) || 0
			: 0,
	};
}
