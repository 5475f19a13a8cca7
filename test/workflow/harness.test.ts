/**
 * What the harness promises the other workflow tests, checked through what a user of the nodes sees: cancelling and
 * timing out a running execution, binary data in memory mode (files in, result files out), credentials applied
 * by n8n's generic authenticate, and a real local HTTP server next to nock.
 */
import nock from 'nock';
import type { IBinaryData, INode, INodeExecutionData } from 'n8n-workflow';

import { startSandbox } from '../sandbox';
import type { Sandbox } from '../sandbox';
import { API_BASE_URL, field, mockCheckApi } from './apiMock';
import { chain, cleanupHarness, packageNode, runWorkflow } from './harness';

const API_KEY = 'harness-key-1';
const credentials = { eKycProApi: { apiKey: API_KEY } };

function statusNode(extra: Partial<INode> = {}): INode {
	return packageNode('Get Status', 'eKycPro', { resource: 'facebook', operation: 'getStatus' }, extra);
}

afterAll(() => cleanupHarness());

describe('with nock', () => {
	beforeAll(() => nock.disableNetConnect());
	afterEach(() => nock.cleanAll());
	afterAll(() => nock.enableNetConnect());

	/** A status endpoint that keeps failing with 500 (after `delayMs`), so the node waits to retry (1 s, 2 s, ...). */
	function failingStatus(onRequest: () => void, delayMs = 0): { calls: () => number } {
		let calls = 0;
		nock(API_BASE_URL)
			.get('/fb/api/simple/tasks/t1')
			.times(5)
			.delay(delayMs)
			.reply(() => {
				calls++;
				onRequest();
				return [500, { error: 'busy' }];
			});
		return { calls: () => calls };
	}

	test('cancelling a running execution stops the node while it waits to retry: no further request', async () => {
		let cancel: (() => void) | undefined;
		// Cancel once the 500 has arrived and the node is waiting for its retry.
		const api = failingStatus(() => setTimeout(() => cancel?.(), 100));
		const result = await runWorkflow(
			{ nodes: [statusNode()], connections: {} },
			{ credentials, input: [{ task_id: 't1' }], onStart: (cancelExecution) => (cancel = cancelExecution) },
		);
		expect(result.cancelled).toBe(true);
		expect(api.calls()).toBe(1);
		expect(result.error?.message).toBe('The execution was cancelled while reading the status of task t1');
		expect(result.output('Get Status')).toEqual([]);
	});

	// n8n aborts the request in flight when the execution is cancelled; that must not read as a network failure.
	test('cancelling during a request in flight says so', async () => {
		let cancel: (() => void) | undefined;
		failingStatus(() => {}, 1_000);
		setTimeout(() => cancel?.(), 300);
		const result = await runWorkflow(
			{ nodes: [statusNode()], connections: {} },
			{ credentials, input: [{ task_id: 't1' }], onStart: (cancelExecution) => (cancel = cancelExecution) },
		);
		expect(result.cancelled).toBe(true);
		expect(result.error?.message).toBe('The execution was cancelled while reading the status of task t1');
	});

	test('an execution timeout cancels the same way', async () => {
		const api = failingStatus(() => {});
		const result = await runWorkflow(
			{ nodes: [statusNode()], connections: {} },
			{ credentials, input: [{ task_id: 't1' }], timeoutMs: 200 },
		);
		expect(result.timedOut).toBe(true);
		expect(api.calls()).toBe(1);
		expect(result.error?.message).toMatch(/cancelled/);
	});

	test("the key reaches the API only through the credential's generic authenticate", async () => {
		const api = mockCheckApi(
			{ check: 'facebook', style: 'legacy', path: '/fb/api/simple' },
			{ taskId: 't1' },
			{ create: 0 },
		);
		const result = await runWorkflow(
			{ nodes: [statusNode()], connections: {} },
			{ credentials, input: [{ task_id: 't1' }] },
		);
		expect(result.error).toBeUndefined();
		expect(result.credentialsRequested).toContain('eKycProApi');
		expect(api.requests[0].headers['x-api-key']).toBe(API_KEY);
	});

	test("a node without its credential fails with n8n's own message", async () => {
		const result = await runWorkflow({ nodes: [statusNode()], connections: {} }, { input: [{ task_id: 't1' }] });
		expect(result.error?.message).toMatch(/credentials/i);
		expect(result.nodeErrors['Get Status']).toBeDefined();
	});

	test('a file of numbers arrives as binary data in memory and is uploaded as E.164 lines', async () => {
		const api = mockCheckApi({ check: 'telegram', style: 'v1', taskType: 'tg' }, { taskId: 't9' }, { status: 0 });
		const csv = '\uFEFFname;mobile\r\nAnna;+41 79 828 46 51\r\nBen;0049 151 12345678\r\nCleo;not a number\r\n';
		const file: IBinaryData = {
			data: Buffer.from(csv, 'utf8').toString('base64'),
			mimeType: 'text/csv',
			fileName: 'contacts.csv',
		};
		const input: INodeExecutionData[] = [{ json: {}, binary: { data: file } }];
		const result = await runWorkflow(
			{
				nodes: [
					packageNode('Create Task', 'eKycPro', {
						resource: 'telegram',
						operation: 'createTask',
						numbersSource: 'binary',
						binaryProperty: 'data',
						csvColumn: 'mobile',
					}),
				],
				connections: {},
			},
			{ credentials, input },
		);
		expect(result.error).toBeUndefined();
		expect(field(api.requests[0], 'file')?.value.split('\n')).toEqual(['+41798284651', '+4915112345678']);
		expect(result.output('Create Task')[0].json).toMatchObject({
			task_id: 't9',
			submitted: 2,
			rejected: [{ item: 0, value: 'not a number', reason: expect.stringMatching(/letters/) }],
		});
	});
});

