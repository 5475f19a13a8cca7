/**
 * The fault matrix: the eKYCPro nodes run by n8n-core's WorkflowExecute against the local sandbox while the sandbox
 * fails on purpose (server errors, rate limits, resets, slow and cut-short answers, expired result links, failed and
 * endless tasks, ten workflows at once). Each row asserts what the user sees, how many charges were made and what
 * comes out; the real time each row costs is collected and printed at the end for the note.
 */
import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	INode,
	INodeExecutionData,
	INodeParameters,
} from 'n8n-workflow';

import { startSandbox } from '../sandbox';
import type { Fault, Sandbox, SandboxOptions } from '../sandbox';
import { chain, cleanupHarness, packageNode, runWorkflow } from './harness';
import type { WorkflowRunResult } from './harness';

/** Fast lifecycle: a handful of numbers is exported within about half a second. */
const FAST_TIMING = { pendingMs: 200, numbersPerSecond: 5000, completedMs: 200 };
/** The Wait node asks every second, so a run takes a few real seconds. */
const FAST_POLLING = { schedule: 'fixed', fixedIntervalSeconds: 1 };

const NUMBERS = ['+41798284651', '+41798284652', '+4915112345678', '+14155550132', '+79123456789', '+447911123456'];
const CONTACTS: IDataObject[] = NUMBERS.map((phone, index) => ({ name: `Contact ${index}`, phone }));

type CheckId = 'facebook' | 'telegram' | 'whatsappAvatar' | 'instagram' | 'telegramAvatar';

// ---------------------------------------------------------------------------------------------------------------
// Workflow building blocks

function createNode(check: CheckId, extra: Partial<INode> = {}): INode {
	return packageNode(
		'Create Task',
		'eKycPro',
		{ resource: check, operation: 'createTask', numbersSource: 'field', phoneField: 'phone', output: 'task' },
		extra,
	);
}

function statusNode(check: CheckId, extra: Partial<INode> = {}): INode {
	return packageNode(
		'Get Status',
		'eKycPro',
		{ resource: check, operation: 'getStatus', taskId: '={{ $json.task_id }}' },
		extra,
	);
}

function downloadNode(check: CheckId, extra: Partial<INode> = {}): INode {
	return packageNode(
		'Download Result',
		'eKycPro',
		{
			resource: check,
			operation: 'downloadResult',
			taskId: '={{ $json.task_id }}',
			resultOutput: 'rows',
			simplify: false,
		},
		extra,
	);
}

function waitNode(polling: INodeParameters = {}, extra: Partial<INode> = {}): INode {
	return packageNode(
		'Wait',
		'eKycProWait',
		{ mode: 'rows', resultOutput: 'rows', simplify: false, polling: { ...FAST_POLLING, ...polling } },
		extra,
	);
}

// ---------------------------------------------------------------------------------------------------------------
// Sandbox, timing summary

let sandbox: Sandbox;
let startedAt = 0;
const costs: Array<{
	row: string;
	ms: number;
	creates: number;
	charges: number;
	statusCalls: number;
	downloads: number;
}> = [];

async function useSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
	await sandbox?.close();
	sandbox = await startSandbox({ timing: FAST_TIMING, ...options });
	return sandbox;
}

function credentials(): Record<string, ICredentialDataDecryptedObject> {
	return { eKycProApi: { apiKey: sandbox.apiKey, baseUrl: sandbox.baseUrl } };
}

function requestsOf(kind: 'create' | 'status' | 'download') {
	return sandbox.requests.filter((request) => {
		if (kind === 'download') return request.server === 'result';
		if (request.server !== 'api') return false;
		const isCreate =
			request.method === 'POST' && (request.path === '/v1/tasks' || /\/api\/[^/]+\/tasks$/.test(request.path));
		return kind === 'create' ? isCreate : !isCreate;
	});
}

beforeEach(async () => {
	await useSandbox();
	startedAt = Date.now();
});

afterEach(async () => {
	costs.push({
		row: expect.getState().currentTestName ?? '?',
		ms: Date.now() - startedAt,
		creates: requestsOf('create').length,
		charges: sandbox.charges,
		statusCalls: requestsOf('status').length,
		downloads: requestsOf('download').length,
	});
	await sandbox.close();
});

