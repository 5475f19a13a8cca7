/**
 * Contacts -> eKYCPro Create Task -> eKYCPro Get Status, executed by n8n-core's WorkflowExecute with the package loaded
 * from dist, for each of the five checks: first against nock (exact requests), then against the local sandbox.
 */
import nock from 'nock';
import type { IDataObject, INode, INodeExecutionData } from 'n8n-workflow';

import { startSandbox } from '../sandbox';
import type { Sandbox } from '../sandbox';
import { API_BASE_URL, CHECK_CASES, field, mockCheckApi, statusAnswer } from './apiMock';
import type { CheckCase } from './apiMock';
import { chain, cleanupHarness, packageNode, runWorkflow } from './harness';

const API_KEY = 'test-key-7f3a';
const USER_ID = 'user-4711';
const TASK_ID = 'cs9viu7i61pkfs4oavvg';

/** Contacts as a CRM hands them over: numbers in every format, one missing, one unusable, one twice, one with two. */
const CONTACTS: IDataObject[] = [
	{ name: 'Anna', phone: '+41 79 828 46 51' },
	{ name: 'Ben', phone: '0041 (79) 828-46-52' },
	{ name: 'Cleo', phone: '079 828 46 53' },
	{ name: 'Dan', phone: 'call me' },
	{ name: 'Eve', email: 'eve@example.com' },
	{ name: 'Finn', phone: '+49 151 1234 5678' },
	{ name: 'Gus', phone: '+41798284651' },
	{ name: 'Hana', phone: ['+1 (415) 555-0132', '+7 912 345-67-89'] },
];

/** The upload, in first-seen order, Gus's duplicate of Anna's number sent once. */
const UPLOADED = ['+41798284651', '+41798284652', '+41798284653', '+4915112345678', '+14155550132', '+79123456789'];

const EVERY_CONTACT = CONTACTS.map((_, index) => ({ item: index }));

function createNode(testCase: CheckCase, output: 'task' | 'inputItems', extra: Partial<INode> = {}): INode {
	return packageNode(
		'Create Task',
		'eKycPro',
		{ resource: testCase.check, operation: 'createTask', phoneField: 'phone', defaultCountry: 'CH', output },
		extra,
	);
}

function statusNode(testCase: CheckCase, taskId = '={{ $json.task_id }}', extra: Partial<INode> = {}): INode {
	return packageNode('Get Status', 'eKycPro', { resource: testCase.check, operation: 'getStatus', taskId }, extra);
}

function uploadedLines(text: string | undefined): string[] {
	return (text ?? '').split(/\r?\n/).filter((line) => line !== '');
}

afterAll(() => cleanupHarness());