describe('with a real local server (the sandbox) while nock is loaded', () => {
	const START = Date.parse('2025-03-02T10:00:00Z');
	let clock = START;
	let sandbox: Sandbox;

	beforeAll(async () => {
		nock.enableNetConnect();
		sandbox = await startSandbox({
			now: () => clock,
			timing: { pendingMs: 1_000, numbersPerSecond: 10, completedMs: 1_000 },
		});
	});
	afterAll(async () => await sandbox.close());

	test('a downloaded result file comes out as binary data held in memory, fetched without the key', async () => {
		const sandboxCredentials = { eKycProApi: { apiKey: sandbox.apiKey, baseUrl: sandbox.baseUrl } };
		const created = await runWorkflow(
			{
				nodes: [
					packageNode('Create Task', 'eKycPro', {
						resource: 'instagram',
						operation: 'createTask',
						phoneField: 'phone',
					}),
				],
				connections: {},
			},
			{ credentials: sandboxCredentials, input: [{ phone: '+41798284651' }, { phone: '+4915112345678' }] },
		);
		expect(created.error).toBeUndefined();
		clock += 60_000;

		const result = await runWorkflow(
			{
				nodes: [
					packageNode('Download Result', 'eKycPro', {
						resource: 'instagram',
						operation: 'downloadResult',
						resultOutput: 'both',
					}),
				],
				connections: chain('Download Result'),
			},
			{ credentials: sandboxCredentials, input: created.output('Create Task') },
		);
		expect(result.error).toBeUndefined();
		const items = result.output('Download Result');
		const withFile = items.filter((item) => item.binary?.data !== undefined);
		expect(withFile).toHaveLength(1);
		const binary = withFile[0].binary!.data;
		// Memory mode: the file travels on the item as base64, with no id in a binary data store.
		expect(binary.id).toBeUndefined();
		expect(Buffer.from(binary.data, 'base64').subarray(0, 4)).toEqual(Buffer.from('PK\x03\x04', 'latin1'));
		const rows = items.filter((item) => item.binary === undefined);
		expect(rows.map((row) => row.json.number).sort()).toEqual(['+41798284651', '+4915112345678']);
		const downloads = sandbox.requests.filter((request) => request.server === 'result');
		expect(downloads.length).toBeGreaterThan(0);
		expect(downloads.every((request) => !request.hasApiKey)).toBe(true);
	});
});
