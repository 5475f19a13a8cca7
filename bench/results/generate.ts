/**
 * Generates benchmark result files shaped like the WhatsApp Avatar result (columns `Number, age, avatar, category,
 * gender, hair_color, skin_color, whatsapp`, about 60 % `no` rows with the other cells empty), in every format the
 * reader takes. Files are cached under bench/.out/ and only written when missing.
 */
import ExcelJS from 'exceljs';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'fs';
import { join } from 'path';
import { buildXlsx } from '../../test/helpers/xlsxBuilder';
import { writeZip } from '../../test/helpers/zipWriter';
import { fractionDraws } from '../../test/helpers/random';

export const HEADER = ['Number', 'age', 'avatar', 'category', 'gender', 'hair_color', 'skin_color', 'whatsapp'];
type Cell = string | number | null;

export type FileKind = 'xlsx-shared' | 'xlsx-inline' | 'csv' | 'zip-xlsx-shared' | 'zip-xlsx-inline' | 'zip-csv';
export const FILE_KINDS: FileKind[] = [
	'xlsx-shared',
	'xlsx-inline',
	'csv',
	'zip-xlsx-shared',
	'zip-xlsx-inline',
	'zip-csv',
];

const COUNTRY_CODES = ['41', '44', '1', '49', '33', '86', '62', '90', '971', '55'];
const CATEGORIES = ['individual portrait', 'pet avatar', 'object', 'group photo', 'cartoon'];
const GENDERS = ['male', 'female'];
const HAIR = ['black', 'brown', 'blonde', 'red', 'gray'];
const SKIN = ['white', 'black', 'brown'];

export function* avatarRows(count: number): Generator<Cell[]> {
	const next = fractionDraws(20241019);
	const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)];
	for (let index = 0; index < count; index++) {
		const number = `+${COUNTRY_CODES[index % COUNTRY_CODES.length]}${700000000 + index}`;
		if (next() < 0.6) {
			yield [number, null, null, null, null, null, null, 'no'];
			continue;
		}
		const avatar = `https://wapic.s3.ap-southeast-1.amazonaws.com/avatar/${((index * 2654435761) >>> 0).toString(16)}${index.toString(36)}.jpg`;
		yield [
			number,
			18 + Math.floor(next() * 50),
			avatar,
			pick(CATEGORIES),
			pick(GENDERS),
			pick(HAIR),
			pick(SKIN),
			'yes',
		];
	}
}

async function writeSharedStringsXlsx(path: string, rows: number): Promise<void> {
	// exceljs's streaming writer with shared strings: the layout Excel itself writes.
	const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: path, useSharedStrings: true, useStyles: false });
	const sheet = workbook.addWorksheet('Sheet1');
	sheet.addRow(HEADER).commit();
	for (const row of avatarRows(rows)) sheet.addRow(row).commit();
	sheet.commit();
	await workbook.commit();
}

/** An XLSX whose strings are all inline (`t="inlineStr"`), as streaming writers of some servers produce. */
function inlineXlsx(rows: number): Buffer {
	function* all(): Generator<Cell[]> {
		yield HEADER;
		yield* avatarRows(rows);
	}
	return buildXlsx([{ name: 'Result', rows: all() }], { strings: 'inline' });
}

function csvField(cell: Cell): string {
	if (cell === null) return '';
	const text = String(cell);
	return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A CSV as the API's likely variation has it: UTF-8 BOM and CRLF line ends. */
function csv(rows: number): Buffer {
	const pieces: string[] = ['\uFEFF', HEADER.join(','), '\r\n'];
	const chunks: Buffer[] = [];
	for (const row of avatarRows(rows)) {
		pieces.push(row.map(csvField).join(','), '\r\n');
		if (pieces.length > 40000) {
			chunks.push(Buffer.from(pieces.join(''), 'utf8'));
			pieces.length = 0;
		}
	}
	chunks.push(Buffer.from(pieces.join(''), 'utf8'));
	return Buffer.concat(chunks);
}

export function filePath(outDir: string, kind: FileKind, rows: number): string {
	const extension = kind.startsWith('zip-') ? 'zip' : kind === 'csv' ? 'csv' : 'xlsx';
	return join(outDir, `avatar-${rows}-${kind}.${extension}`);
}

function writeAtomically(path: string, data: Buffer): void {
	writeFileSync(`${path}.partial`, data);
	renameSync(`${path}.partial`, path);
}

/** Makes sure every file of `rows` rows exists in `outDir`; returns their paths by kind. */
export async function ensureFiles(
	outDir: string,
	rows: number,
	log: (line: string) => void,
): Promise<Record<FileKind, string>> {
	mkdirSync(outDir, { recursive: true });
	const paths = Object.fromEntries(FILE_KINDS.map((kind) => [kind, filePath(outDir, kind, rows)])) as Record<
		FileKind,
		string
	>;
	const make = async (kind: FileKind, build: () => Promise<void> | void) => {
		if (existsSync(paths[kind])) return;
		const started = Date.now();
		await build();
		log(`generated ${paths[kind]} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
	};
	await make('xlsx-shared', async () => {
		await writeSharedStringsXlsx(`${paths['xlsx-shared']}.partial`, rows);
		renameSync(`${paths['xlsx-shared']}.partial`, paths['xlsx-shared']);
	});
	await make('xlsx-inline', () => writeAtomically(paths['xlsx-inline'], inlineXlsx(rows)));
	await make('csv', () => writeAtomically(paths.csv, csv(rows)));
	await make('zip-xlsx-shared', () =>
		writeAtomically(
			paths['zip-xlsx-shared'],
			writeZip([{ name: 'result/result.xlsx', data: readFileSync(paths['xlsx-shared']) }]),
		),
	);
	await make('zip-xlsx-inline', () =>
		writeAtomically(
			paths['zip-xlsx-inline'],
			writeZip([{ name: 'result.xlsx', data: readFileSync(paths['xlsx-inline']) }]),
		),
	);
	await make('zip-csv', () =>
		writeAtomically(paths['zip-csv'], writeZip([{ name: 'result.csv', data: readFileSync(paths.csv) }])),
	);
	return paths;
}
