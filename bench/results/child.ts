/**
 * One measurement in its own process, so that each reader's peak memory (maxRSS) is its own:
 *   node --import tsx bench/results/child.ts <ours|floor|floor-all|sheetjs|exceljs> <file>
 * Prints one JSON line: { rows, ms, cpuMs, maxRssMb }. The clocks start once the file is in memory; cpuMs (user +
 * system time of this process, zlib's threads included) is the steadier figure on a machine shared with other work.
 */
import ExcelJS from 'exceljs';
import * as XLSX from '@e965/xlsx';
import { readFileSync } from 'fs';
import { Readable } from 'stream';
import { readResultRows } from '../../nodes/EKycPro/results';
import { locateWorkbookParts } from '../../nodes/EKycPro/results/xlsx';
import { openZip, readEntryBytes, type ZipArchive, type ZipEntry } from '../../nodes/EKycPro/results/zip';

async function ours(data: Uint8Array): Promise<number> {
	let rows = 0;
	let characters = 0;
	for await (const row of readResultRows(data)) {
		rows++;
		// Touch a value so that the rows are really built.
		characters += (row.number as string).length;
	}
	if (characters === 0 && rows > 0) throw new Error('no numbers read');
	return rows;
}

/** The DecompressionStream inflate of one entry, fed and drained exactly as the reader does, without parsing. */
async function inflateOnly(zip: ZipArchive, entry: ZipEntry): Promise<number> {
	const view = new DataView(zip.data.buffer, zip.data.byteOffset, zip.data.byteLength);
	const start =
		entry.localHeaderOffset +
		30 +
		view.getUint16(entry.localHeaderOffset + 26, true) +
		view.getUint16(entry.localHeaderOffset + 28, true);
	const compressed = zip.data.subarray(start, start + entry.compressedSize);
	if (entry.method === 0) return compressed.length;
	const stream = new DecompressionStream('deflate-raw');
	const writer = stream.writable.getWriter();
	const reader = stream.readable.getReader();
	const feeding = (async () => {
		for (let offset = 0; offset < compressed.length; offset += 64 * 1024) {
			await writer.write(compressed.subarray(offset, offset + 64 * 1024) as Uint8Array<ArrayBuffer>);
		}
		await writer.close();
	})();
	let bytes = 0;
	for (;;) {
		const { done, value } = await reader.read();
		if (done) break;
		bytes += value.length;
	}
	await feeding;
	return bytes;
}

/**
 * Floor: inflate the sheet entry only (for an archive, the table entry, and the sheet inside a nested workbook).
 * With `withSharedStrings`, the shared strings part too: everything the reader has to inflate.
 */
async function floor(data: Uint8Array, withSharedStrings: boolean): Promise<number> {
	let zip = openZip(data);
	const table = zip.entries.find((entry) => /\.(xlsx|csv)$/i.test(entry.name));
	if (table && /\.csv$/i.test(table.name)) return inflateOnly(zip, table);
	if (table) zip = openZip(await readEntryBytes(zip, table));
	const parts = await locateWorkbookParts(zip);
	const shared = withSharedStrings && parts.sharedStrings ? await inflateOnly(zip, parts.sharedStrings) : 0;
	return shared + (await inflateOnly(zip, parts.sheet));
}

function sheetjs(data: Uint8Array): number {
	// What n8n's Extract From File node does: read the workbook, then sheet_to_json on the first sheet.
	const workbook = XLSX.read(data, { type: 'buffer' });
	const sheet = workbook.Sheets[workbook.SheetNames[0]];
	return XLSX.utils.sheet_to_json(sheet).length;
}

async function exceljs(data: Uint8Array): Promise<number> {
	const reader = new ExcelJS.stream.xlsx.WorkbookReader(
		Readable.from([Buffer.from(data.buffer, data.byteOffset, data.byteLength)]),
		{
			sharedStrings: 'cache',
			worksheets: 'emit',
			hyperlinks: 'ignore',
			styles: 'ignore',
			entries: 'emit',
		},
	);
	let rows = 0;
	let first = true;
	for await (const worksheet of reader) {
		if (!first) continue;
		first = false;
		for await (const row of worksheet) if (row) rows++;
	}
	// exceljs counts the header row as a row; the others do not.
	return rows - 1;
}

async function main(): Promise<void> {
	const [tool, file] = process.argv.slice(2);
	const data = new Uint8Array(readFileSync(file));
	const started = performance.now();
	const cpuStarted = process.cpuUsage();
	let rows: number;
	if (tool === 'ours') rows = await ours(data);
	else if (tool === 'floor') rows = await floor(data, false);
	else if (tool === 'floor-all') rows = await floor(data, true);
	else if (tool === 'sheetjs') rows = sheetjs(data);
	else if (tool === 'exceljs') rows = await exceljs(data);
	else throw new Error(`unknown tool ${tool}`);
	const ms = performance.now() - started;
	const cpu = process.cpuUsage(cpuStarted);
	const cpuMs = (cpu.user + cpu.system) / 1000;
	const maxRssMb = process.resourceUsage().maxRSS / 1024;
	process.stdout.write(`${JSON.stringify({ rows, ms, cpuMs, maxRssMb })}\n`);
}

main().catch((error) => {
	process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
	process.exit(1);
});
