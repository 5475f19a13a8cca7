/**
 * Result files in every shape API.md says the vendor may hand out: XLSX (shared or inline strings), CSV (UTF-8 BOM,
 * CRLF), and ZIP archives holding an XLSX, a CSV, several CSV parts, or a table plus plain number lists.
 */
import { PassThrough } from 'node:stream';
import { finished } from 'node:stream/promises';
import ExcelJS from 'exceljs';

import { cellsFor, resolveCheck, type SandboxCheck } from './results';
import { buildXlsxStreamed, columnLetters, type BuilderCell } from '../helpers/xlsxBuilder';
import { writeZipStreamed, type ZipStreamInput } from '../helpers/zipWriter';

export type ResultFormat =
	| 'xlsx-shared'
	| 'xlsx-inline'
	| 'csv'
	| 'zip-xlsx'
	| 'zip-csv'
	| 'zip-multipart'
	| 'zip-lists';

export const RESULT_FORMATS: readonly ResultFormat[] = [
	'xlsx-shared',
	'xlsx-inline',
	'csv',
	'zip-xlsx',
	'zip-csv',
	'zip-multipart',
	'zip-lists',
];

export function extensionOf(format: ResultFormat): 'xlsx' | 'csv' | 'zip' {
	if (format === 'xlsx-shared' || format === 'xlsx-inline') return 'xlsx';
	if (format === 'csv') return 'csv';
	return 'zip';
}

export function contentTypeOf(format: ResultFormat): string {
	const extension = extensionOf(format);
	if (extension === 'xlsx') return 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
	if (extension === 'csv') return 'text/csv; charset=utf-8';
	return 'application/zip';
}

const ROWS_PER_CHUNK = 5000;
const CRLF = '\r\n';
const BOM = '\ufeff';

function csvField(value: string): string {
	return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function* csvChunks(check: SandboxCheck, numbers: readonly string[]): Generator<Buffer> {
	let text = BOM + check.header.map(csvField).join(',') + CRLF;
	for (let index = 0; index < numbers.length; index++) {
		text += cellsFor(check, numbers[index]).map(csvField).join(',') + CRLF;
		if ((index + 1) % ROWS_PER_CHUNK === 0) {
			yield Buffer.from(text, 'utf8');
			text = '';
		}
	}
	if (text) yield Buffer.from(text, 'utf8');
}

function concatChunks(chunks: Iterable<Buffer>): Buffer {
	return Buffer.concat([...chunks]);
}

/** Numeric-looking columns the vendor writes as numbers in XLSX (age). */
function isNumericColumn(column: string): boolean {
	return column === 'age';
}

/** XLSX with a shared-strings table, as exceljs writes it (empty cells are left out of the XML). */
async function xlsxShared(check: SandboxCheck, numbers: readonly string[]): Promise<Buffer> {
	const stream = new PassThrough();
	const chunks: Buffer[] = [];
	stream.on('data', (chunk: Buffer) => chunks.push(chunk));
	const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream, useSharedStrings: true, useStyles: false });
	const sheet = workbook.addWorksheet('Sheet1');
	sheet.addRow([...check.header]).commit();
	for (const number of numbers) {
		const cells = cellsFor(check, number);
		const values = cells.map((cell, index) => {
			if (cell === '') return undefined;
			return isNumericColumn(check.header[index]) ? Number(cell) : cell;
		});
		sheet.addRow(values).commit();
	}
	sheet.commit();
	await workbook.commit();
	await finished(stream);
	return Buffer.concat(chunks);
}

/** XLSX with inline strings (`t="inlineStr"`), ages as number cells, empty cells left out; written by hand. */
async function xlsxInline(check: SandboxCheck, numbers: readonly string[], modified: Date): Promise<Buffer> {
	const numeric = check.header.map(isNumericColumn);
	function* rows(): Generator<BuilderCell[]> {
		yield [...check.header];
		for (const number of numbers) {
			// Empty cells are missing from the XML entirely.
			yield cellsFor(check, number).map((cell, index) => (cell === '' ? null : numeric[index] ? Number(cell) : cell));
		}
	}
	const dimension = `A1:${columnLetters(check.header.length - 1)}${numbers.length + 1}`;
	const sheet = { name: 'result', rows: rows(), dimension };
	return buildXlsxStreamed([sheet], { strings: 'inline', styles: true, zip: { modified } });
}

function listFile(numbers: readonly string[]): Buffer {
	return Buffer.from(numbers.map((number) => number + '\n').join(''), 'utf8');
}

export interface BuildOptions {
	/** File name inside archives, without extension (the task id on the server). */
	baseName?: string;
	/** Modification time written into ZIP entries. */
	modified?: Date;
}

/**
 * The result file for these numbers in one format. `check` is a catalogue id, a legacy path or a v1 task type
 * (or an already resolved check).
 */
export async function buildResultFile(
	check: SandboxCheck | string,
	numbers: readonly string[],
	format: ResultFormat,
	options: BuildOptions = {},
): Promise<Buffer> {
	const resolved = typeof check === 'string' ? resolveCheck(check) : check;
	const baseName = options.baseName ?? 'result';
	const modified = options.modified ?? new Date(Date.UTC(2025, 0, 1));
	const zip = (entries: ZipStreamInput[]) => writeZipStreamed(entries, { modified });
	switch (format) {
		case 'xlsx-shared':
			return xlsxShared(resolved, numbers);
		case 'xlsx-inline':
			return xlsxInline(resolved, numbers, modified);
		case 'csv':
			return concatChunks(csvChunks(resolved, numbers));
		case 'zip-xlsx':
			return zip([{ name: `${baseName}.xlsx`, data: await xlsxShared(resolved, numbers) }]);
		case 'zip-csv':
			return zip([{ name: `${baseName}.csv`, data: csvChunks(resolved, numbers) }]);
		case 'zip-multipart': {
			// Two parts, each with its own header row; the second may hold only the header for a one-number task.
			const half = Math.ceil(numbers.length / 2);
			return zip([
				{ name: 'part1.csv', data: csvChunks(resolved, numbers.slice(0, half)) },
				{ name: 'part2.csv', data: csvChunks(resolved, numbers.slice(half)) },
			]);
		}
		case 'zip-lists': {
			// The table plus one plain list per flag value (yes.txt, no.txt, and ban.txt for Facebook).
			const lists = new Map<string, string[]>(resolved.flagValues.map((value) => [value, []]));
			const flagIndex = resolved.header.indexOf(resolved.flagColumn);
			for (const number of numbers) {
				const flag = cellsFor(resolved, number)[flagIndex];
				lists.get(flag)?.push(number);
			}
			return zip([
				{ name: `${baseName}.csv`, data: csvChunks(resolved, numbers) },
				...[...lists].map(([value, listed]) => ({ name: `${value}.txt`, data: listFile(listed) })),
			]);
		}
		default: {
			const unknown: never = format;
			throw new Error(`unknown result format ${String(unknown)}`);
		}
	}
}