describe('Create Task -> Get Status against the API (nock)', () => {
	beforeAll(() => nock.disableNetConnect());
	afterEach(() => nock.cleanAll());
	afterAll(() => nock.enableNetConnect());

	describe.each(CHECK_CASES)('$check', (testCase) => {
		test('one task for all contacts, then its progress', async () => {
			const api = mockCheckApi(testCase, { taskId: TASK_ID, userId: USER_ID });
			const result = await runWorkflow(
				{
					nodes: [createNode(testCase, 'task'), statusNode(testCase)],
					connections: chain('Create Task', 'Get Status'),
				},
				{ credentials: { eKycProApi: { apiKey: API_KEY, userId: USER_ID } }, input: CONTACTS },
			);

			expect(result.error).toBeUndefined();
			const creates = api.requests.filter((request) => request.kind === 'create');
			expect(creates).toHaveLength(1);
			const [create] = creates;
			expect(create.method).toBe('POST');
			expect(create.path).toBe(testCase.style === 'v1' ? '/v1/tasks' : `${testCase.path}/tasks`);
			expect(create.headers['x-api-key']).toBe(API_KEY);
			const file = field(create, 'file');
			expect(file?.fileName).toBeDefined();
			expect(uploadedLines(file?.value)).toEqual(UPLOADED);
			if (testCase.style === 'v1') {
				expect(create.fields.map((part) => part.name).sort()).toEqual(['file', 'task_type']);
				expect(field(create, 'task_type')?.value).toBe(testCase.taskType);
			} else {
				expect(create.fields.map((part) => part.name).sort()).toEqual(['file', 'user_id']);
				expect(field(create, 'user_id')?.value).toBe(USER_ID);
			}

			// What the user sees from Create Task: one item for the task, paired to every contact.
			const tasks = result.output('Create Task');
			expect(tasks).toHaveLength(1);
			expect(tasks[0].json).toMatchObject({
				task_id: TASK_ID,
				check: testCase.check,
				status: 'pending',
				total: testCase.style === 'v1' ? UPLOADED.length : 0,
				submitted: UPLOADED.length,
				duplicates: 1,
			});
			expect(tasks[0].json.rejected).toEqual([
				{ item: 3, value: 'call me', reason: expect.stringMatching(/letters/) },
				{ item: 4, value: expect.any(String), reason: expect.stringContaining('"phone"') },
			]);
			expect(tasks[0].pairedItem).toEqual(EVERY_CONTACT);

			// Get Status read the task id from the item by expression, with the key, once.
			const statuses = api.requests.filter((request) => request.kind === 'status');
			expect(statuses).toHaveLength(1);
			expect(statuses[0].headers['x-api-key']).toBe(API_KEY);
			if (testCase.style === 'v1') {
				expect(statuses[0].method).toBe('POST');
				expect(statuses[0].fields.map((part) => [part.name, part.value])).toEqual([['task_id', TASK_ID]]);
			} else {
				expect(statuses[0].method).toBe('GET');
				expect(statuses[0].path).toBe(`${testCase.path}/tasks/${TASK_ID}`);
				expect(statuses[0].query).toEqual({ user_id: USER_ID });
			}
			const status = result.output('Get Status');
			expect(status).toHaveLength(1);
			expect(status[0].json).toMatchObject({
				task_id: TASK_ID,
				check: testCase.check,
				status: 'processing',
				total: UPLOADED.length,
				success: 2,
				failure: 1,
				progress: 0.5,
				done: false,
			});
			expect(status[0].pairedItem).toEqual({ item: 0 });
		});

		test('"Input Items With Their Numbers": every contact passes through with its number or why not', async () => {
			const api = mockCheckApi(testCase, { taskId: TASK_ID, userId: USER_ID });
			const result = await runWorkflow(
				{
					nodes: [createNode(testCase, 'inputItems'), statusNode(testCase, '={{ $json.ekycpro.task_id }}')],
					connections: chain('Create Task', 'Get Status'),
				},
				{ credentials: { eKycProApi: { apiKey: API_KEY, userId: USER_ID } }, input: CONTACTS },
			);

			expect(result.error).toBeUndefined();
			expect(api.requests.filter((request) => request.kind === 'create')).toHaveLength(1);
			expect(uploadedLines(field(api.requests[0], 'file')?.value)).toEqual(UPLOADED);

			const items = result.output('Create Task');
			expect(items).toHaveLength(CONTACTS.length);
			items.forEach((item, index) => {
				// The contact's own fields are untouched.
				expect(item.json).toMatchObject(CONTACTS[index]);
				expect(item.pairedItem).toEqual({ item: index });
				expect(item.json.ekycpro).toMatchObject({ task_id: TASK_ID, check: testCase.check });
			});
			const ekycpro = items.map((item) => item.json.ekycpro as IDataObject);
			expect(ekycpro[0].number).toBe('+41798284651');
			expect(ekycpro[1].number).toBe('+41798284652');
			expect(ekycpro[2].number).toBe('+41798284653');
			expect(ekycpro[3].number).toBeUndefined();
			expect(ekycpro[3].rejected).toEqual([{ value: 'call me', reason: expect.stringMatching(/letters/) }]);
			expect(ekycpro[4].rejected).toEqual([{ value: expect.any(String), reason: expect.stringContaining('"phone"') }]);
			expect(ekycpro[5].number).toBe('+4915112345678');
			// Gus's number was sent once (with Anna's), but Gus still learns which number is his.
			expect(ekycpro[6].number).toBe('+41798284651');
			expect(ekycpro[7].numbers).toEqual(['+14155550132', '+79123456789']);

			// All eight items carry the same task: one status call answers them all.
			expect(api.requests.filter((request) => request.kind === 'status')).toHaveLength(1);
			const statuses = result.output('Get Status');
			expect(statuses).toHaveLength(CONTACTS.length);
			statuses.forEach((item, index) => {
				expect(item.json).toMatchObject({ task_id: TASK_ID, status: 'processing', progress: 0.5, done: false });
				expect(item.pairedItem).toEqual({ item: index });
			});
		});
	});

	test.each(CHECK_CASES)('$check: an exported task is done, with its result URL', async (testCase) => {
		const resultUrl = 'https://results.example-bucket.s3.amazonaws.com/r/abc.zip?X-Amz-Signature=0f';
		mockCheckApi(testCase, {
			taskId: TASK_ID,
			statusReply: [
				200,
				statusAnswer(TASK_ID, { status: 'exported', total: 6, success: 5, failure: 1, result_url: resultUrl }),
			],
		});
		const result = await runWorkflow(
			{ nodes: [createNode(testCase, 'task'), statusNode(testCase)], connections: chain('Create Task', 'Get Status') },
			{ credentials: { eKycProApi: { apiKey: API_KEY } }, input: CONTACTS },
		);
		expect(result.error).toBeUndefined();
		expect(result.output('Get Status')[0].json).toMatchObject({
			status: 'exported',
			progress: 1,
			done: true,
			result_url: resultUrl,
		});
	});

	test('legacy checks send no user_id when the credential has none', async () => {
		const whatsapp = CHECK_CASES[0];
		const api = mockCheckApi(whatsapp, { taskId: TASK_ID });
		const result = await runWorkflow(
			{ nodes: [createNode(whatsapp, 'task'), statusNode(whatsapp)], connections: chain('Create Task', 'Get Status') },
			{ credentials: { eKycProApi: { apiKey: API_KEY } }, input: CONTACTS },
		);
		expect(result.error).toBeUndefined();
		expect(api.requests[0].fields.map((part) => part.name)).toEqual(['file']);
		expect(api.requests[1].query).toEqual({});
	});

	test('the base URL of the credential is used, without a trailing slash', async () => {
		const telegram = CHECK_CASES[2];
		const api = mockCheckApi(telegram, { taskId: TASK_ID, baseUrl: 'http://ekyc-proxy.internal:8080' });
		const result = await runWorkflow(
			{ nodes: [createNode(telegram, 'task'), statusNode(telegram)], connections: chain('Create Task', 'Get Status') },
			{
				credentials: { eKycProApi: { apiKey: API_KEY, baseUrl: 'http://ekyc-proxy.internal:8080/' } },
				input: CONTACTS,
			},
		);
		expect(result.error).toBeUndefined();
		expect(api.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
			'POST /v1/tasks',
			'POST /v1/gettasks',
		]);
	});

	test.each([
		{ style: 'v1', setting: { customTaskType: 'ws_avatar' }, create: 'POST /v1/tasks', status: 'POST /v1/gettasks' },
		{
			style: 'legacy',
			setting: { customPath: '/vk/api/simple/tasks' },
			create: 'POST /vk/api/simple/tasks',
			status: `GET /vk/api/simple/tasks/${TASK_ID}`,
		},
	] as const)('a custom $style check reaches its endpoints', async ({ style, setting, create, status }) => {
		const testCase: CheckCase =
			style === 'v1'
				? { check: 'telegram', style, taskType: 'ws_avatar' }
				: { check: 'facebook', style, path: '/vk/api/simple' };
		const api = mockCheckApi(testCase, { taskId: TASK_ID });
		const custom = { resource: 'custom', customApiStyle: style, ...setting };
		const result = await runWorkflow(
			{
				nodes: [
					packageNode('Create Task', 'eKycPro', {
						...custom,
						operation: 'createTask',
						phoneField: 'phone',
						defaultCountry: 'CH',
					}),
					packageNode('Get Status', 'eKycPro', { ...custom, operation: 'getStatus' }),
				],
				connections: chain('Create Task', 'Get Status'),
			},
			{ credentials: { eKycProApi: { apiKey: API_KEY } }, input: CONTACTS },
		);
		expect(result.error).toBeUndefined();
		expect(api.requests.map((request) => `${request.method} ${request.path}`)).toEqual([create, status]);
		if (style === 'v1') expect(field(api.requests[0], 'task_type')?.value).toBe('ws_avatar');
		expect(uploadedLines(field(api.requests[0], 'file')?.value)).toEqual(UPLOADED);
		// The task names its custom check with what it needs to be read again (task type or path).
		const customCheck = expect.stringMatching(
			new RegExp(`^custom.*${style === 'v1' ? 'ws_avatar' : '/vk/api/simple'}`),
		);
		expect(result.output('Create Task')[0].json).toMatchObject({ task_id: TASK_ID, check: customCheck });
		expect(result.output('Get Status')[0].json).toMatchObject({
			check: customCheck,
			status: 'processing',
			done: false,
		});
	});

	describe('no usable number', () => {
		const UNUSABLE: IDataObject[] = [
			{ name: 'Dan', phone: 'call me' },
			{ name: 'Eve' },
			{ name: 'Ida', phone: '079 828 46 51' },
		];

		/** Create without a Default Country: Ida's national number cannot be used either. */
		function unusableCreate(extra: Partial<INode> = {}): INode {
			return packageNode(
				'Create Task',
				'eKycPro',
				{ resource: 'facebook', operation: 'createTask', phoneField: 'phone', output: 'task' },
				extra,
			);
		}

		test('stops with an error before any request', async () => {
			const api = mockCheckApi(CHECK_CASES[3], { taskId: TASK_ID });
			const result = await runWorkflow(
				{ nodes: [unusableCreate(), statusNode(CHECK_CASES[3])], connections: chain('Create Task', 'Get Status') },
				{ credentials: { eKycProApi: { apiKey: API_KEY } }, input: UNUSABLE },
			);
			expect(api.requests).toHaveLength(0);
			expect(api.scope.isDone()).toBe(false);
			expect(result.error?.message).toBe('No usable phone number: nothing was sent and nothing was charged');
			expect(result.error?.description).toContain('All 3 values were rejected');
			expect(result.error?.description).toContain('Default Country');
			expect((result.error as unknown as { node?: INode }).node?.name).toBe('Create Task');
			expect(result.lastNodeExecuted).toBe('Create Task');
			expect(result.runData['Get Status']).toBeUndefined();
		});

		test('under Continue On Fail, comes out as an error item, still before any request', async () => {
			const api = mockCheckApi(CHECK_CASES[3], { taskId: TASK_ID });
			const result = await runWorkflow(
				{ nodes: [unusableCreate({ onError: 'continueRegularOutput' })], connections: {} },
				{ credentials: { eKycProApi: { apiKey: API_KEY } }, input: UNUSABLE },
			);
			expect(api.requests).toHaveLength(0);
			expect(result.error).toBeUndefined();
			const items = result.output('Create Task');
			// Every contact comes out, each with the error that stopped its task.
			expect(items).toHaveLength(UNUSABLE.length);
			items.forEach((item, index) => {
				expect(item.json.error).toBe('No usable phone number: nothing was sent and nothing was charged');
				expect(item.json.message).toMatch(/call me/);
				expect(item.pairedItem).toEqual({ item: index });
			});
		});
	});

	describe('Continue On Fail', () => {
		const facebook = CHECK_CASES[3];

		test('a refused create (402) becomes an error item for each contact, with what to do; nothing is retried', async () => {
			const api = mockCheckApi(facebook, { taskId: TASK_ID, createReply: [402, { error: 'insufficient balance' }] });
			const result = await runWorkflow(
				{ nodes: [createNode(facebook, 'task', { onError: 'continueRegularOutput' })], connections: {} },
				{ credentials: { eKycProApi: { apiKey: API_KEY } }, input: CONTACTS },
			);
			expect(result.error).toBeUndefined();
			expect(api.requests.filter((request) => request.kind === 'create')).toHaveLength(1);
			const items = result.output('Create Task');
			expect(items.map((item) => item.pairedItem)).toEqual(EVERY_CONTACT);
			for (const item of items) {
				expect(item.json).toEqual({
					error: 'Your eKYCPro balance is too low to create this task',
					message: expect.stringContaining('nothing was charged'),
				});
				expect(item.json.message).toContain('insufficient balance');
			}
		});

		test('a refused create with "Input Items With Their Numbers" is an error item for each contact', async () => {
			mockCheckApi(facebook, { taskId: TASK_ID, createReply: [401, { message: 'invalid api key' }] });
			const result = await runWorkflow(
				{ nodes: [createNode(facebook, 'inputItems', { onError: 'continueRegularOutput' })], connections: {} },
				{ credentials: { eKycProApi: { apiKey: API_KEY } }, input: CONTACTS },
			);
			expect(result.error).toBeUndefined();
			const items = result.output('Create Task');
			expect(items.map((item) => item.pairedItem)).toEqual(EVERY_CONTACT);
			for (const item of items) expect(item.json.error).toMatch(/rejected the API key \(HTTP 401\)/);
		});

		test('without it, a refused create stops the workflow with the API error on the node', async () => {
			mockCheckApi(facebook, { taskId: TASK_ID, createReply: [402, { error: 'insufficient balance' }] });
			const result = await runWorkflow(
				{
					nodes: [createNode(facebook, 'task'), statusNode(facebook)],
					connections: chain('Create Task', 'Get Status'),
				},
				{ credentials: { eKycProApi: { apiKey: API_KEY } }, input: CONTACTS },
			);
			expect(result.error?.message).toBe('Your eKYCPro balance is too low to create this task');
			expect((result.error as unknown as { httpCode?: string }).httpCode).toBe('402');
			expect((result.error as unknown as { node?: INode }).node?.name).toBe('Create Task');
			expect(result.runData['Get Status']).toBeUndefined();
		});

		test('an unknown task id (404) in Get Status becomes an error item for that item only', async () => {
			const api = mockCheckApi(facebook, { taskId: 'known1' }, { create: 0 });
			nock(API_BASE_URL).get('/fb/api/simple/tasks/unknown2').reply(404, { error: 'task not found' });
			const result = await runWorkflow(
				{
					nodes: [statusNode(facebook, '={{ $json.task_id }}', { onError: 'continueRegularOutput' })],
					connections: {},
				},
				{ credentials: { eKycProApi: { apiKey: API_KEY } }, input: [{ task_id: 'known1' }, { task_id: 'unknown2' }] },
			);
			expect(result.error).toBeUndefined();
			expect(api.requests).toHaveLength(1);
			const items = result.output('Get Status');
			expect(items).toHaveLength(2);
			expect(items[0].json).toMatchObject({ task_id: 'known1', status: 'processing', done: false });
			expect(items[1].json.error).toBe('Task "unknown2" was not found for the Facebook check');
			expect(items[1].pairedItem).toEqual({ item: 1 });
		});

		// n8n routes an item to the error output only when it carries the error on the item (json { error }).
		test('with "Continue (using error output)", a failed status read goes to the error output', async () => {
			mockCheckApi(facebook, { taskId: 'known1' }, { create: 0 });
			nock(API_BASE_URL).get('/fb/api/simple/tasks/unknown2').reply(404, { error: 'task not found' });
			const result = await runWorkflow(
				{ nodes: [statusNode(facebook, '={{ $json.task_id }}', { onError: 'continueErrorOutput' })], connections: {} },
				{ credentials: { eKycProApi: { apiKey: API_KEY } }, input: [{ task_id: 'known1' }, { task_id: 'unknown2' }] },
			);
			const success = result.output('Get Status', 0);
			const failed = result.output('Get Status', 1);
			expect(success.map((item) => item.json.task_id)).toStrictEqual(['known1']);
			expect(failed).toHaveLength(1);
			expect(failed[0].json.error).toBe('Task "unknown2" was not found for the Facebook check');
		});

		test('without it, an unknown task id stops the workflow with a message that names the task', async () => {
			nock(API_BASE_URL).get('/fb/api/simple/tasks/unknown2').reply(404, { error: 'task not found' });
			const result = await runWorkflow(
				{ nodes: [statusNode(facebook)], connections: {} },
				{ credentials: { eKycProApi: { apiKey: API_KEY } }, input: [{ task_id: 'unknown2' }] },
			);
			expect(result.error?.message).toBe('Task "unknown2" was not found for the Facebook check');
			expect(result.error?.description).toContain('task not found');
			expect((result.error as unknown as { httpCode?: string }).httpCode).toBe('404');
		});
	});
});

