/**
 * Bad input through whole workflows: empty input, items without the phone field, files that are missing or not text,
 * a file of a million numbers, numbers that cannot be used, CSV columns, a task id of another check, and result files
 * that are corrupt, empty or not a table. Each gets a clear message or a flagged item, before any money is spent
 * where that is possible, and every value the user gave is accounted for.
 */
import ExcelJS from 'exceljs';
import nock from 'nock';
import type { ICredentialDataDecryptedObject, IDataObject, INode, INodeExecutionData } from 'n8n-workflow';

import { startSandbox } from '../sandbox';
import type { Sandbox, SandboxOptions } from '../sandbox';
import { API_BASE_URL, statusAnswer } from './apiMock';
import { cleanupHarness, packageNode, runWorkflow } from './harness';
import type { WorkflowRunResult } from './harness';

const FAST_TIMING = { pendingMs: 200, numbersPerSecond: 5000, completedMs: 200 };

afterAll(() => cleanupHarness());

function createNode(parameters: IDataObject = {}, extra: Partial<INode> = {}): INode {
	return packageNode(
		'Create Task',
		'eKycPro',
		{
			resource: 'facebook',
			operation: 'createTask',
			numbersSource: 'field',
			phoneField: 'phone',
			output: 'task',
			...parameters,
		},
		extra,
	);
}

function fileItem(data: Buffer, fileName: string, mimeType: string, property = 'data'): INodeExecutionData {
	return { json: { fileName }, binary: { [property]: { data: data.toString('base64'), mimeType, fileName } } };
}

function errorOf(result: WorkflowRunResult): { message: string; description: string; httpCode?: string } {
	const error = result.error as unknown as { message?: string; description?: string | null; httpCode?: string | null };
	expect(error).toBeDefined();
	return { message: error.message ?? '', description: error.description ?? '', httpCode: error.httpCode ?? undefined };
}

function uploadedLines(sandbox: Sandbox): string[] {
	const [task] = sandbox.tasks();
	return task === undefined ? [] : [...task.numbers];
}

