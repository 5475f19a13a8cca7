import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { COUNTRY_OPTIONS, NumberCollector, splitNumberList } from '../numbers';
import type { NumberBatch } from '../numbers';
import { detectCsvDelimiter, parseCsv } from '../results';
import { openSession } from '../transport/http';
import { createTask } from '../transport/tasks';
import { errorItem, toNodeError } from '../helpers/nodeErrors';
import { resolveCheck } from './check';
import { getPath } from './paths';

const show = { show: { operation: ['createTask'] } };

const countryOptions: INodePropertyOptions[] = [{ name: 'None (Numbers Have a Country Code)', value: '' }];
countryOptions.push(...COUNTRY_OPTIONS);

export const description: INodeProperties[] = [
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
			{ name: 'List', value: 'list', description: 'Numbers typed or mapped into this node' },
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
		hint: 'The name of the input binary field containing the file of numbers',
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
		displayOptions: show,
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


/** Numbers of a text file: for a CSV, the named column or the first; otherwise one per line. */
function numbersOfFile(text: string, column: string, fileName: string | undefined): string[] {
	const firstLine = text.slice(0, text.search(/\r?\n|$/));
	const isCsv = /\.csv$/i.test(fileName ?? '') || /[,;\t]/.test(firstLine) || column !== '';
	if (!isCsv) return text.split(/\r?\n/);
	const records = parseCsv(text, detectCsvDelimiter(firstLine));
	const header = records.next();
	if (header.done) return [];
	const names = header.value.map((name) => name.trim().toLowerCase());
	let index = 0;
	let headerIsData = false;
	if (column !== '') {
		index = names.indexOf(column.trim().toLowerCase());
		if (index < 0) {
			throw new Error(`has no column "${column}"; its columns are: ${header.value.join(', ')}`);
		}
	} else {
		// Without a named column a first row that is itself a number is data, not a header.
		headerIsData = /^[\s+(]*\d/.test(header.value[0] ?? '');
	}
	const values: string[] = headerIsData ? [header.value[0] ?? ''] : [];
	for (const record of records) values.push(record[index] ?? '');
	return values;
}

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[][]> {
	try {
		return await createOneTask.call(this, items);
	} catch (error) {
		if (!this.continueOnFail()) throw toNodeError(this.getNode(), error);
		// All items went into one task, so its error is each item's: every contact reaches the error branch.
		return [items.map((_, index) => errorItem(this.getNode(), error, { item: index }, index))];
	}
}

async function createOneTask(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[][]> {
	const check = resolveCheck(this);
	const source = this.getNodeParameter('numbersSource', 0) as 'field' | 'binary' | 'list';
	const output = this.getNodeParameter('output', 0) as 'task' | 'inputItems';
	const defaultCountry = this.getNodeParameter('defaultCountry', 0, '') as string;
	const options = this.getNodeParameter('options', 0, {}) as { removeDuplicates?: boolean };
	const collector = new NumberCollector({
		defaultCountry: defaultCountry === '' ? undefined : defaultCountry,
		removeDuplicates: options.removeDuplicates !== false,
	});

	// The E.164 numbers each input item gave (its rejected values are in the collector, by item index).
	const numbersOfItem: string[][] = items.map(() => []);
	const add = (raw: unknown, itemIndex: number) => {
		const result = collector.add(raw, itemIndex);
		if (result.ok) numbersOfItem[itemIndex].push(result.e164);
	};

	const seenLists = new Set<string>();
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		if (source === 'field') {
			const field = this.getNodeParameter('phoneField', itemIndex) as string;
			const value = getPath(items[itemIndex].json, field);
			if (value === undefined || value === null || value === '') {
				collector.reject(value, itemIndex, value === undefined ? `The item has no field "${field}"` : `The field "${field}" is empty`);
			} else if (Array.isArray(value)) {
				for (const entry of value) add(entry, itemIndex);
			} else {
				add(value, itemIndex);
			}
		} else if (source === 'binary') {
			const property = this.getNodeParameter('binaryProperty', itemIndex) as string;
			const column = this.getNodeParameter('csvColumn', itemIndex, '') as string;
			const binary = items[itemIndex].binary?.[property];
			if (binary === undefined) {
				throw new NodeOperationError(this.getNode(), `Item ${itemIndex} has no binary field "${property}"`, {
					itemIndex,
					description: `The input items carry ${Object.keys(items[itemIndex].binary ?? {}).map((k) => `"${k}"`).join(', ') || 'no binary data'}. Set Input Binary Field to the field that holds the file of numbers.`,
				});
			}
			const buffer = await this.helpers.getBinaryDataBuffer(itemIndex, property);
			if (buffer.includes(0)) {
				throw new NodeOperationError(this.getNode(), `The file in "${property}" is not a text file`, {
					itemIndex,
					description: `"${binary.fileName ?? property}" (${binary.mimeType}) holds binary data. Give a .txt file with one number per line or a .csv file; convert a spreadsheet with the Extract From File node first.`,
				});
			}
			let values: string[];
			try {
				values = numbersOfFile(buffer.toString('utf8').replace(/^\uFEFF/, ''), column, binary.fileName);
			} catch (error) {
				throw new NodeOperationError(this.getNode(), `The file "${binary.fileName ?? property}" ${(error as Error).message}`, {
					itemIndex,
					description: 'Set CSV Column to one of the file\'s columns, or leave it empty to use the first column.',
				});
			}
			for (const value of values) if (value.trim() !== '') add(value, itemIndex);
		} else {
			const list = this.getNodeParameter('numbersList', itemIndex) as string;
			// A list typed into the node is the same for every item: send it once.
			if (seenLists.has(list)) continue;
			seenLists.add(list);
			for (const value of splitNumberList(list)) add(value, itemIndex);
		}
	}

	const batch: NumberBatch = collector.result();
	const rejected = batch.rejected.map(({ value, index, reason }) => ({ value, item: index, reason }));
	const allItems = items.map((_, index) => ({ item: index }));
	if (batch.numbers.length === 0) {
		const examples = rejected
			.slice(0, 5)
			.map((entry) => `item ${entry.item}: "${entry.value}" - ${entry.reason}`)
			.join('; ');
		throw new NodeOperationError(this.getNode(), 'No usable phone number: nothing was sent and nothing was charged', {
			description:
				rejected.length === 0
					? 'The input had no numbers. Check Numbers From and the field, file or list it points at.'
					: `All ${rejected.length} values were rejected, for example ${examples}. ` +
						'Numbers need a country code (+41..., 0041...) or a Default Country.',
		});
	}

	const session = await openSession(this);
	const task = await createTask(session, check, collector.toUploadText(), 0);

	if (output === 'inputItems') {
		const rejectedOfItem: Array<Array<{ value: string; reason: string }>> = items.map(() => []);
		for (const { value, item, reason } of rejected) rejectedOfItem[item].push({ value, reason });
		return [
			items.map((item, index) => {
				const numbers = numbersOfItem[index];
				const ekycpro: IDataObject = { task_id: task.task_id, check: task.check };
				if (numbers.length === 1) ekycpro.number = numbers[0];
				else if (numbers.length > 1) ekycpro.numbers = numbers;
				if (rejectedOfItem[index].length > 0) ekycpro.rejected = rejectedOfItem[index];
				return { json: { ...item.json, ekycpro }, binary: item.binary, pairedItem: { item: index } };
			}),
		];
	}
	return [
		[
			{
				json: {
					...task,
					submitted: batch.numbers.length,
					duplicates: batch.duplicates,
					rejected: rejected as unknown as IDataObject[],
				},
				pairedItem: allItems,
			},
		],
	];
}