describe('Create Task -> Get Status against the sandbox', () => {
	const START = Date.parse('2025-03-02T10:00:00Z');
	let clock = START;
	let sandbox: Sandbox;

	beforeAll(() => nock.enableNetConnect());
	beforeEach(async () => {
		clock = START;
		// 20 s pending, then 1 number a second, then 15 s until the file is exported.
		sandbox = await startSandbox({
			now: () => clock,
			timing: { pendingMs: 20_000, numbersPerSecond: 1, completedMs: 15_000 },
		});
	});
	afterEach(async () => await sandbox.close());

	test.each(CHECK_CASES)('$check: one charged task, then pending -> processing -> exported', async (testCase) => {
		const credentials = { eKycProApi: { apiKey: sandbox.apiKey, baseUrl: sandbox.baseUrl, userId: USER_ID } };
		const first = await runWorkflow(
			{ nodes: [createNode(testCase, 'task'), statusNode(testCase)], connections: chain('Create Task', 'Get Status') },
			{ credentials, input: CONTACTS },
		);

		expect(first.error).toBeUndefined();
		expect(sandbox.charges).toBe(1);
		const tasks = sandbox.tasks();
		expect(tasks).toHaveLength(1);
		expect([...tasks[0].numbers]).toEqual(UPLOADED);
		expect(tasks[0].style).toBe(testCase.style);
		if (testCase.style === 'v1') expect(tasks[0].taskType).toBe(testCase.taskType);
		else expect(tasks[0].userId).toBe(USER_ID);
		const created = first.output('Create Task')[0];
		expect(created.json).toMatchObject({ task_id: tasks[0].id, check: testCase.check, submitted: UPLOADED.length });
		expect(created.pairedItem).toEqual(EVERY_CONTACT);
		expect(first.output('Get Status')[0].json).toMatchObject({
			task_id: tasks[0].id,
			status: 'pending',
			progress: 0,
			done: false,
		});

		// "Fire now, collect later": a later run reads the status of the task item the first run made.
		const later = async (): Promise<INodeExecutionData> => {
			const run = await runWorkflow(
				{ nodes: [statusNode(testCase)], connections: {} },
				{ credentials, input: [created] },
			);
			expect(run.error).toBeUndefined();
			return run.output('Get Status')[0];
		};
		clock = START + 20_000 + 3_000;
		expect((await later()).json).toMatchObject({
			status: 'processing',
			total: UPLOADED.length,
			progress: 0.5,
			done: false,
		});
		clock = START + 20_000 + 6_000 + 15_000;
		const exported = (await later()).json;
		expect(exported).toMatchObject({ status: 'exported', total: UPLOADED.length, progress: 1, done: true });
		expect((exported.success as number) + (exported.failure as number)).toBe(UPLOADED.length);
		expect(exported.result_url).toMatch(/^http:\/\//);

		// Three status reads, still exactly one charged create.
		expect(sandbox.charges).toBe(1);
		expect(sandbox.statusCalls).toBe(3);
		expect(sandbox.requests.filter((request) => request.server === 'api').every((request) => request.hasApiKey)).toBe(
			true,
		);
	});
});
