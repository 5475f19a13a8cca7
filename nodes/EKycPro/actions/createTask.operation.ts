import { NodeOperationError } from 'n8n-workflow';
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
	INodePropertyOptions,
} from 'n8n-workflow';

import type { CheckDefinition } from '../checks';
import { COUNTRY_OPTIONS, NumbersInputError, TaskNumbers, missingFileError } from '../numbers';
import type { TaskNumbersResult } from '../numbers';
import { writeTaskField } from '../ekycproField';
import type { RejectedValue as RejectedOfItem } from '../ekycproField';
import { openSession } from '../transport/http';
import { createTask } from '../transport/tasks';
import type { EKycTask } from '../transport/types';
import { errorItem, toNodeError } from '../helpers/nodeErrors';
import { resolveCheck } from './check';

const show = { show: { operation: ['createTask'] } };

const countryOptions: INodePropertyOptions[] = [{ name: 'None (Numbers Have a Country Code)', value: '' }];
countryOptions.push(...COUNTRY_OPTIONS);

export const description: INodeProperties[] = [
	{
		// Execute step in the editor runs the node for real: the user should know before the first click.
		displayName:
			'Each run of this node creates one eKYCPro task and is charged for it, also a run from the editor (Execute step ' +
			"or Execute workflow). To try it for free, point the credential's Base URL at the sandbox (npm run sandbox).",
		name: 'chargeNotice',
		type: 'notice',
		displayOptions: show,
		default: '',
	},
	{
		displayName: 'Numbers From',
		name: 'numbersSource',
		type: 'options',
		noDataExpression: true,
		displayOptions: show,
		options: [
			{
				name: 'Input Field',
				value: 'field',
				description: 'A field of every input item, such as the phone of each contact. All items go into one task.',
			},
			{
				name: 'File',
				value: 'binary',
				description: 'A .txt (one number per line) or .csv file in a binary property of the input items',
			},
			{
				name: 'List',
				value: 'list',
				description: 'Numbers typed or mapped into this node. The node outputs one item for the task.',
			},
		],
		default: 'field',
	},
	{
		displayName: 'Phone Field',
		name: 'phoneField',
		type: 'string',
		required: true,
		displayOptions: { show: { operation: ['createTask'], numbersSource: ['field'] } },
		default: 'phone',
		placeholder: 'phone or contact.mobile',
		description:
			'Name of the field that holds the number; use dots for nested fields. A field holding a list of numbers sends each of them.',
	},
	{
		displayName: 'Input Binary Field',
		name: 'binaryProperty',
		type: 'string',
		required: true,
		displayOptions: { show: { operation: ['createTask'], numbersSource: ['binary'] } },
		default: 'data',
		description: 'The name of the input binary field containing the file of numbers',
	},
	{
		displayName: 'CSV Column',
		name: 'csvColumn',
		type: 'string',
		displayOptions: { show: { operation: ['createTask'], numbersSource: ['binary'] } },
		default: '',
		placeholder: 'phone',
		description:
			'For a CSV file with a header row: the column holding the numbers. Leave empty to use the first column.',
	},
	{
		displayName: 'Numbers',
		name: 'numbersList',
		type: 'string',
		typeOptions: { rows: 6 },
		required: true,
		displayOptions: { show: { operation: ['createTask'], numbersSource: ['list'] } },
		default: '',
		placeholder: '+41798284651\n+4915112345678',
		description: 'One number per line, or separated by commas',
	},
	{
		displayName: 'Default Country',
		name: 'defaultCountry',
		type: 'options',
		displayOptions: show,
		options: countryOptions,
		default: '',
		description:
			'Country of numbers written without a country code, such as 079 828 46 51. Numbers starting with + or 00 keep their own.',
	},
	{
		displayName: 'Output',
		name: 'output',
		type: 'options',
		noDataExpression: true,
		// A typed list belongs to no input item: with List the output is the task (see readParameters).
		displayOptions: { show: { operation: ['createTask'] }, hide: { numbersSource: ['list'] } },
		options: [
			{
				name: 'Task',
				value: 'task',
				description: 'One item for the task, with what was sent and what was rejected',
			},
			{
				name: 'Input Items With Their Numbers',
				value: 'inputItems',
				description:
					'Every input item passes through with an ekycpro field (task ID, its E.164 number or why it was rejected), for the Wait node to merge results into',
			},
		],
		default: 'task',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		displayOptions: show,
		default: {},
		options: [
			{
				displayName: 'Remove Duplicates',
				name: 'removeDuplicates',
				type: 'boolean',
				default: true,
				description: 'Whether to send each number once, however often it appears (each sent number is charged)',
			},
		],
	},
];

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[][]> {
	try {
		return await createOneTask.call(this, items);
	} catch (error) {
		if (!this.continueOnFail()) throw toNodeError(this.getNode(), error);
		// All items went into one task, so its error is each item's: every contact reaches the error branch.
		return [items.map((_, index) => errorItem(this.getNode(), error, { item: index }, index))];
	}
}