afterAll(() => {
	cleanupHarness();
	const lines = costs.map(
		(cost) =>
			`${String(cost.ms).padStart(6)} ms  creates ${cost.creates}  charges ${cost.charges}  status ${String(cost.statusCalls).padStart(2)}  downloads ${cost.downloads}  ${cost.row}`,
	);
	console.log(`Fault matrix: real time per row\n${lines.join('\n')}`);
});

// ---------------------------------------------------------------------------------------------------------------
// Helpers for the rows

/** The rows the sandbox's result file holds for these numbers, as the node gives them without Simplify. */
function expectedRows(check: CheckId, numbers: readonly string[]): Array<Record<string, string>> {
	return numbers.map((number) =>
		Object.fromEntries(
			Object.entries(sandbox.expectedRow(check, number)).map(([key, value]) => [key.toLowerCase(), value]),
		),
	);
}

/** Cells as text: an XLSX number cell (age) reads as a number, an empty cell may read as null. */
function asText(items: INodeExecutionData[]): Array<Record<string, string>> {
	return items.map((item) =>
		Object.fromEntries(
			Object.entries(item.json).map(([key, value]) => [
				key,
				value === null || value === undefined ? '' : String(value),
			]),
		),
	);
}

function expectRightRows(items: INodeExecutionData[], check: CheckId, numbers: readonly string[] = NUMBERS): void {
	expect(asText(items)).toEqual(expectedRows(check, numbers));
}

/** Runs Create Task alone and returns the task item it outputs. */
async function createTaskItem(check: CheckId, contacts: IDataObject[] = CONTACTS): Promise<INodeExecutionData> {
	const result = await runWorkflow(
		{ nodes: [createNode(check)], connections: {} },
		{ credentials: credentials(), input: contacts },
	);
	expect(result.error).toBeUndefined();
	const [item] = result.output('Create Task');
	expect(item.json.task_id).toEqual(expect.any(String));
	return item;
}

async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!condition()) {
		if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 25));
	}
}

/** Creates a task and lets the sandbox export it, without any status call. */
async function exportedTaskItem(check: CheckId): Promise<INodeExecutionData> {
	const item = await createTaskItem(check);
	const taskId = item.json.task_id as string;
	await until(() => sandbox.task(taskId)?.status === 'exported', `task ${taskId} to be exported`);
	return item;
}

function errorOf(result: WorkflowRunResult): { message: string; description: string; httpCode?: string } {
	const error = result.error as unknown as { message?: string; description?: string | null; httpCode?: string | null };
	expect(error).toBeDefined();
	return { message: error.message ?? '', description: error.description ?? '', httpCode: error.httpCode ?? undefined };
}

// ---------------------------------------------------------------------------------------------------------------

