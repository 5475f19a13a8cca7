import ExcelJS from 'exceljs';
import { readResultRows, ResultFileError, sniffResultFile, type ResultRow } from '../../../nodes/EKycPro/results';
import { listZip, writeZip, type ZipInput } from '../../helpers/zipWriter';
import { expectedRows, readAll, type WrittenValue } from './helpers/rows';

const HEADER = ['Number', 'telegram', 'avatar', 'age'];

function numberAt(index: number): string {
	return `+4179${String(index).padStart(7, '0')}`;
}

function tableRows(from: number, count: number): WrittenValue[][] {
	const rows: WrittenValue[][] = [];
	for (let index = from; index < from + count; index++) {
		rows.push(
			index % 3 === 0
				? [numberAt(index), 'no', '', '']
				: [numberAt(index), 'yes', `https://x.example/${index}.jpg`, String(20 + (index % 40))],
		);
	}
	return rows;
}

function csvText(header: string[] | undefined, rows: WrittenValue[][], lineEnd = '\r\n', bom = true): string {
	const lines = (header ? [header, ...rows] : rows).map((row) =>
		row.map((value) => (value === null || value === undefined ? '' : String(value))).join(','),
	);
	return `${bom ? '\uFEFF' : ''}${lines.join(lineEnd)}${lineEnd}`;
}

async function excelBytes(header: string[], rows: WrittenValue[][]): Promise<Uint8Array> {
	const workbook = new ExcelJS.Workbook();
	const sheet = workbook.addWorksheet('Result');
	sheet.addRow(header);
	for (const row of rows) sheet.addRow(row.map((value) => (value === '' ? null : value)));
	return new Uint8Array(await workbook.xlsx.writeBuffer());
}

/** exceljs leaves empty cells out; the reader gives them back as ''. */
function expectedFromExcel(header: string[], rows: WrittenValue[][]): ResultRow[] {
	return expectedRows(header, rows);
}

async function readError(data: Uint8Array): Promise<{ error: unknown; rows: number }> {
	let rows = 0;
	try {
		for await (const row of readResultRows(data)) if (row) rows++;
	} catch (error) {
		return { error, rows };
	}
	return { error: undefined, rows };
}

