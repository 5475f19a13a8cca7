/**
 * Result files in every shape API.md says the vendor may hand out: XLSX (shared or inline strings), CSV (UTF-8 BOM,
 * CRLF), and ZIP archives holding an XLSX, a CSV, several CSV parts, or a table plus plain number lists.
 */
import { PassThrough } from 'node:stream';
import { finished } from 'node:stream/promises';
import ExcelJS from 'exceljs';

import { cellsFor, resolveCheck, type SandboxCheck } from './results';
import { writeZip } from './zip';

export type ResultFormat = 'xlsx-shared' | 'xlsx-inline' | 'csv' | 'zip-xlsx' | 'zip-csv' | 'zip-multipart' | 'zip-lists';

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

function columnLetters(index: number): string {
	let letters = '';
	let rest = index + 1;
	while (rest > 0) {
		const digit = (rest - 1) % 26;
		letters = String.fromCharCode(65 + digit) + letters;
		rest = Math.floor((rest - 1) / 26);
	}
	return letters;
}

function xmlText(value: string): string {
	return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function inlineRow(
	rowNumber: number,
	header: readonly string[],
	letters: readonly string[],
	cells: readonly string[],
	numeric: boolean,
): string {
	let xml = `<row r="${rowNumber}">`;
	for (let index = 0; index < cells.length; index++) {
		const cell = cells[index];
		if (cell === '') continue; // empty cells are missing from the XML entirely
		const reference = `${letters[index]}${rowNumber}`;
		if (numeric && isNumericColumn(header[index])) xml += `<c r="${reference}"><v>${cell}</v></c>`;
		else xml += `<c r="${reference}" t="inlineStr"><is><t>${xmlText(cell)}</t></is></c>`;
	}
	return xml + '</row>';
}

function* inlineSheetChunks(check: SandboxCheck, numbers: readonly string[]): Generator<Buffer> {
	const letters = check.header.map((_, index) => columnLetters(index));
	let xml =
		'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
		'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ' +
		'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">' +
		`<dimension ref="A1:${columnLetters(check.header.length - 1)}${numbers.length + 1}"/><sheetData>` +
		inlineRow(1, check.header, letters, check.header, false);
	for (let index = 0; index < numbers.length; index++) {
		xml += inlineRow(index + 2, check.header, letters, cellsFor(check, numbers[index]), true);
		if ((index + 1) % ROWS_PER_CHUNK === 0) {
			yield Buffer.from(xml, 'utf8');
			xml = '';
		}
	}
	yield Buffer.from(xml + '</sheetData></worksheet>', 'utf8');
}

const CONTENT_TYPES =
	'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
	'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
	'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
	'<Default Extension="xml" ContentType="application/xml"/>' +
	'<Override PartName="/xl/workbook.xml" ' +
	'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
	'<Override PartName="/xl/worksheets/sheet1.xml" ' +
	'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' +
	'<Override PartName="/xl/styles.xml" ' +
	'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>' +
	'</Types>';

const ROOT_RELS =
	'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
	'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
	'<Relationship Id="rId1" ' +
	'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" ' +
	'Target="xl/workbook.xml"/></Relationships>';

const WORKBOOK =
	'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
	'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ' +
	'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">' +
	'<sheets><sheet name="result" sheetId="1" r:id="rId1"/></sheets></workbook>';

const WORKBOOK_RELS =
	'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
	'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
	'<Relationship Id="rId1" ' +
	'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" ' +
	'Target="worksheets/sheet1.xml"/>' +
	'<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" ' +
	'Target="styles.xml"/></Relationships>';

const STYLES =
	'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
	'<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' +
	'<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>' +
	'<fills count="1"><fill><patternFill patternType="none"/></fill></fills>' +
	'<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>' +
	'<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>' +
	'<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>' +
	'</styleSheet>';

/** XLSX with inline strings (`t="inlineStr"`), ages as number cells, empty cells left out; written by hand. */
async function xlsxInline(check: SandboxCheck, numbers: readonly string[], modified: Date): Promise<Buffer> {
	return writeZip(
		[
			{ name: '[Content_Types].xml', data: Buffer.from(CONTENT_TYPES) },
			{ name: '_rels/.rels', data: Buffer.from(ROOT_RELS) },
			{ name: 'xl/workbook.xml', data: Buffer.from(WORKBOOK) },
			{ name: 'xl/_rels/workbook.xml.rels', data: Buffer.from(WORKBOOK_RELS) },
			{ name: 'xl/styles.xml', data: Buffer.from(STYLES) },
			{ name: 'xl/worksheets/sheet1.xml', data: inlineSheetChunks(check, numbers) },
		],
		modified,
	);
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
	switch (format) {
		case 'xlsx-shared':
			return xlsxShared(resolved, numbers);
		case 'xlsx-inline':
			return xlsxInline(resolved, numbers, modified);
		case 'csv':
			return concatChunks(csvChunks(resolved, numbers));
		case 'zip-xlsx':
			return writeZip([{ name: `${baseName}.xlsx`, data: await xlsxShared(resolved, numbers) }], modified);
		case 'zip-csv':
			return writeZip([{ name: `${baseName}.csv`, data: csvChunks(resolved, numbers) }], modified);
		case 'zip-multipart': {
			// Two parts, each with its own header row; the second may hold only the header for a one-number task.
			const half = Math.ceil(numbers.length / 2);
			return writeZip(
				[
					{ name: 'part1.csv', data: csvChunks(resolved, numbers.slice(0, half)) },
					{ name: 'part2.csv', data: csvChunks(resolved, numbers.slice(half)) },
				],
				modified,
			);
		}
		case 'zip-lists': {
			// The table plus one plain list per flag value (yes.txt, no.txt, and ban.txt for Facebook).
			const lists = new Map<string, string[]>(resolved.flagValues.map((value) => [value, []]));
			const flagIndex = resolved.header.indexOf(resolved.flagColumn);
			for (const number of numbers) {
				const flag = cellsFor(resolved, number)[flagIndex];
				lists.get(flag)?.push(number);
			}
			return writeZip(
				[
					{ name: `${baseName}.csv`, data: csvChunks(resolved, numbers) },
					...[...lists].map(([value, listed]) => ({ name: `${value}.txt`, data: listFile(listed) })),
				],
				modified,
			);
		}
		default: {
			const unknown: never = format;
			throw new Error(`unknown result format ${String(unknown)}`);
		}
	}
}