describe('Create Task', () => {
	test('answered 500, then 500, then 200: one task, one charge', async () => {
		sandbox.fault({ on: 'create', kind: '500', times: 2 });
		const result = await runWorkflow(
			{ nodes: [createNode('facebook')], connections: {} },
			{ credentials: credentials(), input: CONTACTS },
		);

		expect(result.error).toBeUndefined();
		expect(requestsOf('create').map((request) => request.status)).toEqual([500, 500, 200]);
		expect(sandbox.charges).toBe(1);
		const tasks = sandbox.tasks();
		expect(tasks).toHaveLength(1);
		expect([...tasks[0].numbers]).toEqual(NUMBERS);
		const items = result.output('Create Task');
		expect(items).toHaveLength(1);
		expect(items[0].json).toMatchObject({
			task_id: tasks[0].id,
			check: 'facebook',
			status: 'pending',
			submitted: NUMBERS.length,
		});
	});

	test('rate limited (429, Retry-After 1 s), then 200: one task, one charge', async () => {
		sandbox.fault({ on: 'create', kind: '429', retryAfter: 1 });
		const result = await runWorkflow(
			{ nodes: [createNode('telegram')], connections: {} },
			{ credentials: credentials(), input: CONTACTS },
		);

		expect(result.error).toBeUndefined();
		expect(requestsOf('create').map((request) => request.status)).toEqual([429, 200]);
		expect(sandbox.charges).toBe(1);
		expect(result.output('Create Task')[0].json.task_id).toBe(sandbox.tasks()[0].id);
	});

	test('charged, then the connection dropped before the answer: no retry, one charge, an error that says so', async () => {
		sandbox.fault({ on: 'create', kind: 'charge-then-drop' });
		const result = await runWorkflow(
			{ nodes: [createNode('facebook'), statusNode('facebook')], connections: chain('Create Task', 'Get Status') },
			{ credentials: credentials(), input: CONTACTS },
		);

		expect(requestsOf('create')).toHaveLength(1);
		expect(sandbox.charges).toBe(1);
		// The task exists at eKYCPro although the node never learnt its id.
		expect(sandbox.tasks()).toHaveLength(1);
		const { message, description } = errorOf(result);
		expect(message).toMatch(/request to create the task was sent, but no answer came back: the connection was reset/);
		expect(description).toMatch(/may have created the task and charged for it/);
		expect(description).toMatch(/not sent again/);
		expect(description).toMatch(/Look for the task in your eKYCPro account/);
		expect(result.runData['Get Status']).toBeUndefined();
	});

	test('charged, then the answer cut short: no retry, one charge, the same warning', async () => {
		sandbox.fault({ on: 'create', kind: 'truncate' });
		const result = await runWorkflow(
			{ nodes: [createNode('telegram')], connections: {} },
			{ credentials: credentials(), input: CONTACTS },
		);

		expect(requestsOf('create')).toHaveLength(1);
		expect(sandbox.charges).toBe(1);
		const { message, description } = errorOf(result);
		expect(`${message} ${description}`).toMatch(/charged/);
		expect(description).toMatch(/before creating it again|Look for the task/);
	});

	// n8n-core wraps the network error in a NodeApiError without `code` or `cause`; the transport reads the code from
	// what is left (httpCode, messages), so a refused connection is known not to have reached the server.
	test('the connection is refused (nothing listens at the base URL): nothing was sent, and the message says so', async () => {
		const result = await runWorkflow(
			{ nodes: [createNode('facebook')], connections: {} },
			{ credentials: { eKycProApi: { apiKey: sandbox.apiKey, baseUrl: 'http://127.0.0.1:1' } }, input: CONTACTS },
		);

		const { message, description } = errorOf(result);
		expect(message).toMatch(/Could not reach eKYCPro at http:\/\/127\.0\.0\.1:1/);
		expect(description).toMatch(/never reached the server, so nothing was charged/);
	});

	test.each([
		{
			kind: '402' as const,
			message: /^Your eKYCPro balance is too low to create this task$/,
			description: [/nothing was charged/, /Top up your eKYCPro balance/, /insufficient balance/],
		},
		{
			kind: '401' as const,
			message: /rejected the API key \(HTTP 401\)/,
			description: [/check the API key and the base URL/, /nothing was charged/, /invalid api key/],
		},
		{
			kind: '400' as const,
			message: /refused the request while creating a Facebook task: invalid parameters/,
			description: [/nothing was charged/, /one E\.164 number per line/],
		},
		{
			kind: '413' as const,
			message: /^The file of numbers is too large for eKYCPro$/,
			description: [/Split the numbers into smaller batches/, /nothing was charged/, /file too large/],
		},
	])("answered $kind: no retry, no charge, the API's reason and what to do", async ({ kind, message, description }) => {
		sandbox.fault({ on: 'create', kind });
		const result = await runWorkflow(
			{ nodes: [createNode('facebook'), statusNode('facebook')], connections: chain('Create Task', 'Get Status') },
			{ credentials: credentials(), input: CONTACTS },
		);

		expect(requestsOf('create')).toHaveLength(1);
		expect(sandbox.charges).toBe(0);
		expect(sandbox.tasks()).toHaveLength(0);
		const error = errorOf(result);
		expect(error.httpCode).toBe(kind);
		expect(error.message).toMatch(message);
		for (const expected of description) expect(error.description).toMatch(expected);
		expect(result.runData['Get Status']).toBeUndefined();
	});

	// A gateway's 502 does not say whether the task was created: the message must not promise it was free.
	test('answered 502 (from a gateway): not retried, and the message does not promise that nothing was charged', async () => {
		sandbox.fault({ on: 'create', kind: '502' });
		const result = await runWorkflow(
			{ nodes: [createNode('facebook')], connections: {} },
			{ credentials: credentials(), input: CONTACTS },
		);

		expect(requestsOf('create')).toHaveLength(1);
		const { message, description } = errorOf(result);
		expect(message).toMatch(/HTTP 502/);
		expect(message).not.toMatch(/5 times in a row/);
		expect(description).not.toMatch(/not charged/);
		expect(description).toMatch(/may have (been created|created)/);
	});
});

