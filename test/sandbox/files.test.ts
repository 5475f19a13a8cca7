/**
 * The result files the sandbox serves, read back with independent readers (zlib, exceljs, SheetJS): every format
 * holds each uploaded number once, in order, with the row `expectedRow` promises.
 */
import * as zlib from 'node:zlib';

import { crc32, crc32Fallback, writeZipStreamed } from '../helpers/zipWriter';
import {
	buildResultFile,
	RESULT_FORMATS,
	resolveCheck,
	rowFor,
	startSandbox,
	type ResultFormat,
	type Sandbox,
} from './index';
import { csvRows, excelJsRows, sheetJsHeader, sheetJsRows, sheetJsZipNames, unzip, type Row } from './readers';

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

function numbers(count: number, first = 0): string[] {
	return Array.from({ length: count }, (_, index) => `+33612${String(first + index).padStart(6, '0')}`);
}

function expectedRows(sandbox: Sandbox, check: string, list: readonly string[]): Row[] {
	return list.map((number) => sandbox.expectedRow(check, number));
}

function csvText(file: Buffer): string {
	expect(file.subarray(0, 3)).toEqual(BOM);
	const text = file.subarray(3).toString('utf8');
	expect(text.endsWith('\r\n')).toBe(true);
	expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/); // every line break is CRLF
	return text;
}

/** Downloads the result of a task created on `check` after the lifecycle has run out on the manual clock. */
async function download(format: ResultFormat, check: { path?: string; taskType?: string }, list: string[]) {
	let clock = Date.UTC(2025, 2, 3);
	const sandbox = await startSandbox({ now: () => clock, resultFormat: format });
	try {
		const form = new FormData();
		form.append('file', new Blob([list.join('\n')]), 'numbers.txt');
		if (check.taskType) form.append('task_type', check.taskType);
		const headers = { 'X-API-Key': sandbox.apiKey };
		const createUrl = check.path ? `${sandbox.baseUrl}${check.path}/tasks` : `${sandbox.baseUrl}/v1/tasks`;
		const created = (await (await fetch(createUrl, { method: 'POST', headers, body: form })).json()) as {
			task_id: string;
		};
		clock += 24 * 3_600_000;
		let status: { status: string; result_url?: string };
		if (check.path) {
			status = (await (await fetch(`${createUrl}/${created.task_id}`, { headers })).json()) as typeof status;
		} else {
			const query = new FormData();
			query.append('task_id', created.task_id);
			const response = await fetch(`${sandbox.baseUrl}/v1/gettasks`, { method: 'POST', headers, body: query });
			status = (await response.json()) as typeof status;
		}
		expect(status.status).toBe('exported');
		const response = await fetch(status.result_url as string);
		expect(response.status).toBe(200);
		return {
			sandbox,
			id: created.task_id,
			url: status.result_url as string,
			file: Buffer.from(await response.arrayBuffer()),
		};
	} finally {
		await sandbox.close();
	}
}

const AVATAR_NUMBERS = numbers(60);