describe('against the sandbox', () => {
	let sandbox: Sandbox;

	async function useSandbox(options: SandboxOptions = {}): Promise<void> {
		await sandbox?.close();
		sandbox = await startSandbox({ timing: FAST_TIMING, ...options });
	}

	function credentials(): Record<string, ICredentialDataDecryptedObject> {
		return { eKycProApi: { apiKey: sandbox.apiKey, baseUrl: sandbox.baseUrl } };
	}

	function creates(): number {
		return sandbox.requests.filter(
			(request) => request.server === 'api' && request.method === 'POST' && !request.path.includes('gettasks'),
		).length;
	}

	/** Nothing reached the API and nothing was charged. */
	function expectNothingSpent(): void {
		expect(sandbox.requests).toEqual([]);
		expect(sandbox.charges).toBe(0);
	}

	beforeEach(async () => await useSandbox());
	afterEach(async () => await sandbox.close());

	describe('empty input', () => {
		test('no items at all: n8n does not run Create Task, nothing is sent', async () => {
			const result = await runWorkflow(
				{ nodes: [createNode()], connections: {} },
				{ credentials: credentials(), input: [] },
			);
			expect(result.error).toBeUndefined();
			expect(result.runData['Create Task']).toBeUndefined();
			expectNothingSpent();
		});

		test('items without any field: stops before any request, and says every item was rejected and why', async () => {
			const result = await runWorkflow(
				{ nodes: [createNode()], connections: {} },
				{ credentials: credentials(), input: [{}, {}, { name: 'Eve' }] },
			);
			const { message, description } = errorOf(result);
			expect(message).toBe('No usable phone number: nothing was sent and nothing was charged');
			expect(description).toContain('All 3 values were rejected');
			expect(description).toContain('The item has no field "phone"');
			expectNothingSpent();
		});

		test('an empty list of numbers: stops before any request, and says where to look', async () => {
			const result = await runWorkflow(
				{ nodes: [createNode({ numbersSource: 'list', numbersList: '  \n , \n' })], connections: {} },
				{ credentials: credentials(), input: [{}] },
			);
			const { message, description } = errorOf(result);
			expect(message).toBe('No usable phone number: nothing was sent and nothing was charged');
			expect(description).toMatch(/The input had no numbers\. Check Numbers From/);
			expectNothingSpent();
		});

		test('an empty file (0 bytes): stops before any request', async () => {
			const result = await runWorkflow(
				{ nodes: [createNode({ numbersSource: 'binary', binaryProperty: 'data' })], connections: {} },
				{ credentials: credentials(), input: [fileItem(Buffer.alloc(0), 'numbers.txt', 'text/plain')] },
			);
			const { message, description } = errorOf(result);
			expect(message).toBe('No usable phone number: nothing was sent and nothing was charged');
			expect(description).toMatch(/The input had no numbers/);
			expectNothingSpent();
		});
	});

	describe('items without the phone field', () => {
		const ITEMS: IDataObject[] = [
			{ name: 'Anna', phone: '+41 79 828 46 51' },
			{ name: 'Ben' },
			{ name: 'Cleo', phone: '' },
			{ name: 'Dan', phone: null },
			{ name: 'Eve', contact: { mobile: '+41 79 828 46 52' } },
			{ name: 'Finn', phone: '+49 151 1234 5678' },
		];

		test('Output Task: one task with the usable numbers; each missing field is listed with its item and reason', async () => {
			const result = await runWorkflow(
				{ nodes: [createNode()], connections: {} },
				{ credentials: credentials(), input: ITEMS },
			);
			expect(result.error).toBeUndefined();
			expect(uploadedLines(sandbox)).toEqual(['+41798284651', '+4915112345678']);
			const [task] = result.output('Create Task');
			expect(task.json.submitted).toBe(2);
			expect(task.json.rejected).toEqual([
				{ item: 1, value: '(missing)', reason: 'The item has no field "phone"' },
				{ item: 2, value: '', reason: 'The field "phone" is empty' },
				{ item: 3, value: '(null)', reason: 'The field "phone" is empty' },
				{ item: 4, value: '(missing)', reason: 'The item has no field "phone"' },
			]);
			// Every item is accounted for: sent, or rejected with a reason.
			expect(
				(task.json.submitted as number) + (task.json.duplicates as number) + (task.json.rejected as unknown[]).length,
			).toBe(ITEMS.length);
			expect(sandbox.charges).toBe(1);
		});

		test('Output Input Items: every item comes out, flagged with its number or the reason it was not sent', async () => {
			const result = await runWorkflow(
				{ nodes: [createNode({ output: 'inputItems' })], connections: {} },
				{ credentials: credentials(), input: ITEMS },
			);
			expect(result.error).toBeUndefined();
			const items = result.output('Create Task');
			expect(items.map((item) => item.json.name)).toEqual(ITEMS.map((item) => item.name));
			expect(items.map((item) => item.pairedItem)).toEqual(ITEMS.map((_, index) => ({ item: index })));
			const flags = items.map((item) => item.json.ekycpro as IDataObject);
			expect(flags[0].number).toBe('+41798284651');
			expect(flags[5].number).toBe('+4915112345678');
			for (const index of [1, 2, 3, 4]) {
				expect(flags[index].number).toBeUndefined();
				expect(flags[index].rejected).toEqual([
					{ value: expect.any(String), reason: expect.stringContaining('"phone"') },
				]);
			}
			// The nested field is still there for the user to map with "contact.mobile".
			expect(items[4].json.contact).toEqual({ mobile: '+41 79 828 46 52' });
		});

		test('an empty list in the phone field: the item is flagged with the reason, not left without one', async () => {
			const input = [
				{ name: 'Anna', phone: ['+41 79 828 46 51'] },
				{ name: 'Ben', phone: [] },
				{ name: 'Cleo', phone: ['', null] },
			];
			const result = await runWorkflow(
				{ nodes: [createNode({ output: 'inputItems' })], connections: {} },
				{ credentials: credentials(), input },
			);
			expect(result.error).toBeUndefined();
			expect(uploadedLines(sandbox)).toEqual(['+41798284651']);
			const flags = result.output('Create Task').map((item) => item.json.ekycpro as IDataObject);
			expect(flags[0].number).toBe('+41798284651');
			expect(flags[0].rejected).toBeUndefined();
			expect(flags[1].number).toBeUndefined();
			expect(flags[1].rejected).toEqual([{ value: '[]', reason: 'The field "phone" is an empty list' }]);
			expect(flags[2].number).toBeUndefined();
			expect(flags[2].rejected).toEqual([{ value: '["",null]', reason: 'The field "phone" is an empty list' }]);
		});

		test('only empty lists: stops before any request and names them', async () => {
			const result = await runWorkflow(
				{ nodes: [createNode()], connections: {} },
				{ credentials: credentials(), input: [{ phone: [] }] },
			);
			const { message, description } = errorOf(result);
			expect(message).toBe('No usable phone number: nothing was sent and nothing was charged');
			expect(description).toContain(
				'All 1 values were rejected, for example item 0: "[]" - The field "phone" is an empty list',
			);
			expectNothingSpent();
		});

		test('a nested field named by its dot path is read', async () => {
			const result = await runWorkflow(
				{ nodes: [createNode({ phoneField: 'contact.mobile' })], connections: {} },
				{ credentials: credentials(), input: ITEMS },
			);
			expect(result.error).toBeUndefined();
			expect(uploadedLines(sandbox)).toEqual(['+41798284652']);
			expect((result.output('Create Task')[0].json.rejected as unknown[]).length).toBe(5);
		});
	});

	describe('numbers that cannot be used', () => {
		const VALUES: Array<{ phone: string; reason?: RegExp }> = [
			{ phone: 'call me', reason: /letters/ },
			{ phone: '+41 79 828 46 51 ext. 12', reason: /Extensions \(ext, x, #\) are not supported/ },
			{ phone: '+41 79 828 46 51 x12', reason: /Extensions/ },
			{ phone: '+41 79 82', reason: /Too short/ },
			{ phone: '+41 79 828 46 51 123456', reason: /Too long: a phone number has at most 15 digits/ },
			{ phone: '4.1798284651E+10', reason: /scientific notation/ },
			{ phone: '079 828 46 51', reason: /no country code: set Default Country/ },
			{ phone: '+41 79 828 46 53' },
			{ phone: '+41 (0)79 828-46-54' },
			{ phone: '0041798284653' },
		];

		test('each is rejected with a reason the user can act on; the usable ones go into one task', async () => {
			const input = VALUES.map(({ phone }) => ({ phone }));
			const result = await runWorkflow(
				{ nodes: [createNode()], connections: {} },
				{ credentials: credentials(), input },
			);
			expect(result.error).toBeUndefined();
			// The third usable value is the first one again: sent once, counted as a duplicate.
			expect(uploadedLines(sandbox)).toEqual(['+41798284653', '+41798284654']);
			const task = result.output('Create Task')[0].json;
			expect(task.duplicates).toBe(1);
			const rejected = task.rejected as Array<{ item: number; value: string; reason: string }>;
			const expected = VALUES.flatMap(({ phone, reason }, item) =>
				reason === undefined ? [] : [{ item, value: phone, reason }],
			);
			expect(rejected.map((entry) => ({ item: entry.item, value: entry.value }))).toEqual(
				expected.map((entry) => ({ item: entry.item, value: entry.value })),
			);
			rejected.forEach((entry, index) => expect(entry.reason).toMatch(expected[index].reason));
			expect((task.submitted as number) + (task.duplicates as number) + rejected.length).toBe(VALUES.length);
			expect(sandbox.charges).toBe(1);
		});

		test('typed into the node as a list, the same reasons come back', async () => {
			const list = VALUES.filter((value) => value.reason !== undefined && !value.phone.includes(','))
				.map((value) => value.phone)
				.join('\n');
			const result = await runWorkflow(
				{ nodes: [createNode({ numbersSource: 'list', numbersList: `${list}\n+41 79 828 46 55` })], connections: {} },
				{ credentials: credentials(), input: [{}] },
			);
			expect(result.error).toBeUndefined();
			expect(uploadedLines(sandbox)).toEqual(['+41798284655']);
			const rejected = result.output('Create Task')[0].json.rejected as Array<{ value: string; reason: string }>;
			expect(rejected.map((entry) => entry.value)).toEqual(list.split('\n'));
		});

		test('none usable: stops before any request, with examples of the reasons', async () => {
			const input = VALUES.filter((value) => value.reason !== undefined).map(({ phone }) => ({ phone }));
			const result = await runWorkflow(
				{ nodes: [createNode()], connections: {} },
				{ credentials: credentials(), input },
			);
			const { message, description } = errorOf(result);
			expect(message).toBe('No usable phone number: nothing was sent and nothing was charged');
			expect(description).toContain(`All ${input.length} values were rejected`);
			expect(description).toMatch(/item 0: "call me" - .*letters/);
			expect(description).toMatch(/Default Country/);
			expectNothingSpent();
		});
	});

	describe('files of numbers', () => {
		test('the binary property is missing: says which properties the item has, before any request', async () => {
			const item = fileItem(Buffer.from('+41798284651\n'), 'numbers.txt', 'text/plain', 'attachment');
			const result = await runWorkflow(
				{ nodes: [createNode({ numbersSource: 'binary', binaryProperty: 'data' })], connections: {} },
				{ credentials: credentials(), input: [item] },
			);
			const { message, description } = errorOf(result);
			expect(message).toBe('Item 0 has no binary field "data"');
			expect(description).toContain('"attachment"');
			expect(description).toMatch(/Set Input Binary Field/);
			expectNothingSpent();
		});

		test('an item without any binary data: says so, before any request', async () => {
			const result = await runWorkflow(
				{ nodes: [createNode({ numbersSource: 'binary', binaryProperty: 'data' })], connections: {} },
				{ credentials: credentials(), input: [{ phone: '+41798284651' }] },
			);
			const { message, description } = errorOf(result);
			expect(message).toBe('Item 0 has no binary field "data"');
			expect(description).toMatch(/no binary data/);
			expectNothingSpent();
		});

		const PNG = Buffer.from(
			'89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201e2' +
				'2f76a50000000049454e44ae426082',
			'hex',
		);

		async function xlsxOfNumbers(): Promise<Buffer> {
			const workbook = new ExcelJS.Workbook();
			const sheet = workbook.addWorksheet('Contacts');
			sheet.addRow(['name', 'phone']);
			sheet.addRow(['Anna', '+41798284651']);
			return Buffer.from(await workbook.xlsx.writeBuffer());
		}

		test.each([
			{ name: 'a PNG image', file: async () => PNG, fileName: 'photo.png', mimeType: 'image/png' },
			{
				name: 'an XLSX workbook',
				file: xlsxOfNumbers,
				fileName: 'contacts.xlsx',
				mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
			},
		])(
			'$name instead of text: says it is not a text file and what to do, before any request',
			async ({ file, fileName, mimeType }) => {
				const result = await runWorkflow(
					{ nodes: [createNode({ numbersSource: 'binary', binaryProperty: 'data' })], connections: {} },
					{ credentials: credentials(), input: [fileItem(await file(), fileName, mimeType)] },
				);
				const { message, description } = errorOf(result);
				expect(message).toBe('The file in "data" is not a text file');
				expect(description).toContain(fileName);
				expect(description).toMatch(
					/one number per line or a \.csv file; convert a spreadsheet with the Extract From File node/,
				);
				expectNothingSpent();
			},
		);

		const CSV =
			'name;mobile;city\r\nAnna;+41 79 828 46 51;Bern\r\nBen;0041 79 828 46 52;Basel\r\nDan;not known;Chur\r\n';

		test('a CSV with the numbers in a named column: that column is sent, the rest accounted for', async () => {
			const result = await runWorkflow(
				{
					nodes: [createNode({ numbersSource: 'binary', binaryProperty: 'data', csvColumn: 'Mobile' })],
					connections: {},
				},
				{ credentials: credentials(), input: [fileItem(Buffer.from(`\uFEFF${CSV}`), 'contacts.csv', 'text/csv')] },
			);
			expect(result.error).toBeUndefined();
			expect(uploadedLines(sandbox)).toEqual(['+41798284651', '+41798284652']);
			expect(result.output('Create Task')[0].json).toMatchObject({
				submitted: 2,
				rejected: [{ item: 0, value: 'not known', reason: expect.stringMatching(/letters/) }],
			});
		});

		test('a CSV column that does not exist: names the columns it has, before any request', async () => {
			const result = await runWorkflow(
				{
					nodes: [createNode({ numbersSource: 'binary', binaryProperty: 'data', csvColumn: 'phone' })],
					connections: {},
				},
				{ credentials: credentials(), input: [fileItem(Buffer.from(CSV), 'contacts.csv', 'text/csv')] },
			);
			const { message, description } = errorOf(result);
			expect(message).toBe('The file "contacts.csv" has no column "phone"; its columns are: name, mobile, city');
			expect(description).toMatch(/Set CSV Column to one of the file's columns/);
			expectNothingSpent();
		});

		describe('a million numbers', () => {
			const COUNT = 1_000_000;
			let million: Buffer;

			beforeAll(() => {
				const lines = new Array<string>(COUNT);
				for (let index = 0; index < COUNT; index++) lines[index] = `+4179${String(index).padStart(7, '0')}`;
				million = Buffer.from(`${lines.join('\n')}\n`);
			});

			test('uploaded as one task of 1,000,000 lines, one charge', async () => {
				const started = Date.now();
				const result = await runWorkflow(
					{ nodes: [createNode({ numbersSource: 'binary', binaryProperty: 'data' })], connections: {} },
					{ credentials: credentials(), input: [fileItem(million, 'million.txt', 'text/plain')] },
				);
				// Until the upload arrived: the node's own work (read, normalise, build the upload, send it).
				const arrived = (sandbox.requests[0]?.at ?? Number.NaN) - started;
				console.log(
					`1,000,000 numbers (${(million.length / 1e6).toFixed(1)} MB): upload arrived after ${arrived} ms, ` +
						`Create Task done after ${Date.now() - started} ms (the rest is the sandbox taking the task in)`,
				);
				expect(result.error).toBeUndefined();
				expect(creates()).toBe(1);
				expect(sandbox.charges).toBe(1);
				const [task] = sandbox.tasks();
				expect(task.uploadedLines).toBe(COUNT);
				expect(task.numbers).toHaveLength(COUNT);
				expect(task.numbers[0]).toBe('+41790000000');
				expect(task.numbers[COUNT - 1]).toBe('+41790999999');
				expect(result.output('Create Task')[0].json).toMatchObject({
					task_id: task.id,
					submitted: COUNT,
					duplicates: 0,
					rejected: [],
				});
			}, 240_000);

			test('too large for the API (413): explained, nothing charged', async () => {
				await useSandbox({ maxUploadBytes: 1024 * 1024 });
				const result = await runWorkflow(
					{ nodes: [createNode({ numbersSource: 'binary', binaryProperty: 'data' })], connections: {} },
					{ credentials: credentials(), input: [fileItem(million, 'million.txt', 'text/plain')] },
				);
				const { message, description, httpCode } = errorOf(result);
				expect(httpCode).toBe('413');
				expect(message).toBe('The file of numbers is too large for eKYCPro');
				expect(description).toMatch(/Split the numbers into smaller batches/);
				expect(description).toMatch(/nothing was charged/);
				expect(description).toContain('eKYCPro said: "file too large: the upload exceeds 1 MB"');
				expect(creates()).toBe(1);
				expect(sandbox.charges).toBe(0);
			}, 120_000);

			// Both of the API's texts reach the user: the limit tells how far to split.
			test("too large for the API (413): the API's own words about the limit reach the user", async () => {
				await useSandbox({ maxUploadBytes: 1024 * 1024 });
				const result = await runWorkflow(
					{ nodes: [createNode({ numbersSource: 'binary', binaryProperty: 'data' })], connections: {} },
					{
						credentials: credentials(),
						input: [fileItem(million.subarray(0, 2 * 1024 * 1024), 'numbers.txt', 'text/plain')],
					},
				);
				expect(errorOf(result).httpCode).toBe('413');
				expect(errorOf(result).description).toMatch(/the upload exceeds 1 MB/);
			}, 120_000);
		});
	});

	describe('task ids', () => {
		test('a task id of another check: 404 explained, naming the check and what to check', async () => {
			const created = await runWorkflow(
				{ nodes: [createNode({ resource: 'instagram' })], connections: {} },
				{ credentials: credentials(), input: [{ phone: '+41798284651' }] },
			);
			const taskId = created.output('Create Task')[0].json.task_id as string;

			for (const operation of ['getStatus', 'downloadResult']) {
				const result = await runWorkflow(
					{
						nodes: [packageNode('Read', 'eKycPro', { resource: 'facebook', operation, taskId, resultOutput: 'rows' })],
						connections: {},
					},
					{ credentials: credentials(), input: [{}] },
				);
				const { message, description, httpCode } = errorOf(result);
				expect(httpCode).toBe('404');
				expect(message).toBe(`Task "${taskId}" was not found for the Facebook check`);
				expect(description).toMatch(/the node's resource is the check the task was created with/);
				expect(description).toContain('task not found');
			}
			expect(sandbox.charges).toBe(1);
		});

		// An empty Task ID field is refused by n8n itself (the parameter is required); an expression can still give ''.
		test.each([
			{ name: 'empty (the item has no task_id)', item: { name: 'Anna' }, shown: 'empty' },
			{ name: 'a path', item: { task_id: '../../v1/tasks' }, shown: '"../../v1/tasks"' },
			{ name: 'with spaces', item: { task_id: 'my task 1' }, shown: '"my task 1"' },
		])('a task id that is $name: refused before any request', async ({ item, shown }) => {
			const result = await runWorkflow(
				{
					nodes: [
						packageNode('Get Status', 'eKycPro', {
							resource: 'facebook',
							operation: 'getStatus',
							taskId: '={{ $json.task_id }}',
						}),
					],
					connections: {},
				},
				{ credentials: credentials(), input: [item] },
			);
			const { message, description } = errorOf(result);
			expect(message).toBe(`The task ID is ${shown}, which is not a task ID`);
			expect(description).toMatch(/Give the task_id that Create Task returned/);
			expect(sandbox.requests).toEqual([]);
		});
	});
});

describe('result files that cannot be read (served with nock)', () => {
	const TASK_ID = 'cs9viu7i61pkfs4oavvg';
	const RESULT_HOST = 'https://ekycpro-results.s3.eu-central-1.amazonaws.com';
	const RESULT_PATH = `/exports/${TASK_ID}.xlsx`;
	const RESULT_URL = `${RESULT_HOST}${RESULT_PATH}?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=600&X-Amz-Signature=ab12`;
	const credentials = { eKycProApi: { apiKey: 'bad-input-key' } };

	beforeAll(() => nock.disableNetConnect());
	afterEach(() => nock.cleanAll());
	afterAll(() => nock.enableNetConnect());

	/** An exported task whose result host serves `body`; returns how many downloads were made. */
	function serveResult(body: Buffer, contentType: string): { downloads: () => number } {
		nock(API_BASE_URL)
			.get(`/fb/api/simple/tasks/${TASK_ID}`)
			.query(true)
			.times(3)
			.reply(
				200,
				statusAnswer(TASK_ID, { status: 'exported', total: 2, success: 2, failure: 0, result_url: RESULT_URL }),
			);
		let downloads = 0;
		nock(RESULT_HOST)
			.get(RESULT_PATH)
			.query(true)
			.times(3)
			.reply(() => {
				downloads++;
				return [200, body, { 'Content-Type': contentType, 'Content-Length': String(body.length) }];
			});
		return { downloads: () => downloads };
	}

	function downloadNode(resultOutput: 'rows' | 'file'): INode {
		return packageNode('Download Result', 'eKycPro', {
			resource: 'facebook',
			operation: 'downloadResult',
			taskId: TASK_ID,
			resultOutput,
			binaryPropertyName: 'result',
		});
	}

	const CORRUPT_ZIP = Buffer.concat([Buffer.from('504b0304140000000800', 'hex'), Buffer.alloc(300, 0x5a)]);
	const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
	const HTML = Buffer.from('<!DOCTYPE html><html><head><title>Maintenance</title></head><body>Back soon</body></html>');

	test.each([
		{
			name: 'corrupt (a broken ZIP)',
			body: CORRUPT_ZIP,
			contentType: 'application/zip',
			reason: /ZIP|archive|damaged|cut short/i,
		},
		{
			name: 'empty (0 bytes)',
			body: Buffer.alloc(0),
			contentType: 'application/octet-stream',
			reason: /empty \(0 bytes\)/,
		},
		{
			name: 'not a table (a PNG)',
			body: PNG,
			contentType: 'image/png',
			reason: /neither an Excel workbook, a ZIP archive nor a CSV/,
		},
		{
			name: 'not a table (a web page)',
			body: HTML,
			contentType: 'text/html',
			reason: /web page \("Maintenance"\) instead of a table/,
		},
	])(
		'$name: Download Result gives a clear error; with Output File it still returns the file',
		async ({ body, contentType, reason }) => {
			const served = serveResult(body, contentType);
			const rows = await runWorkflow({ nodes: [downloadNode('rows')], connections: {} }, { credentials, input: [{}] });
			const { message, description } = errorOf(rows);
			expect(message).toMatch(new RegExp(`^The result file of task ${TASK_ID} cannot be read: `));
			expect(message).toMatch(reason);
			expect(description).toMatch(/The task is paid and exported/);
			expect(description).toMatch(/Output set to File/);
			expect(rows.output('Download Result')).toEqual([]);
			// A non-empty file is fetched once more before giving up (it may have been cut short on the way).
			expect(served.downloads()).toBe(body.length > 0 ? 2 : 1);

			const file = await runWorkflow({ nodes: [downloadNode('file')], connections: {} }, { credentials, input: [{}] });
			expect(file.error).toBeUndefined();
			const items = file.output('Download Result');
			expect(items).toHaveLength(1);
			expect(items[0].json).toMatchObject({ task_id: TASK_ID, status: 'exported', fileSize: body.length });
			const binary = items[0].binary?.result;
			expect(binary).toBeDefined();
			expect(Buffer.from(binary?.data ?? '', 'base64')).toEqual(body);
			expect(binary?.fileName).toMatch(new RegExp(`^ekycpro-facebook-${TASK_ID}\\.`));
		},
	);

	test('not a table (plain prose): Download Result says so instead of passing sentences off as rows', async () => {
		serveResult(Buffer.from('Your export is being prepared.\nPlease come back later.\n'), 'text/plain');
		const result = await runWorkflow({ nodes: [downloadNode('rows')], connections: {} }, { credentials, input: [{}] });
		expect(result.output('Download Result')).toEqual([]);
		const { message } = errorOf(result);
		expect(message).toMatch(new RegExp(`^The result file of task ${TASK_ID} cannot be read: `));
		expect(message).toContain('not a table of phone numbers');
		expect(message).toContain('"Your export is being prepared."');
	});

	test('a one-line notice with no table after it is refused too', async () => {
		serveResult(Buffer.from('Export failed, contact support\n'), 'text/plain');
		const result = await runWorkflow({ nodes: [downloadNode('rows')], connections: {} }, { credentials, input: [{}] });
		expect(result.output('Download Result')).toEqual([]);
		expect(errorOf(result).message).toContain('its only line holds no phone number');
	});
});