describe('Get Status through failing status calls', () => {
	/** `requests`: status requests the node sends in all; `answered`: those the sandbox did the work for (maybe charged). */
	const STATUS_FAULTS: Array<{ name: string; faults: Fault[]; requests: number; answered: number }> = [
		{ name: '500 twice', faults: [{ on: 'status', kind: '500', times: 2 }], requests: 3, answered: 1 },
		{ name: '502 (HTML page) twice', faults: [{ on: 'status', kind: '502', times: 2 }], requests: 3, answered: 1 },
		{
			name: '429 with Retry-After in seconds, twice',
			faults: [{ on: 'status', kind: '429', retryAfter: 1, times: 2 }],
			requests: 3,
			answered: 1,
		},
		{
			name: '429 with Retry-After as an HTTP date',
			faults: [{ on: 'status', kind: '429', retryAfter: 'date' }],
			requests: 2,
			answered: 1,
		},
		// A slow answer is still an answer: waited for, not sent again.
		{
			name: 'a slow answer (1.5 s)',
			faults: [{ on: 'status', kind: 'slow', delayMs: 1500 }],
			requests: 1,
			answered: 1,
		},
		// The sandbox did the work of the cut-short answer too, so it counts as a (possibly charged) read.
		{ name: 'an answer cut short', faults: [{ on: 'status', kind: 'truncate' }], requests: 2, answered: 2 },
		{
			name: 'a mix: 500, 502, 429',
			faults: [
				{ on: 'status', kind: '500' },
				{ on: 'status', kind: '502' },
				{ on: 'status', kind: '429', retryAfter: 1 },
			],
			requests: 4,
			answered: 1,
		},
	];

	test.each(STATUS_FAULTS)(
		'$name: Get Status waits or retries, then answers',
		async ({ faults, requests, answered }) => {
			const task = await createTaskItem('telegram');
			for (const fault of faults) sandbox.fault(fault);
			const result = await runWorkflow(
				{ nodes: [statusNode('telegram')], connections: {} },
				{ credentials: credentials(), input: [task] },
			);

			expect(result.error).toBeUndefined();
			const items = result.output('Get Status');
			expect(items).toHaveLength(1);
			expect(items[0].json).toMatchObject({ task_id: task.json.task_id, check: 'telegram', total: NUMBERS.length });
			expect(['pending', 'processing', 'completed', 'exported']).toContain(items[0].json.status);
			expect(requestsOf('status')).toHaveLength(requests);
			expect(sandbox.statusCalls).toBe(answered);
			expect(sandbox.charges).toBe(1);
		},
	);

	// A reset reaches the transport wrapped by n8n-core ("The connection to the server was closed unexpectedly"); it
	// must still read as a network error and be retried (this failed before networkErrorCode read `messages`).
	test('connection reset twice: Get Status retries, then answers', async () => {
		const task = await createTaskItem('telegram');
		sandbox.fault({ on: 'status', kind: 'reset', times: 2 });
		const result = await runWorkflow(
			{ nodes: [statusNode('telegram')], connections: {} },
			{ credentials: credentials(), input: [task] },
		);

		expect(requestsOf('status')).toHaveLength(3);
		expect(result.error).toBeUndefined();
		expect(result.output('Get Status')[0].json).toMatchObject({ task_id: task.json.task_id, check: 'telegram' });
	});

	test('429 five times in a row: gives up with a message that says what to do', async () => {
		const task = await createTaskItem('facebook');
		sandbox.fault({ on: 'status', kind: '429', retryAfter: 1, times: 5 });
		const result = await runWorkflow(
			{ nodes: [statusNode('facebook')], connections: {} },
			{ credentials: credentials(), input: [task] },
		);

		expect(requestsOf('status')).toHaveLength(5);
		const { message, description, httpCode } = errorOf(result);
		expect(httpCode).toBe('429');
		expect(message).toMatch(/rate limiting requests \(HTTP 429\) while reading the status of task .*after 5 attempts/);
		expect(description).toMatch(/Wait a few minutes/);
		expect(description).toMatch(/rate limit exceeded|too many requests/);
	});
});