describe('ZIP archives of tables', () => {
	it('reads a ZIP holding an XLSX', async () => {
		const rows = tableRows(0, 40);
		const data = writeZip([{ name: 'result.xlsx', data: await excelBytes(HEADER, rows) }]);
		expect(sniffResultFile(data)).toEqual({ format: 'zip', mimeType: 'application/zip', extension: 'zip' });
		expect(await readAll(data)).toEqual(expectedFromExcel(HEADER, rows));
	});

	it('reads a ZIP holding a CSV with BOM and CRLF', async () => {
		const rows = tableRows(0, 25);
		const data = writeZip([{ name: 'd4g24nep2jvh04o9uoh0.csv', data: csvText(HEADER, rows) }]);
		expect(await readAll(data)).toEqual(expectedRows(HEADER, rows));
	});

	it('reads every part of a multi-part archive in natural name order, with one header', async () => {
		const part1 = tableRows(0, 10);
		const part2 = tableRows(10, 10);
		const part10 = tableRows(20, 10);
		const part3 = tableRows(30, 5);
		const data = writeZip([
			{ name: 'result/part10.csv', data: csvText(HEADER, part10) },
			{
				name: 'result/part2.csv',
				data: csvText(
					HEADER.map((name) => name.toUpperCase()),
					part2,
				),
			},
			{ name: '__MACOSX/result/._part1.csv', data: 'binary resource fork \u0000\u0001' },
			{ name: 'result/.DS_Store', data: '\u0000\u0000junk' },
			{ name: 'result/numbers.txt', data: part1.map((row) => row[0]).join('\n') },
			{ name: 'result/', data: '', method: 0 },
			{ name: 'result/part1.xlsx', data: await excelBytes(HEADER, part1) },
			{ name: 'result/part3.csv', data: csvText(HEADER, part3, '\n', false) },
		]);
		expect(await readAll(data)).toEqual(expectedRows(HEADER, [...part1, ...part2, ...part3, ...part10]));
	});

	it('takes a later part without a header row as more rows under the first header', async () => {
		const part1 = tableRows(0, 4);
		const part2 = tableRows(4, 4);
		const data = writeZip([
			{ name: 'part1.csv', data: csvText(HEADER, part1) },
			{ name: 'part2.csv', data: csvText(undefined, part2) },
		]);
		expect(await readAll(data)).toEqual(expectedRows(HEADER, [...part1, ...part2]));
	});

	it('reads ZIP64 records, data descriptors and stored entries', async () => {
		const rows = tableRows(0, 30);
		const csv = csvText(HEADER, rows);
		const variants: Array<[string, ZipInput, { zip64?: boolean }]> = [
			['zip64', { name: 'r.csv', data: csv }, { zip64: true }],
			['data descriptor', { name: 'r.csv', data: csv, dataDescriptor: true }, {}],
			['zip64 + data descriptor', { name: 'r.csv', data: csv, dataDescriptor: true }, { zip64: true }],
			['stored', { name: 'r.csv', data: csv, method: 0 }, {}],
			['stored + zip64 + descriptor', { name: 'r.csv', data: csv, method: 0, dataDescriptor: true }, { zip64: true }],
		];
		for (const [label, entry, options] of variants) {
			const data = writeZip([entry], options);
			expect({ label, rows: await readAll(data) }).toEqual({ label, rows: expectedRows(HEADER, rows) });
		}
	});

	it('reads an XLSX whose own entries are stored, use data descriptors or ZIP64', async () => {
		const rows = tableRows(0, 20);
		const original = listZip(await excelBytes(HEADER, rows));
		const entries = [...original].map(([name, data]) => ({ name, data }));
		for (const [method, dataDescriptor, zip64] of [
			[0, false, false],
			[8, true, false],
			[8, true, true],
		] as const) {
			const data = writeZip(
				entries.map((entry) => ({ ...entry, method, dataDescriptor })),
				{ zip64 },
			);
			expect(sniffResultFile(data).format).toBe('xlsx');
			expect(await readAll(data)).toEqual(expectedFromExcel(HEADER, rows));
		}
	});

	it('reads a ZIP with a comment after its directory', async () => {
		const rows = tableRows(0, 3);
		const data = writeZip([{ name: 'r.csv', data: csvText(HEADER, rows) }], {
			comment: 'exported by eKYCPro PK\u0005\u0006 fake',
		});
		expect(await readAll(data)).toEqual(expectedRows(HEADER, rows));
	});
});

describe('ZIP archives of plain number lists', () => {
	const lists = {
		yes: ['+41798284651', '+41798284652'],
		no: ['+41798284653'],
		ban: ['+41798284654', '+41798284655'],
	};
	const archive = () =>
		writeZip([
			{ name: 'task/yes.txt', data: `${lists.yes.join('\r\n')}\r\n` },
			{ name: 'task/no.txt', data: `\uFEFF${lists.no.join('\n')}\n\n` },
			{ name: 'task/ban.txt', data: `number\r${lists.ban.join('\r')}` },
		]);

	it('gives one row per number with the name of its list', async () => {
		const expected = (['ban', 'no', 'yes'] as const).flatMap((name) =>
			lists[name].map((number) => ({ number, result: name })),
		);
		expect(await readAll(archive())).toEqual(expected);
	});

	it('puts the list name under the key the caller chose, simplified when asked', async () => {
		const rows = await readAll(archive(), { listColumn: 'facebook', simplify: true });
		expect(rows).toEqual([
			...lists.ban.map((number) => ({ number, facebook: 'ban' })),
			...lists.no.map((number) => ({ number, facebook: false })),
			...lists.yes.map((number) => ({ number, facebook: true })),
		]);
	});
});

