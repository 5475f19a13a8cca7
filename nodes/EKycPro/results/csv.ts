/**
 * CSV parsing (RFC 4180 plus what spreadsheet programs write): a BOM, CRLF, LF or CR line ends, quoted fields
 * holding delimiters, `""` and line breaks, and a delimiter of `,`, `;` or tab found from the header line.
 * Works on a whole string (`parseCsv`) or on text arriving in chunks (`CsvStreamParser`).
 */

import { ResultFileError } from './errors';
import type { RawRecord } from './rows';
import { CarryOver } from './text';

export type CsvDelimiter = ',' | ';' | '\t';

const QUOTE = 34;
const LINE_FEED = 10;
const CARRIAGE_RETURN = 13;
const CANDIDATES: readonly CsvDelimiter[] = [',', ';', '\t'];
/** No result row comes near this; a record that long is an unmatched quote. */
const MAX_RECORD_CHARS = 16 * 1024 * 1024;
/** Records handed out per batch by `parseCsv`, so a huge text is never split into one huge array. */
const BATCH_RECORDS = 1024;

/**
 * The delimiter of the header line (the first record of `sample`): the candidate that appears most often outside
 * quotes, `,` on a tie or when there is none.
 */
export function detectCsvDelimiter(sample: string): CsvDelimiter {
	const counts = [0, 0, 0];
	let inQuotes = false;
	const start = sample.charCodeAt(0) === 0xfeff ? 1 : 0;
	for (let index = start; index < sample.length; index++) {
		const code = sample.charCodeAt(index);
		if (code === QUOTE) {
			inQuotes = !inQuotes;
		} else if (!inQuotes) {
			if (code === LINE_FEED || code === CARRIAGE_RETURN) break;
			if (code === 44) counts[0]++;
			else if (code === 59) counts[1]++;
			else if (code === 9) counts[2]++;
		}
	}
	let best = 0;
	for (let candidate = 1; candidate < 3; candidate++) if (counts[candidate] > counts[best]) best = candidate;
	return CANDIDATES[best];
}

/** What ends a line: LF (with or without a CR before it) or, in old Mac files, a lone CR. */
type LineBreak = '\n' | '\r';

/**
 * The line break of the first record of `text` (quotes respected), or undefined when the text does not show it yet.
 */
function detectLineBreak(text: string, final: boolean): LineBreak | undefined {
	let inQuotes = false;
	for (let index = 0; index < text.length; index++) {
		const code = text.charCodeAt(index);
		if (code === QUOTE) inQuotes = !inQuotes;
		else if (!inQuotes && code === LINE_FEED) return '\n';
		else if (!inQuotes && code === CARRIAGE_RETURN) {
			if (index + 1 >= text.length) return final ? '\r' : undefined;
			return text.charCodeAt(index + 1) === LINE_FEED ? '\n' : '\r';
		}
	}
	return final ? '\n' : undefined;
}

/**
 * Parses complete records of `text` from `start` into `records`, at most `maxRecords` of them. Returns where it
 * stopped. When `final` is false a record that may continue in the next chunk is left unparsed.
 */
function parseRecords(
	text: string,
	start: number,
	delimiter: CsvDelimiter,
	lineBreak: LineBreak,
	final: boolean,
	records: string[][],
	maxRecords: number,
): number {
	const length = text.length;
	const stripCarriageReturn = lineBreak === '\n';
	let position = start;
	let nextQuote = text.indexOf('"', position);
	while (position < length && records.length < maxRecords) {
		let lineEnd = text.indexOf(lineBreak, position);
		if (lineEnd < 0) {
			if (!final) break;
			lineEnd = length;
		}
		if (nextQuote >= 0 && nextQuote < position) nextQuote = text.indexOf('"', position);
		if (nextQuote < 0 || nextQuote > lineEnd) {
			// The common case: a line without quotes is split natively.
			const contentEnd =
				stripCarriageReturn && lineEnd > position && text.charCodeAt(lineEnd - 1) === CARRIAGE_RETURN
					? lineEnd - 1
					: lineEnd;
			records.push(text.slice(position, contentEnd).split(delimiter));
			position = lineEnd + 1;
			continue;
		}
		const next = parseQuotedRecord(text, position, delimiter, final, records);
		if (next < 0) break;
		position = next;
	}
	return Math.min(position, length);
}