describe('eKYCPro Wait through failing status calls', () => {
	const WAIT_FAULTS: Array<{ name: string; fault: Fault }> = [
		{ name: '500 twice', fault: { on: 'status', kind: '500', times: 2 } },
		{ name: '502 twice', fault: { on: 'status', kind: '502', times: 2 } },
		{ name: '429 (Retry-After 1 s) twice', fault: { on: 'status', kind: '429', retryAfter: 1, times: 2 } },
		{ name: '429 (Retry-After as a date)', fault: { on: 'status', kind: '429', retryAfter: 'date' } },
		{ name: 'a slow answer (1.5 s)', fault: { on: 'status', kind: 'slow', delayMs: 1500 } },
		{ name: 'an answer cut short', fault: { on: 'status', kind: 'truncate' } },
	];

	test.each(WAIT_FAULTS)('$name: the Wait node goes on and ends with the right rows', async ({ fault }) => {
		sandbox.fault(fault);
		const result = await runWorkflow(
			{ nodes: [createNode('facebook'), waitNode()], connections: chain('Create Task', 'Wait') },
			{ credentials: credentials(), input: CONTACTS },
		);

		expect(result.error).toBeUndefined();
		expect(sandbox.charges).toBe(1);
		expectRightRows(result.output('Wait', 0), 'facebook');
		expect(result.output('Wait', 1)).toEqual([]);
		expect(requestsOf('status').filter((request) => request.fault === fault.kind)).toHaveLength(fault.times ?? 1);
	});

	// The Wait node keeps polling through a reset (before the fix above it stopped with an error at the first one).
	test('connection reset twice: the Wait node goes on and ends with the right rows', async () => {
		sandbox.fault({ on: 'status', kind: 'reset', times: 2 });
		const result = await runWorkflow(
			{ nodes: [createNode('facebook'), waitNode()], connections: chain('Create Task', 'Wait') },
			{ credentials: credentials(), input: CONTACTS },
		);

		expect(requestsOf('status').filter((request) => request.fault === 'reset')).toHaveLength(2);
		expect(result.error).toBeUndefined();
		expectRightRows(result.output('Wait', 0), 'facebook');
	});
});

describe('Result download cut short or expired', () => {
	test('Download Result: a file cut short is downloaded again, the rows are right', async () => {
		const task = await exportedTaskItem('facebook');
		sandbox.fault({ on: 'download', kind: 'truncate' });
		const result = await runWorkflow(
			{ nodes: [downloadNode('facebook')], connections: {} },
			{ credentials: credentials(), input: [task] },
		);

		expect(result.error).toBeUndefined();
		expectRightRows(result.output('Download Result'), 'facebook');
		expect(requestsOf('download').map((request) => request.dropped)).toEqual([true, false]);
		expect(sandbox.statusCalls).toBe(1);
	});

	test('Download Result: an expired link is refreshed with one status call, the rows are right', async () => {
		const task = await exportedTaskItem('telegram');
		sandbox.fault({ on: 'download', kind: 'expire' });
		const result = await runWorkflow(
			{ nodes: [downloadNode('telegram')], connections: {} },
			{ credentials: credentials(), input: [task] },
		);

		expect(result.error).toBeUndefined();
		expectRightRows(result.output('Download Result'), 'telegram');
		const downloads = requestsOf('download');
		expect(downloads.map((request) => request.status)).toEqual([403, 200]);
		// The second download used the fresh link the extra status call handed out.
		expect(downloads[1].query['X-Amz-Signature']).not.toBe(downloads[0].query['X-Amz-Signature']);
		expect(sandbox.statusCalls).toBe(2);
	});

	test('Download Result: cut short three times, gives up saying the task is paid and how to collect it', async () => {
		const task = await exportedTaskItem('facebook');
		sandbox.fault({ on: 'download', kind: 'truncate', times: 3 });
		const result = await runWorkflow(
			{ nodes: [downloadNode('facebook')], connections: {} },
			{ credentials: credentials(), input: [task] },
		);

		expect(requestsOf('download')).toHaveLength(3);
		const { message, description } = errorOf(result);
		expect(message).toContain(task.json.task_id as string);
		expect(message).toMatch(/cut short|failed/);
		expect(description).toMatch(/paid and exported: run Download Result again later with the same task ID/);
		expect(result.output('Download Result')).toEqual([]);
	});

	test('Download Result: the fresh link expired too, gives up after one refresh with a message', async () => {
		const task = await exportedTaskItem('facebook');
		sandbox.fault({ on: 'download', kind: 'expire', times: 2 });
		const result = await runWorkflow(
			{ nodes: [downloadNode('facebook')], connections: {} },
			{ credentials: credentials(), input: [task] },
		);

		expect(requestsOf('download')).toHaveLength(2);
		expect(sandbox.statusCalls).toBe(2);
		const { message, description, httpCode } = errorOf(result);
		expect(httpCode).toBe('403');
		expect(message).toContain(task.json.task_id as string);
		expect(description).toMatch(/link had expired and a fresh one failed too/);
	});

	test.each([
		{ name: 'cut short', fault: { on: 'download', kind: 'truncate' } as Fault, statusCalls: 0 },
		{ name: 'expired', fault: { on: 'download', kind: 'expire' } as Fault, statusCalls: 1 },
	])(
		'eKYCPro Wait: a result link $name is retried or refreshed, the rows are right',
		async ({ fault, statusCalls }) => {
			sandbox.fault(fault);
			const result = await runWorkflow(
				{ nodes: [createNode('whatsappAvatar'), waitNode()], connections: chain('Create Task', 'Wait') },
				{ credentials: credentials(), input: CONTACTS },
			);

			expect(result.error).toBeUndefined();
			expectRightRows(result.output('Wait', 0), 'whatsappAvatar');
			expect(requestsOf('download')).toHaveLength(2);
			// Polls up to the export, plus the refresh when the link had expired.
			const firstDownload = sandbox.requests.indexOf(requestsOf('download')[0]);
			const polls = requestsOf('status').filter((request) => sandbox.requests.indexOf(request) < firstDownload).length;
			expect(polls).toBeGreaterThanOrEqual(1);
			expect(requestsOf('status')).toHaveLength(polls + statusCalls);
			expect(sandbox.charges).toBe(1);
		},
	);
});