describe('damaged archives', () => {
	const rows = tableRows(0, 50);
	const csv = csvText(HEADER, rows);

	it('rejects an entry whose CRC-32 does not match, without rows', async () => {
		for (const method of [0, 8] as const) {
			const data = writeZip([{ name: 'r.csv', data: csv, method, crc32: 0x12345678 }]);
			const { error, rows: seen } = await readError(data);
			expect(error).toBeInstanceOf(ResultFileError);
			expect((error as Error).message).toMatch(/checksum \(CRC-32\) of "r.csv" does not match/);
			expect(seen).toBe(0);
		}
	});

	it('rejects an XLSX whose worksheet fails its CRC-32', async () => {
		const entries = [...listZip(await excelBytes(HEADER, rows))].map(([name, data]) => ({
			name,
			data,
			crc32: name.endsWith('sheet1.xml') ? 1 : undefined,
		}));
		const { error, rows: seen } = await readError(writeZip(entries));
		expect(error).toBeInstanceOf(ResultFileError);
		expect((error as Error).message).toMatch(/sheet1.xml" does not match/);
		expect(seen).toBe(0);
	});

	it('rejects an entry shorter or longer than its header states', async () => {
		const size = new TextEncoder().encode(csv).length;
		for (const [uncompressedSize, pattern] of [
			[size + 10, /holds \d+ of the \d+ bytes|length|checksum/],
			[size - 10, /longer than the \d+ bytes/],
		] as const) {
			const { error, rows: seen } = await readError(writeZip([{ name: 'r.csv', data: csv, uncompressedSize }]));
			expect(error).toBeInstanceOf(ResultFileError);
			expect((error as Error).message).toMatch(pattern);
			expect(seen).toBe(0);
		}
	});

	it('rejects damaged compressed data with a clear message', async () => {
		const data = writeZip([{ name: 'r.csv', data: csv }]);
		const damaged = Buffer.from(data);
		for (let index = 40; index < 80; index++) damaged[index] ^= 0x5a;
		const { error, rows: seen } = await readError(damaged);
		expect(error).toBeInstanceOf(ResultFileError);
		expect((error as Error).message).toMatch(/not a readable ZIP\/XLSX file .*Download the result again/);
		expect(seen).toBe(0);
	});

	it('rejects every truncation of an XLSX with a ResultFileError, never another error or a hang', async () => {
		const data = await excelBytes(HEADER, rows);
		const cuts = [
			4,
			22,
			100,
			Math.floor(data.length / 3),
			Math.floor(data.length / 2),
			data.length - 23,
			data.length - 1,
		];
		for (const cut of cuts) {
			const { error } = await readError(data.subarray(0, cut));
			expect({ cut, isResultFileError: error instanceof ResultFileError }).toEqual({ cut, isResultFileError: true });
			expect((error as Error).message).toMatch(/damaged|cut short|incomplete|missing|not a readable/);
		}
	});

	it('rejects a truncated entry whose directory survived', async () => {
		// Cut the compressed data of the only entry short, then rebuild a directory that still claims the full size.
		const full = writeZip([{ name: 'r.csv', data: csv, method: 8 }]);
		const entries = listZip(full);
		expect(entries.get('r.csv')?.toString('utf8')).toBe(csv);
		const view = Buffer.from(full);
		const nameLength = view.readUInt16LE(26);
		const compressedSize = view.readUInt32LE(18);
		const dataStart = 30 + nameLength;
		const shortened = Buffer.concat([
			view.subarray(0, dataStart + Math.floor(compressedSize / 2)),
			view.subarray(dataStart + compressedSize),
		]);
		const { error } = await readError(shortened);
		expect(error).toBeInstanceOf(ResultFileError);
	});

	it('explains an empty archive, a password-protected entry and an unsupported method', async () => {
		const empty = Buffer.from([0x50, 0x4b, 0x05, 0x06, ...new Array(18).fill(0)]);
		expect(() => sniffResultFile(empty)).toThrow(/empty ZIP archive/);
		expect(() => sniffResultFile(writeZip([{ name: 'folder/', data: '', method: 0 }]))).toThrow(/no files in it/);

		const encrypted = Buffer.from(writeZip([{ name: 'r.csv', data: csv, method: 0 }]));
		for (const offset of [6, encrypted.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])) + 8]) {
			encrypted.writeUInt16LE(encrypted.readUInt16LE(offset) | 1, offset);
		}
		await expect(readAll(encrypted)).rejects.toThrow(/password-protected/);

		const bzip2 = Buffer.from(writeZip([{ name: 'r.csv', data: csv, method: 0 }]));
		for (const offset of [8, bzip2.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])) + 10])
			bzip2.writeUInt16LE(12, offset);
		await expect(readAll(bzip2)).rejects.toThrow(/compression method 12/);
	});

	it('says what an archive holds when it has no table and no list', async () => {
		const data = writeZip([
			{ name: 'readme.pdf', data: '%PDF-1.4' },
			{ name: 'image.png', data: 'png' },
		]);
		await expect(readAll(data)).rejects.toThrow(
			/no table \(.xlsx or .csv\) and no number list \(.txt\); it holds "readme.pdf", "image.png"/,
		);
	});

	it('rejects a file named .xlsx inside an archive that is not a workbook', async () => {
		const data = writeZip([{ name: 'result.xlsx', data: 'not a zip at all' }]);
		await expect(readAll(data)).rejects.toThrow(ResultFileError);
	});
});

