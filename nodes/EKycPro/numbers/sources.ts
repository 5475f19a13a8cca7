/**
 * Where the numbers of one task come from: a field of each input item, a text or CSV file, or a typed list. Plain
 * values in, the task's numbers out, each tied to the input item it came from; knows nothing of n8n. A problem the
 * user must fix before anything is sent is thrown as a `NumbersInputError`.
 */

import { detectCsvDelimiter, parseCsv } from '../results/csv';
import { NumberCollector, type NumberCollectorOptions } from './collector';
import { splitNumberList } from './split';

/** An input the numbers cannot be read from at all (no file, not a text file, no such CSV column). */
export class NumbersInputError extends Error {
	constructor(
		message: string,
		/** The input item whose value is at fault. */
		readonly itemIndex: number,
		/** What the user can do about it. */
		readonly advice: string,
	) {
		super(message);
		this.name = 'NumbersInputError';
	}
}

/** A value that was not sent, with the input item it came from and why. */
export interface RejectedValue {
	value: string;
	item: number;
	reason: string;
}

export interface TaskNumbersResult {
	/** Accepted E.164 numbers to send, in first-seen order. */
	numbers: string[];
	/** How many accepted numbers were left out because the same number came earlier (0 unless removing them). */
	duplicates: number;
	rejected: RejectedValue[];
	/** The E.164 numbers each input item gave, by item index (a duplicate is listed with every item that gave it). */
	numbersOfItem: string[][];
}

/** A file of numbers as the item carries it. */
export interface NumbersFile {
	data: Buffer;
	fileName?: string;
	mimeType?: string;
}

/**
 * Reads a field by name or dot path (`contact.mobile`, `phones.0`). A field whose own name contains dots wins over
 * the path, as n8n's own nodes do.
 */
export function getPath(data: Record<string, unknown>, path: string): unknown {
	const trimmed = path.trim();
	if (trimmed in data) return data[trimmed];
	let current: unknown = data;
	for (const key of trimmed.split('.')) {
		if (current === null || typeof current !== 'object') return undefined;
		current = (current as Record<string, unknown>)[key];
	}
	return current;
}

function isEmpty(value: unknown): boolean {
	return value === undefined || value === null || value === '';
}

/** The error for an item that has no file where Input Binary Field points; `properties` are the ones it has. */
export function missingFileError(itemIndex: number, property: string, properties: string[]): NumbersInputError {
	const carried = properties.map((name) => `"${name}"`).join(', ') || 'no binary data';
	return new NumbersInputError(
		`Item ${itemIndex} has no binary field "${property}"`,
		itemIndex,
		`The input items carry ${carried}. Set Input Binary Field to the field that holds the file of numbers.`,
	);
}

/**
 * Values of a text file: for a CSV, the named column or the first; otherwise one per line. When `column` is named and
 * the file has no such column, the columns it has instead.
 */
export function valuesOfFile(
	text: string,
	column: string,
	fileName: string | undefined,
): { values: string[] } | { missingColumn: true; columns: string[] } {
	const firstLine = text.slice(0, text.search(/\r?\n|$/));
	const isCsv = /\.csv$/i.test(fileName ?? '') || /[,;\t]/.test(firstLine) || column !== '';
	if (!isCsv) return { values: text.split(/\r?\n/) };
	const records = parseCsv(text, detectCsvDelimiter(firstLine));
	const header = records.next();
	if (header.done) return { values: [] };
	let index = 0;
	let headerIsData = false;
	if (column !== '') {
		index = header.value.map((name) => name.trim().toLowerCase()).indexOf(column.trim().toLowerCase());
		if (index < 0) return { missingColumn: true, columns: header.value };
	} else {
		// Without a named column a first row that is itself a number is data, not a header.
		headerIsData = /^[\s+(]*\d/.test(header.value[0] ?? '');
	}
	const values: string[] = headerIsData ? [header.value[0] ?? ''] : [];
	for (const record of records) values.push(record[index] ?? '');
	return { values };
}

/** Collects the numbers of one task from its input items, keeping track of which item gave which number. */
export class TaskNumbers {
	private readonly collector: NumberCollector;
	private readonly numbersOfItem: string[][];
	private readonly seenLists = new Set<string>();

	/** @throws Error when the Default Country is not a known ISO 3166-1 alpha-2 code. */
	constructor(itemCount: number, options: NumberCollectorOptions) {
		this.collector = new NumberCollector(options);
		this.numbersOfItem = Array.from({ length: itemCount }, () => []);
	}

	/** The item's field `field` (a name or dot path): one number, or a list of them. */
	addField(itemIndex: number, json: Record<string, unknown>, field: string): void {
		const value = getPath(json, field);
		if (isEmpty(value)) {
			const reason = value === undefined ? `The item has no field "${field}"` : `The field "${field}" is empty`;
			this.collector.reject(value, itemIndex, reason);
		} else if (Array.isArray(value)) {
			// A list with nothing in it is one rejected value, so the item is listed (and flagged) like an empty field.
			if (value.every(isEmpty)) this.collector.reject(value, itemIndex, `The field "${field}" is an empty list`);
			else for (const entry of value) this.add(entry, itemIndex);
		} else {
			this.add(value, itemIndex);
		}
	}

	/**
	 * A .txt file (one number per line) or a .csv file (the column `column`, or the first). `property` names where the
	 * item carries the file, for the messages. Blank lines are skipped.
	 * @throws NumbersInputError when the file is not text or has no column `column`.
	 */
	addFile(itemIndex: number, property: string, file: NumbersFile, column = ''): void {
		const shownName = file.fileName ?? property;
		if (file.data.includes(0)) {
			throw new NumbersInputError(
				`The file in "${property}" is not a text file`,
				itemIndex,
				`"${shownName}" (${file.mimeType}) holds binary data. ` +
					'Give a .txt file with one number per line or a .csv file; ' +
					'convert a spreadsheet with the Extract From File node first.',
			);
		}
		const read = valuesOfFile(file.data.toString('utf8').replace(/^\uFEFF/, ''), column, file.fileName);
		if ('missingColumn' in read) {
			throw new NumbersInputError(
				`The file "${shownName}" has no column "${column}"; its columns are: ${read.columns.join(', ')}`,
				itemIndex,
				"Set CSV Column to one of the file's columns, or leave it empty to use the first column.",
			);
		}
		for (const value of read.values) if (value.trim() !== '') this.add(value, itemIndex);
	}

	/** Numbers typed into the node. A list that is the same for every item (the usual case) is sent once. */
	addList(itemIndex: number, text: string): void {
		if (this.seenLists.has(text)) return;
		this.seenLists.add(text);
		for (const value of splitNumberList(text)) this.add(value, itemIndex);
	}

	result(): TaskNumbersResult {
		const batch = this.collector.result();
		return {
			numbers: batch.numbers,
			duplicates: batch.duplicates,
			rejected: batch.rejected.map(({ value, index, reason }) => ({ value, item: index, reason })),
			numbersOfItem: this.numbersOfItem,
		};
	}

	/** The upload file's text: one E.164 number per line. */
	toUploadText(): string {
		return this.collector.toUploadText();
	}

	private add(raw: unknown, itemIndex: number): void {
		const result = this.collector.add(raw, itemIndex);
		if (result.ok) this.numbersOfItem[itemIndex].push(result.e164);
	}
}