describe('Tasks that fail, never finish or report an unknown status', () => {
	test('a failed task: Get Status says so, the Wait node puts it on Not Finished, Download Result explains', async () => {
		const task = await createTaskItem('instagram');
		const taskId = task.json.task_id as string;
		sandbox.failTask(taskId);

		const status = await runWorkflow(
			{ nodes: [statusNode('instagram')], connections: {} },
			{ credentials: credentials(), input: [task] },
		);
		const statusError = errorOf(status);
		expect(statusError.message).toBe(`Task ${taskId} failed on eKYCPro's side`);
		expect(statusError.description).toMatch(/has no result file\. Create a new task/);

		const wait = await runWorkflow(
			{ nodes: [waitNode()], connections: {} },
			{ credentials: credentials(), input: [task] },
		);
		expect(wait.error).toBeUndefined();
		expect(wait.output('Wait', 0)).toEqual([]);
		const notFinished = wait.output('Wait', 1);
		expect(notFinished).toHaveLength(1);
		expect(notFinished[0].json).toMatchObject({ task_id: taskId, check: 'instagram', status: 'failed', failed: true });
		expect(notFinished[0].json.reason).toMatch(/failed on eKYCPro's side/);
		expect(notFinished[0].pairedItem).toEqual([{ item: 0 }]);

		const download = await runWorkflow(
			{ nodes: [downloadNode('instagram')], connections: {} },
			{ credentials: credentials(), input: [task] },
		);
		const downloadError = errorOf(download);
		expect(downloadError.message).toMatch(new RegExp(`Task ${taskId} is not exported yet: status "failed"`));
		expect(downloadError.description).toMatch(/failed on eKYCPro's side and has no result file/);
		expect(requestsOf('download')).toHaveLength(0);
		expect(sandbox.charges).toBe(1);
	});

	test('a task that never finishes: after Max Wait the Wait node outputs its id and progress on Not Finished', async () => {
		await useSandbox({ timing: { pendingMs: 60 * 60_000 } });
		const result = await runWorkflow(
			{
				nodes: [createNode('telegram'), waitNode({ maxWaitMinutes: 0.05 })],
				connections: chain('Create Task', 'Wait'),
			},
			{ credentials: credentials(), input: CONTACTS },
		);

		expect(result.error).toBeUndefined();
		expect(result.output('Wait', 0)).toEqual([]);
		const notFinished = result.output('Wait', 1);
		expect(notFinished).toHaveLength(1);
		const taskId = sandbox.tasks()[0].id;
		expect(notFinished[0].json).toMatchObject({
			task_id: taskId,
			check: 'telegram',
			status: 'pending',
			total: NUMBERS.length,
			progress: 0,
			failed: false,
		});
		expect(notFinished[0].json.polls).toBe(requestsOf('status').length);
		expect(notFinished[0].json.reason).toMatch(new RegExp(`Task ${taskId} was not exported within`));
		expect(sandbox.charges).toBe(1);
	});

	test('a task that never finishes, with "Stop With an Error": the error carries the task id and progress', async () => {
		await useSandbox({ timing: { pendingMs: 60 * 60_000 } });
		const result = await runWorkflow(
			{
				nodes: [createNode('facebook'), waitNode({ maxWaitMinutes: 0.05, onTimeout: 'error' })],
				connections: chain('Create Task', 'Wait'),
			},
			{ credentials: credentials(), input: CONTACTS },
		);

		const taskId = sandbox.tasks()[0].id;
		const { message, description } = errorOf(result);
		expect(message).toMatch(new RegExp(`Task ${taskId} was not exported within`));
		expect(description).toContain(`"task_id":"${taskId}"`);
		expect(description).toContain('"status":"pending"');
		expect(description).toMatch(/Collect it later with the eKYCPro node/);
	});

	// Max Wait under a minute (the field allows 0.1 min) was once reported as "within 0 minutes".
	test('the Not Finished reason states the wait the user set, not "0 minutes"', async () => {
		await useSandbox({ timing: { pendingMs: 60 * 60_000 } });
		const result = await runWorkflow(
			{
				nodes: [createNode('facebook'), waitNode({ maxWaitMinutes: 0.05 })],
				connections: chain('Create Task', 'Wait'),
			},
			{ credentials: credentials(), input: CONTACTS },
		);
		const reason = String(result.output('Wait', 1)[0]?.json.reason);
		expect(reason).toMatch(/was not exported within/);
		expect(reason).not.toMatch(/within 0 minutes/);
	});

	test('an unknown status value: Get Status shows it as not done; the Wait node keeps waiting until Max Wait', async () => {
		const task = await createTaskItem('facebook');
		const taskId = task.json.task_id as string;
		sandbox.setStatusOverride(taskId, 'on_hold');

		const status = await runWorkflow(
			{ nodes: [statusNode('facebook')], connections: {} },
			{ credentials: credentials(), input: [task] },
		);
		expect(status.error).toBeUndefined();
		expect(status.output('Get Status')[0].json).toMatchObject({ task_id: taskId, status: 'on_hold', done: false });

		const wait = await runWorkflow(
			{ nodes: [waitNode({ maxWaitMinutes: 0.05 })], connections: {} },
			{ credentials: credentials(), input: [task] },
		);
		expect(wait.error).toBeUndefined();
		expect(wait.output('Wait', 0)).toEqual([]);
		expect(wait.output('Wait', 1)[0].json).toMatchObject({ task_id: taskId, status: 'on_hold', failed: false });
		expect(requestsOf('status').length).toBeGreaterThanOrEqual(3);
	});

	test('an unknown status value that later turns into "exported": the Wait node waits it out and gives the rows', async () => {
		const task = await createTaskItem('facebook');
		const taskId = task.json.task_id as string;
		sandbox.setStatusOverride(taskId, 'queued_for_review');
		const release = setTimeout(() => sandbox.setStatusOverride(taskId, null), 1500);
		try {
			const wait = await runWorkflow(
				{ nodes: [waitNode()], connections: {} },
				{ credentials: credentials(), input: [task] },
			);
			expect(wait.error).toBeUndefined();
			expectRightRows(wait.output('Wait', 0), 'facebook');
			expect(requestsOf('status').length).toBeGreaterThanOrEqual(2);
		} finally {
			clearTimeout(release);
		}
	});
});

describe('eKYCPro Wait under Continue On Fail: one task failing does not lose the others', () => {
	/** Two items: a real task of six numbers, then a task id eKYCPro does not know. */
	async function realAndUnknown(): Promise<INodeExecutionData[]> {
		const real = await createTaskItem('telegram');
		return [real, { json: { task_id: 'nosuchtask01', check: 'telegram' } }];
	}

	test('Continue (regular output): the rows of the real task, then an error item for the unknown one', async () => {
		const input = await realAndUnknown();
		const result = await runWorkflow(
			{ nodes: [waitNode({}, { onError: 'continueRegularOutput' })], connections: {} },
			{ credentials: credentials(), input },
		);

		expect(result.error).toBeUndefined();
		const out = result.output('Wait', 0);
		expectRightRows(out.slice(0, NUMBERS.length), 'telegram');
		expect(out.slice(NUMBERS.length).map((item) => item.json)).toEqual([
			{ error: 'Task "nosuchtask01" was not found for the Telegram check', message: expect.stringMatching(/.+/) },
		]);
		expect(out[NUMBERS.length].pairedItem).toEqual({ item: 1 });
		expect(result.output('Wait', 1)).toEqual([]);
		expect(sandbox.charges).toBe(1);
	});

	test('Continue (using error output): the rows on Done, the failed task on the error output', async () => {
		const input = await realAndUnknown();
		const result = await runWorkflow(
			{ nodes: [waitNode({}, { onError: 'continueErrorOutput' })], connections: {} },
			{ credentials: credentials(), input },
		);

		expect(result.error).toBeUndefined();
		expectRightRows(result.output('Wait', 0), 'telegram');
		expect(result.output('Wait', 1)).toEqual([]);
		// The Wait node's outputs are Done and Not Finished; n8n adds the error output after them.
		expect(result.output('Wait', 2).map((item) => item.json.error)).toEqual([
			'Task "nosuchtask01" was not found for the Telegram check',
		]);
	});

	test('without it, the unknown task stops the node with its message', async () => {
		const input = await realAndUnknown();
		const result = await runWorkflow({ nodes: [waitNode()], connections: {} }, { credentials: credentials(), input });
		expect(errorOf(result).message).toBe('Task "nosuchtask01" was not found for the Telegram check');
	});

	test('an item that names no check and a result file that cannot be read: each contact gets its own error, in input order', async () => {
		const create = packageNode('Create Task', 'eKycPro', {
			resource: 'facebook',
			operation: 'createTask',
			numbersSource: 'field',
			phoneField: 'phone',
			output: 'inputItems',
		});
		const created = await runWorkflow(
			{ nodes: [create], connections: {} },
			{ credentials: credentials(), input: CONTACTS.slice(0, 3) },
		);
		const items = created.output('Create Task');
		const taskId = (items[0].json.ekycpro as IDataObject).task_id as string;
		await until(() => sandbox.task(taskId)?.status === 'exported', `task ${taskId} to be exported`);
		// The middle contact lost its check on the way; the file is cut short every time it is downloaded.
		const input = items.map((item, index) =>
			index === 1
				? { json: { ...item.json, ekycpro: { ...(item.json.ekycpro as IDataObject), check: 'myspace' } } }
				: item,
		);
		sandbox.fault({ on: 'download', kind: 'truncate', times: 6 });

		const result = await runWorkflow(
			{
				nodes: [
					packageNode(
						'Wait',
						'eKycProWait',
						{ mode: 'enrich', polling: FAST_POLLING },
						{ onError: 'continueRegularOutput' },
					),
				],
				connections: {},
			},
			{ credentials: credentials(), input },
		);

		expect(result.error).toBeUndefined();
		const out = result.output('Wait', 0);
		expect(out.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(out[1].json.error).toMatch(/^Item 1 does not say which check its task is/);
		for (const item of [out[0], out[2]]) {
			expect(item.json.error).toMatch(new RegExp(taskId));
			expect(item.json.message).toMatch(/paid and exported/);
		}
		expect(sandbox.charges).toBe(1);
	});
});

describe('Ten workflows at once against one sandbox', () => {
	test('all finish with their own rows; ten tasks, ten charges', async () => {
		const batches = Array.from({ length: 10 }, (_, run) =>
			Array.from({ length: 5 }, (_, index) => `+4179${String(10_000_000 + run * 100 + index).slice(1)}`),
		);
		const results = await Promise.all(
			batches.map(
				async (numbers) =>
					await runWorkflow(
						{ nodes: [createNode('telegram'), waitNode()], connections: chain('Create Task', 'Wait') },
						{ credentials: credentials(), input: numbers.map((phone) => ({ phone })) },
					),
			),
		);

		expect(sandbox.charges).toBe(10);
		expect(sandbox.tasks()).toHaveLength(10);
		results.forEach((result, run) => {
			expect(result.error).toBeUndefined();
			expectRightRows(result.output('Wait', 0), 'telegram', batches[run]);
			expect(result.output('Wait', 1)).toEqual([]);
		});
		// Every task was read through its own polls; no result file was fetched twice.
		expect(requestsOf('download')).toHaveLength(10);
	});
});