describe('stopping early', () => {
	/** Counts the chunks every DecompressionStream hands out, to see whether inflating goes on after a stop. */
	function countInflatedChunks(): { chunks: () => number; restore: () => void } {
		const original = globalThis.DecompressionStream;
		let chunks = 0;
		class CountingDecompressionStream {
			readonly writable: WritableStream<BufferSource>;
			readonly readable: ReadableStream<Uint8Array>;
			constructor(format: CompressionFormat) {
				const inner = new original(format);
				this.writable = inner.writable;
				this.readable = inner.readable.pipeThrough(
					new TransformStream<Uint8Array, Uint8Array>({
						transform(chunk, controller) {
							chunks++;
							controller.enqueue(chunk);
						},
					}),
				);
			}
		}
		globalThis.DecompressionStream = CountingDecompressionStream as unknown as typeof DecompressionStream;
		return { chunks: () => chunks, restore: () => (globalThis.DecompressionStream = original) };
	}

	async function settle(): Promise<void> {
		for (let index = 0; index < 20; index++) await new Promise((resolve) => setImmediate(resolve));
	}

	// About 13 MB: more than the 8 MiB an entry may have to be checked whole before its first row.
	const bigRows = tableRows(0, 320000);
	const bigCsv = csvText(HEADER, bigRows);

	it('stops inflating when the caller breaks out of the loop', async () => {
		const data = writeZip([{ name: 'big.csv', data: bigCsv }]);
		const counter = countInflatedChunks();
		try {
			const seen: ResultRow[] = [];
			for await (const row of readResultRows(data)) {
				seen.push(row);
				if (seen.length === 5) break;
			}
			expect(seen).toEqual(expectedRows(HEADER, bigRows.slice(0, 5)));
			const atBreak = counter.chunks();
			await settle();
			// The whole CSV is about 800 chunks of 16 KiB; only a few were inflated and none after the break.
			expect(counter.chunks()).toBe(atBreak);
			expect(atBreak).toBeLessThan(20);
		} finally {
			counter.restore();
		}
	});

	it('stops at once when the signal is aborted', async () => {
		const data = writeZip([{ name: 'big.csv', data: bigCsv }]);
		const controller = new AbortController();
		const seen: ResultRow[] = [];
		for await (const row of readResultRows(data, { signal: controller.signal })) {
			seen.push(row);
			if (seen.length === 7) controller.abort();
		}
		expect(seen).toHaveLength(7);
	});

	it('stops at once when the signal is aborted while reading plain number lists', async () => {
		const list = Array.from({ length: 50000 }, (_, index) => `+4179${String(index).padStart(7, '0')}`).join('\n');
		const controller = new AbortController();
		const seen: ResultRow[] = [];
		for await (const row of readResultRows(writeZip([{ name: 'yes.txt', data: list }]), {
			signal: controller.signal,
		})) {
			seen.push(row);
			if (seen.length === 3) controller.abort();
		}
		expect(seen).toEqual(['+41790000000', '+41790000001', '+41790000002'].map((number) => ({ number, result: 'yes' })));
	});

	it('reads nothing when the signal is already aborted', async () => {
		const controller = new AbortController();
		controller.abort();
		expect(await readAll(writeZip([{ name: 'r.csv', data: bigCsv }]), { signal: controller.signal })).toEqual([]);
	});
});