/** Parameters -> collect the numbers -> refuse when none is usable -> create the task -> output. */
async function createOneTask(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[][]> {
	const parameters = readParameters(this);
	const numbers = await collectNumbers(this, items, parameters);
	const collected = numbers.result();
	// Items with their numbers and none usable: each item goes on with why (a workflow can write that back, so the
	// contact is not sent again); no task, no charge. The Wait node passes such items on.
	if (parameters.output === 'inputItems' && collected.numbers.length === 0 && collected.rejected.length > 0) {
		return [inputItemsWithTheirNumbers(items, { task_id: null, check: parameters.check.id }, collected)];
	}
	refuseWhenNothingUsable(this, collected);
	const task = await createTask(await openSession(this), parameters.check, numbers.toUploadText(), 0);
	if (parameters.output === 'inputItems') return [inputItemsWithTheirNumbers(items, task, collected)];
	return [[taskItem(items, task, collected)]];
}

interface CreateTaskParameters {
	check: CheckDefinition;
	source: 'field' | 'binary' | 'list';
	output: 'task' | 'inputItems';
	defaultCountry: string | undefined;
	removeDuplicates: boolean;
}

/** The node-wide parameters; the ones that may differ per item (field, file, list) are read while collecting. */
function readParameters(ctx: IExecuteFunctions): CreateTaskParameters {
	const check = resolveCheck(ctx);
	const source = ctx.getNodeParameter('numbersSource', 0) as CreateTaskParameters['source'];
	// Input Items With Their Numbers has no meaning for a list typed into the node (the option is hidden for it; a
	// workflow saved with both before gets the task item).
	const output = source === 'list' ? 'task' : (ctx.getNodeParameter('output', 0) as CreateTaskParameters['output']);
	const defaultCountry = ctx.getNodeParameter('defaultCountry', 0, '') as string;
	const options = ctx.getNodeParameter('options', 0, {}) as { removeDuplicates?: boolean };
	return {
		check,
		source,
		output,
		defaultCountry: defaultCountry === '' ? undefined : defaultCountry,
		removeDuplicates: options.removeDuplicates !== false,
	};
}

/** Every item's numbers into one collection, from the field, file or list the parameters name. */
async function collectNumbers(
	ctx: IExecuteFunctions,
	items: INodeExecutionData[],
	parameters: CreateTaskParameters,
): Promise<TaskNumbers> {
	const numbers = new TaskNumbers(items.length, {
		defaultCountry: parameters.defaultCountry,
		removeDuplicates: parameters.removeDuplicates,
	});
	try {
		for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
			if (parameters.source === 'field') {
				numbers.addField(itemIndex, items[itemIndex].json, ctx.getNodeParameter('phoneField', itemIndex) as string);
			} else if (parameters.source === 'binary') {
				await addFileOfItem(ctx, numbers, items[itemIndex], itemIndex);
			} else {
				numbers.addList(itemIndex, ctx.getNodeParameter('numbersList', itemIndex) as string);
			}
		}
	} catch (error) {
		if (!(error instanceof NumbersInputError)) throw toNodeError(ctx.getNode(), error);
		const { message, itemIndex, advice } = error;
		throw new NodeOperationError(ctx.getNode(), message, { itemIndex, description: advice });
	}
	return numbers;
}

async function addFileOfItem(
	ctx: IExecuteFunctions,
	numbers: TaskNumbers,
	item: INodeExecutionData,
	itemIndex: number,
): Promise<void> {
	const property = ctx.getNodeParameter('binaryProperty', itemIndex) as string;
	const column = ctx.getNodeParameter('csvColumn', itemIndex, '') as string;
	const binary = item.binary?.[property];
	if (binary === undefined) throw missingFileError(itemIndex, property, Object.keys(item.binary ?? {}));
	const data = await ctx.helpers.getBinaryDataBuffer(itemIndex, property);
	numbers.addFile(itemIndex, property, { data, fileName: binary.fileName, mimeType: binary.mimeType }, column);
}

/** Nothing usable: stop before the API is called, so nothing is charged, and say what was wrong. */
function refuseWhenNothingUsable(ctx: IExecuteFunctions, collected: TaskNumbersResult): void {
	if (collected.numbers.length > 0) return;
	const { rejected } = collected;
	const examples = rejected
		.slice(0, 5)
		.map((entry) => `item ${entry.item}: "${entry.value}" - ${entry.reason}`)
		.join('; ');
	throw new NodeOperationError(ctx.getNode(), 'No usable phone number: nothing was sent and nothing was charged', {
		description:
			rejected.length === 0
				? 'The input had no numbers. Check Numbers From and the field, file or list it points at.'
				: `All ${rejected.length} values were rejected, for example ${examples}. ` +
					'Numbers need a country code (+41..., 0041...) or a Default Country.',
	});
}

/** Output "Task": one item for the task, paired with every input item. */
function taskItem(items: INodeExecutionData[], task: EKycTask, collected: TaskNumbersResult): INodeExecutionData {
	return {
		json: {
			...task,
			submitted: collected.numbers.length,
			duplicates: collected.duplicates,
			rejected: collected.rejected as unknown as IDataObject[],
		},
		pairedItem: items.map((_, index) => ({ item: index })),
	};
}

/** Output "Input Items With Their Numbers": every input item with an `ekycpro` field, for the Wait node. */
function inputItemsWithTheirNumbers(
	items: INodeExecutionData[],
	task: { task_id: string | null; check: string },
	collected: TaskNumbersResult,
): INodeExecutionData[] {
	const rejectedOfItem: RejectedOfItem[][] = items.map(() => []);
	for (const { value, item, reason } of collected.rejected) rejectedOfItem[item].push({ value, reason });
	return items.map((item, index) =>
		writeTaskField(item, index, task, collected.numbersOfItem[index], rejectedOfItem[index]),
	);
}