describe('result formats through the sandbox', () => {
	it('xlsx-shared: an exceljs workbook with a shared-strings table and numeric ages', async () => {
		const { sandbox, file, url } = await download('xlsx-shared', { path: '/wa/api/deep' }, AVATAR_NUMBERS);
		expect(new URL(url).pathname).toMatch(/\.xlsx$/);
		const parts = unzip(file);
		expect(parts.has('xl/sharedStrings.xml')).toBe(true);
		const sheet = parts.get('xl/worksheets/sheet1.xml')?.toString('utf8') ?? '';
		expect(sheet).toContain('t="s"');
		expect(sheet).not.toContain('inlineStr');
		expect(sheetJsHeader(file)).toEqual([
			'Number',
			'age',
			'avatar',
			'category',
			'gender',
			'hair_color',
			'skin_color',
			'whatsapp',
		]);
		const expected = expectedRows(sandbox, 'whatsappAvatar', AVATAR_NUMBERS);
		expect(await excelJsRows(file)).toEqual(expected);
		expect(sheetJsRows(file)).toEqual(expected);
	});

	it('xlsx-inline: inline strings, no shared-strings part, empty cells left out, readable by exceljs and SheetJS', async () => {
		const { sandbox, file } = await download('xlsx-inline', { taskType: 'tg_avatar' }, AVATAR_NUMBERS);
		const parts = unzip(file);
		expect(parts.has('xl/sharedStrings.xml')).toBe(false);
		const sheet = parts.get('xl/worksheets/sheet1.xml')?.toString('utf8') ?? '';
		expect(sheet).toContain('t="inlineStr"');
		const expected = expectedRows(sandbox, 'telegramAvatar', AVATAR_NUMBERS);
		const emptyCells = expected.reduce((sum, row) => sum + Object.values(row).filter((cell) => cell === '').length, 0);
		expect(emptyCells).toBeGreaterThan(0);
		expect(sheet.match(/<c /g)).toHaveLength((expected.length + 1) * 8 - emptyCells);
		expect(sheetJsHeader(file)).toEqual([
			'Number',
			'telegram',
			'avatar',
			'age',
			'gender',
			'category',
			'hair_color',
			'skin_color',
		]);
		expect(await excelJsRows(file)).toEqual(expected);
		expect(sheetJsRows(file)).toEqual(expected);
	});

	it('csv: UTF-8 BOM and CRLF', async () => {
		const list = numbers(200);
		const { sandbox, file, url } = await download('csv', { path: '/fb/api/simple' }, list);
		expect(new URL(url).pathname).toMatch(/\.csv$/);
		const rows = csvRows(csvText(file));
		expect(rows).toEqual(expectedRows(sandbox, 'facebook', list));
		expect(new Set(rows.map((row) => row.facebook))).toEqual(new Set(['yes', 'no', 'ban', '']));
	});

	it('zip-xlsx: a ZIP holding the XLSX', async () => {
		const { sandbox, file, id, url } = await download('zip-xlsx', { taskType: 'tg' }, numbers(30));
		expect(new URL(url).pathname).toBe(`/results/${id}/${id}.zip`);
		expect(sheetJsZipNames(file)).toEqual([`${id}.xlsx`]);
		const inner = unzip(file).get(`${id}.xlsx`) as Buffer;
		expect(await excelJsRows(inner)).toEqual(expectedRows(sandbox, 'tg', numbers(30)));
	});

	it('zip-csv: a ZIP holding the CSV', async () => {
		const { sandbox, file, id } = await download('zip-csv', { path: '/ins/api/simple' }, numbers(30));
		const entries = unzip(file);
		expect([...entries.keys()]).toEqual([`${id}.csv`]);
		expect(csvRows(csvText(entries.get(`${id}.csv`) as Buffer))).toEqual(
			expectedRows(sandbox, 'instagram', numbers(30)),
		);
	});

	it('zip-multipart: part1.csv and part2.csv, each with the header, together every row in order', async () => {
		const list = numbers(31);
		const { sandbox, file } = await download('zip-multipart', { path: '/vk/api/simple' }, list);
		const entries = unzip(file);
		expect([...entries.keys()]).toEqual(['part1.csv', 'part2.csv']);
		const first = csvText(entries.get('part1.csv') as Buffer);
		const second = csvText(entries.get('part2.csv') as Buffer);
		expect(first.split('\r\n')[0]).toBe('Number,vk');
		expect(second.split('\r\n')[0]).toBe('Number,vk');
		const rows = [...csvRows(first), ...csvRows(second)];
		expect(csvRows(first).length).toBeGreaterThan(0);
		expect(csvRows(second).length).toBeGreaterThan(0);
		expect(rows).toEqual(expectedRows(sandbox, '/vk/api/simple', list));
	});

	it('zip-lists: the table plus yes.txt and no.txt holding the numbers with that flag', async () => {
		const list = numbers(50);
		const { sandbox, file, id } = await download('zip-lists', { taskType: 'ws' }, list);
		const entries = unzip(file);
		expect(sheetJsZipNames(file).sort()).toEqual([`${id}.csv`, 'no.txt', 'yes.txt'].sort());
		const expected = expectedRows(sandbox, 'ws', list);
		expect(csvRows(csvText(entries.get(`${id}.csv`) as Buffer))).toEqual(expected);
		const listed = (name: string) => (entries.get(name) as Buffer).toString('utf8').split('\n').filter(Boolean);
		expect(listed('yes.txt')).toEqual(expected.filter((row) => row.activated === 'yes').map((row) => row.Number));
		expect(listed('no.txt')).toEqual(expected.filter((row) => row.activated === 'no').map((row) => row.Number));
	});
});

