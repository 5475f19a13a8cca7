/**
 * Independent readers the sandbox's own tests use to check the files it serves: a ZIP reader that verifies CRCs
 * (zlib inflate), CSV and XLSX (exceljs / SheetJS) to rows keyed by header.
 */
import * as zlib from 'node:zlib';
import ExcelJS from 'exceljs';
import * as XLSX from '@e965/xlsx';

export type Row = Record<string, string>;

/** Entries of a ZIP archive by name, read from the central directory; throws on a CRC or size mismatch. */
export function unzip(archive: Buffer): Map<string, Buffer> {
	const endOffset = archive.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
	if (endOffset < 0) throw new Error('no end of central directory');
	const count = archive.readUInt16LE(endOffset + 10);
	let offset = archive.readUInt32LE(endOffset + 16);
	const entries = new Map<string, Buffer>();
	for (let index = 0; index < count; index++) {
		if (archive.readUInt32LE(offset) !== 0x02014b50) throw new Error('bad central directory entry');
		const method = archive.readUInt16LE(offset + 10);
		const crc = archive.readUInt32LE(offset + 16);
		const compressedSize = archive.readUInt32LE(offset + 20);
		const size = archive.readUInt32LE(offset + 24);
		const nameLength = archive.readUInt16LE(offset + 28);
		const extraLength = archive.readUInt16LE(offset + 30);
		const commentLength = archive.readUInt16LE(offset + 32);
		const localOffset = archive.readUInt32LE(offset + 42);
		const name = archive.subarray(offset + 46, offset + 46 + nameLength).toString('utf8');
		if (archive.readUInt32LE(localOffset) !== 0x04034b50) throw new Error(`bad local header for ${name}`);
		const dataStart =
			localOffset + 30 + archive.readUInt16LE(localOffset + 26) + archive.readUInt16LE(localOffset + 28);
		const raw = archive.subarray(dataStart, dataStart + compressedSize);
		const data = method === 8 ? zlib.inflateRawSync(raw) : Buffer.from(raw);
		if (data.length !== size) throw new Error(`size mismatch for ${name}`);
		if (zlib.crc32(data) !== crc) throw new Error(`CRC mismatch for ${name}`);
		entries.set(name, data);
		offset += 46 + nameLength + extraLength + commentLength;
	}
	return entries;
}

/** Names of a ZIP's files as SheetJS's own ZIP parser (CFB) sees them: a second, independent reader. */
export function sheetJsZipNames(archive: Buffer): string[] {
	const container = XLSX.CFB.read(archive, { type: 'buffer' }) as { FileIndex: Array<{ name: string; type: number }> };
	return container.FileIndex.filter((entry) => entry.type === 2 && !entry.name.startsWith('\u0001')).map(
		(entry) => entry.name,
	);
}

function toRows(table: string[][]): Row[] {
	const [header, ...body] = table;
	return body.map((cells) => Object.fromEntries(header.map((column, index) => [column, cells[index] ?? ''])));
}

/** CSV (RFC 4180, quotes allowed) to rows; the BOM, if any, must already be removed. */
export function csvRows(text: string): Row[] {
	const table: string[][] = [];
	let row: string[] = [];
	let field = '';
	let quoted = false;
	for (let index = 0; index < text.length; index++) {
		const char = text[index];
		if (quoted) {
			if (char === '"' && text[index + 1] === '"') {
				field += '"';
				index++;
			} else if (char === '"') quoted = false;
			else field += char;
		} else if (char === '"') quoted = true;
		else if (char === ',') {
			row.push(field);
			field = '';
		} else if (char === '\r' && text[index + 1] === '\n') {
			row.push(field);
			table.push(row);
			row = [];
			field = '';
			index++;
		} else field += char;
	}
	if (field !== '' || row.length > 0) {
		row.push(field);
		table.push(row);
	}
	return toRows(table);
}

/** The first sheet of an XLSX as rows, read by exceljs (cell text, '' for a missing cell). */
export async function excelJsRows(file: Buffer): Promise<Row[]> {
	const workbook = new ExcelJS.Workbook();
	await workbook.xlsx.load(file as unknown as ArrayBuffer);
	const sheet = workbook.worksheets[0];
	const table: string[][] = [];
	const width = sheet.getRow(1).cellCount;
	sheet.eachRow({ includeEmpty: true }, (row) => {
		const cells: string[] = [];
		for (let column = 1; column <= width; column++) cells.push(row.getCell(column).text);
		table.push(cells);
	});
	return toRows(table);
}

/** The first sheet of an XLSX as rows, read by SheetJS (formatted text, '' for a missing cell). */
export function sheetJsRows(file: Buffer): Row[] {
	const workbook = XLSX.read(file, { type: 'buffer' });
	const sheet = workbook.Sheets[workbook.SheetNames[0]];
	return XLSX.utils.sheet_to_json<Row>(sheet, { defval: '', raw: false });
}

/** The header row of the first sheet as SheetJS reads it. */
export function sheetJsHeader(file: Buffer): string[] {
	const workbook = XLSX.read(file, { type: 'buffer' });
	const sheet = workbook.Sheets[workbook.SheetNames[0]];
	return (XLSX.utils.sheet_to_json<string[]>(sheet, { header: 1 })[0] ?? []).map(String);
}