/** Parses one record that contains quotes; returns the position after it, or -1 when it is not complete yet. */
function parseQuotedRecord(
	text: string,
	start: number,
	delimiter: CsvDelimiter,
	final: boolean,
	records: string[][],
): number {
	const length = text.length;
	const delimiterCode = delimiter.charCodeAt(0);
	const fields: string[] = [];
	let field = '';
	let position = start;
	let fieldStart = true;
	for (;;) {
		if (position >= length) {
			if (!final) return -1;
			fields.push(field);
			records.push(fields);
			return length;
		}
		const code = text.charCodeAt(position);
		if (code === QUOTE && fieldStart) {
			// A quoted section: runs to the next quote that is not doubled.
			let from = position + 1;
			for (;;) {
				const close = text.indexOf('"', from);
				if (close < 0) {
					if (!final) return -1;
					// An unterminated quote at the end of the file: keep what is there.
					field += text.slice(from);
					position = length;
					break;
				}
				if (close + 1 >= length && !final) return -1;
				field += text.slice(from, close);
				if (text.charCodeAt(close + 1) === QUOTE) {
					field += '"';
					from = close + 2;
					continue;
				}
				position = close + 1;
				break;
			}
			fieldStart = false;
			continue;
		}
		if (code === delimiterCode) {
			fields.push(field);
			field = '';
			fieldStart = true;
			position++;
			continue;
		}
		if (code === LINE_FEED || code === CARRIAGE_RETURN) {
			if (code === CARRIAGE_RETURN && position + 1 >= length && !final) return -1;
			fields.push(field);
			records.push(fields);
			return code === CARRIAGE_RETURN && text.charCodeAt(position + 1) === LINE_FEED ? position + 2 : position + 1;
		}
		// Unquoted text (or text after a closing quote) up to the next special character.
		let end = position + 1;
		while (end < length) {
			const next = text.charCodeAt(end);
			if (next === delimiterCode || next === LINE_FEED || next === CARRIAGE_RETURN || next === QUOTE) break;
			end++;
		}
		// A quote inside an unquoted field is taken literally.
		if (end < length && text.charCodeAt(end) === QUOTE) end++;
		field += text.slice(position, end);
		fieldStart = false;
		position = end;
	}
}

/** All records of a CSV text, one array of fields each. A leading BOM is dropped; the delimiter is detected when not given. */
export function* parseCsv(text: string, delimiter?: CsvDelimiter): Generator<string[]> {
	const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
	const chosen = delimiter ?? detectCsvDelimiter(body);
	const lineBreak = detectLineBreak(body, true) as LineBreak;
	let position = 0;
	const records: string[][] = [];
	while (position < body.length) {
		records.length = 0;
		position = parseRecords(body, position, chosen, lineBreak, true, records, BATCH_RECORDS);
		for (const record of records) yield record;
	}
}

/**
 * CSV text arriving in chunks: `push` returns the records completed so far, `finish` the last ones. Only the
 * unfinished record is carried from one chunk to the next.
 */
export class CsvStreamParser {
	private readonly carry = new CarryOver(
		MAX_RECORD_CHARS,
		() =>
			new ResultFileError(
				'The CSV has a record longer than 16 million characters, which no result holds: a quote (") is probably never closed. Check the file in a text editor.',
			),
	);
	private delimiter: CsvDelimiter | undefined;
	private lineBreak: LineBreak | undefined;
	private started = false;

	constructor(delimiter?: CsvDelimiter) {
		this.delimiter = delimiter;
	}

	push(chunk: string): string[][] {
		return this.parse(chunk, false);
	}

	finish(): string[][] {
		return this.parse('', true);
	}

	private parse(chunk: string, final: boolean): string[][] {
		let text = this.carry.take(chunk, final);
		if (text === undefined) return [];
		if (!this.started) {
			if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
			// The delimiter and the line break come from the header line, so wait until that line is complete.
			const lineBreak = detectLineBreak(text, final);
			if (lineBreak === undefined) {
				this.carry.keep(text, 0);
				return [];
			}
			this.lineBreak = lineBreak;
			this.delimiter ??= detectCsvDelimiter(text);
			this.started = true;
		}
		const records: string[][] = [];
		const stop = parseRecords(
			text,
			0,
			this.delimiter as CsvDelimiter,
			this.lineBreak as LineBreak,
			final,
			records,
			Infinity,
		);
		this.carry.keep(text, stop);
		return records;
	}
}

/** Records of CSV text arriving in chunks, a batch per chunk. */
export async function* csvRecordBatches(texts: AsyncIterable<string>): AsyncGenerator<RawRecord[]> {
	const parser = new CsvStreamParser();
	for await (const text of texts) {
		const records = parser.push(text);
		if (records.length > 0) yield records;
	}
	const rest = parser.finish();
	if (rest.length > 0) yield rest;
}