describe('deterministic rows', () => {
	it('gives the header rows API.md lists for the five checks and custom ones', () => {
		const header = (check: string) => resolveCheck(check).header;
		expect(header('whatsappAvatar')).toEqual([
			'Number',
			'age',
			'avatar',
			'category',
			'gender',
			'hair_color',
			'skin_color',
			'whatsapp',
		]);
		expect(header('telegramAvatar')).toEqual([
			'Number',
			'telegram',
			'avatar',
			'age',
			'gender',
			'category',
			'hair_color',
			'skin_color',
		]);
		expect(header('telegram')).toEqual(['Number', 'telegram']);
		expect(header('/fb/api/simple/tasks')).toEqual(['Number', 'facebook']);
		expect(header('instagram')).toEqual(['Number', 'instagram']);
		expect(header('/microsoft/api/simple')).toEqual(['Number', 'microsoft']);
		expect(header('ws_active')).toEqual(['Number', 'activated']);
	});

	it('answers about 40% yes, about 2% failures, avatar cells only for yes', async () => {
		const sandbox = await startSandbox();
		try {
			const rows = numbers(4000).map((number) => sandbox.expectedRow('/wa/api/deep', number));
			const share = (predicate: (row: Row) => boolean) => rows.filter(predicate).length / rows.length;
			expect(share((row) => row.whatsapp === 'yes')).toBeGreaterThan(0.35);
			expect(share((row) => row.whatsapp === 'yes')).toBeLessThan(0.45);
			expect(share((row) => row.whatsapp === '')).toBeGreaterThan(0.01);
			expect(share((row) => row.whatsapp === '')).toBeLessThan(0.035);
			const mismatched = rows.filter((row) => {
				const filled = row.age !== '' && /^https:\/\//.test(row.avatar) && row.gender !== '' && row.skin_color !== '';
				return filled !== (row.whatsapp === 'yes');
			});
			expect(mismatched).toEqual([]);
			// The same number gets the same row from another sandbox, and checks differ from each other.
			const other = await startSandbox();
			try {
				expect(other.expectedRow('whatsappAvatar', '+33612000007')).toEqual(rows[7]);
			} finally {
				await other.close();
			}
			const flags = (check: string, column: string) =>
				numbers(50).map((number) => sandbox.expectedRow(check, number)[column]);
			expect(flags('instagram', 'instagram')).not.toEqual(flags('telegram', 'telegram'));
		} finally {
			await sandbox.close();
		}
	});
});

describe('file writers', () => {
	/** Rows of any result file, told apart by its first bytes and its entries, never by a name's extension. */
	async function readAny(file: Buffer): Promise<Row[]> {
		if (file.subarray(0, 3).equals(BOM)) return csvRows(file.subarray(3).toString('utf8'));
		const entries = unzip(file);
		if (entries.has('xl/workbook.xml')) return excelJsRows(file);
		const rows: Row[] = [];
		for (const [name, data] of entries) {
			if (name.endsWith('.txt')) continue; // plain lists repeat the table
			rows.push(...(await readAny(data)));
		}
		return rows;
	}

	it.each(RESULT_FORMATS)('builds %s directly with every row of the check', async (format) => {
		const list = numbers(25, 500);
		const file = await buildResultFile('facebook', list, format, { baseName: 'task' });
		const check = resolveCheck('facebook');
		expect(await readAny(file)).toEqual(list.map((number) => rowFor(check, number)));
	});

	it("writes ZIPs that zlib inflates and whose CRCs match, with a table CRC equal to Node's", async () => {
		const big = Buffer.from('+41798284651\r\n'.repeat(10_000));
		const archive = await writeZipStreamed([
			{ name: 'a.txt', data: Buffer.from('hello') },
			{ name: 'folder/ü.csv', data: [big.subarray(0, 70_000), big.subarray(70_000)] },
			{ name: 'stored.bin', data: Buffer.from([1, 2, 3]), method: 0 },
		]);
		const entries = unzip(archive);
		expect(entries.get('a.txt')?.toString()).toBe('hello');
		expect(entries.get('folder/ü.csv')?.equals(big)).toBe(true);
		expect(entries.get('stored.bin')).toEqual(Buffer.from([1, 2, 3]));
		// SheetJS ignores the UTF-8 name flag, so only the ASCII names are compared with it.
		expect(sheetJsZipNames(archive).filter((name) => /^[\x20-\x7e]+$/.test(name))).toEqual(['a.txt', 'stored.bin']);
		expect(crc32Fallback(big)).toBe(zlib.crc32(big));
		expect(crc32Fallback(big.subarray(5000), crc32Fallback(big.subarray(0, 5000)))).toBe(crc32(big));
	});
});
