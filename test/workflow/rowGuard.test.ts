/**
 * Max Rows as Items in n8n-core's WorkflowExecute against the sandbox: a result with more rows than one execution
 * should hold stops Download Result and eKYCPro Wait (rows) before any item is built, with an error that says what
 * to do; Continue On Fail makes it an error item; Limit, Result As = File and 0 let the result through.
 */
import nock from 'nock';
import type { IDataObject, INode, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { MILLION_RECIPE_URL } from '../../nodes/EKycPro/helpers/rowGuard';
import { buildResultFile, startSandbox } from '../sandbox';
import type { Sandbox } from '../sandbox';
import { cleanupHarness, packageNode, runWorkflow } from './harness';
import type { WorkflowRunResult } from './harness';

const NUMBERS = ['+41798284651', '+41798284652', '+4915112345678', '+14155550132', '+79123456789', '+447911123456'];
const CHECK = 'whatsappAvatar';

let sandbox: Sandbox;

beforeAll(async () => {
	nock.enableNetConnect();
	sandbox = await startSandbox({ timing: { pendingMs: 100, numbersPerSecond: 5000, completedMs: 100 } });
});

afterAll(async () => {
	await sandbox.close();
	cleanupHarness();
});

afterEach(() => nock.cleanAll());

function credentials() {
	return { eKycProApi: { apiKey: sandbox.apiKey, baseUrl: sandbox.baseUrl } };
}

/** A task of these numbers, created straight at the sandbox and exported. */
async function exportedTask(numbers: readonly string[] = NUMBERS): Promise<string> {
	const form = new FormData();
	form.append('file', new Blob([numbers.join('\n')], { type: 'text/plain' }), 'numbers.txt');
	const response = await fetch(`${sandbox.baseUrl}/wa/api/deep/tasks`, {
		method: 'POST',
		headers: { 'X-API-Key': sandbox.apiKey },
		body: form,
	});
	const taskId = ((await response.json()) as { task_id: string }).task_id;
	const deadline = Date.now() + 10_000;
	while (sandbox.task(taskId)?.status !== 'exported') {
		if (Date.now() > deadline) throw new Error(`task ${taskId} was not exported`);
		await new Promise((resolve) => setTimeout(resolve, 25));
	}
	return taskId;
}

function downloadNode(parameters: INodeParameters, extra: Partial<INode> = {}): INode {
	return packageNode(
		'Download Result',
		'eKycPro',
		{
			resource: CHECK,
			operation: 'downloadResult',
			taskId: '={{ $json.task_id }}',
			resultOutput: 'rows',
			...parameters,
		},
		extra,
	);
}

function waitNode(parameters: INodeParameters, extra: Partial<INode> = {}): INode {
	return packageNode(
		'Wait',
		'eKycProWait',
		{
			taskId: '={{ $json.task_id }}',
			check: CHECK,
			mode: 'rows',
			resultOutput: 'rows',
			polling: { schedule: 'fixed', fixedIntervalSeconds: 1 },
			...parameters,
		},
		extra,
	);
}

const downloads = () => sandbox.requests.filter((request) => request.server === 'result').length;

async function run(node: INode, input: IDataObject[]): Promise<WorkflowRunResult> {
	return await runWorkflow({ nodes: [node], connections: {} }, { credentials: credentials(), input });
}

function errorOf(result: WorkflowRunResult): { message: string; description: string } {
	const error = result.error as unknown as { message?: string; description?: string | null };
	expect(error).toBeDefined();
	return { message: error.message ?? '', description: error.description ?? '' };
}

function expectRecipeAdvice(description: string): void {
	expect(description).toContain('Result As to File');
	expect(description).toContain('Return All');
	expect(description).toContain(MILLION_RECIPE_URL);
	expect(description).toContain('raise Max Rows as Items (0 = no limit)');
}

const numbersOf = (items: INodeExecutionData[]) => items.map((item) => item.json.number);

describe('Download Result', () => {
	test('over Max Rows as Items: an error that says what to do, before the file is even downloaded', async () => {
		const taskId = await exportedTask();
		const before = downloads();
		const result = await run(downloadNode({ maxRowsAsItems: 4 }), [{ task_id: taskId }]);

		const error = errorOf(result);
		expect(error.message).toBe(`The result of task ${taskId} has 6 rows, more than Max Rows as Items (4)`);
		expectRecipeAdvice(error.description);
		expect(result.output('Download Result')).toEqual([]);
		expect(downloads()).toBe(before);
	});

	test('at the limit, with a Limit under it, as a file, or with 0: the result comes out', async () => {
		const taskId = await exportedTask();
		const atLimit = await run(downloadNode({ maxRowsAsItems: 6 }), [{ task_id: taskId }]);
		expect(atLimit.error).toBeUndefined();
		expect(numbersOf(atLimit.output('Download Result'))).toEqual(NUMBERS);

		const limited = await run(downloadNode({ maxRowsAsItems: 4, returnAll: false, limit: 3 }), [{ task_id: taskId }]);
		expect(limited.error).toBeUndefined();
		expect(numbersOf(limited.output('Download Result'))).toEqual(NUMBERS.slice(0, 3));

		const file = await run(downloadNode({ maxRowsAsItems: 1, resultOutput: 'file' }), [{ task_id: taskId }]);
		expect(file.error).toBeUndefined();
		expect(file.output('Download Result')).toHaveLength(1);
		expect(file.output('Download Result')[0].binary?.data).toBeDefined();

		const noLimit = await run(downloadNode({ maxRowsAsItems: 0 }), [{ task_id: taskId }]);
		expect(noLimit.error).toBeUndefined();
		expect(numbersOf(noLimit.output('Download Result'))).toEqual(NUMBERS);
	});

	test('Rows and File is guarded too', async () => {
		const taskId = await exportedTask();
		const result = await run(downloadNode({ maxRowsAsItems: 5, resultOutput: 'both' }), [{ task_id: taskId }]);
		expect(errorOf(result).message).toBe(`The result of task ${taskId} has 6 rows, more than Max Rows as Items (5)`);
	});

	test('the results of several items add up; under Continue On Fail the one over it is an error item', async () => {
		const first = await exportedTask();
		const second = await exportedTask(NUMBERS.slice(0, 5));
		const result = await run(downloadNode({ maxRowsAsItems: 10 }, { onError: 'continueRegularOutput' }), [
			{ task_id: first },
			{ task_id: second },
		]);

		expect(result.error).toBeUndefined();
		const items = result.output('Download Result');
		expect(numbersOf(items.slice(0, 6))).toEqual(NUMBERS);
		expect(items).toHaveLength(7);
		expect(items[6].json.error).toBe(
			`The result of task ${second} has 5 rows: with the 6 rows of the results before it, that is more than Max Rows as Items (10)`,
		);
		expect(String(items[6].json.message)).toContain(MILLION_RECIPE_URL);
		expect(items[6].pairedItem).toEqual({ item: 1 });
	});

	test('a status answer without the count: the rows are counted as the file is read', async () => {
		const taskId = 'abcdefghij0123456789';
		const file = await buildResultFile(CHECK, NUMBERS, 'csv');
		nock('https://api.example.test').get(`/wa/api/deep/tasks/${taskId}`).query(true).reply(200, {
			task_id: taskId,
			user_id: '',
			status: 'exported',
			total: 0,
			success: 0,
			failure: 0,
			created_at: '2025-03-02T10:15:30.123456789Z',
			updated_at: '2025-03-02T10:16:02.000000000Z',
			result_url: 'https://results.example.test/r.csv',
		});
		nock('https://results.example.test').get('/r.csv').reply(200, file, { 'content-type': 'text/csv' });
		const result = await runWorkflow(
			{ nodes: [downloadNode({ maxRowsAsItems: 4 })], connections: {} },
			{
				credentials: { eKycProApi: { apiKey: 'key', baseUrl: 'https://api.example.test' } },
				input: [{ task_id: taskId }],
			},
		);
		const error = errorOf(result);
		expect(error.message).toBe(`The result of task ${taskId} has 6 rows, more than Max Rows as Items (4)`);
		expectRecipeAdvice(error.description);
		expect(result.output('Download Result')).toEqual([]);
	});
});

describe('eKYCPro Wait, rows', () => {
	test('over Max Rows as Items: the same error; under Continue On Fail an error item', async () => {
		const taskId = await exportedTask();
		const stopped = await run(waitNode({ maxRowsAsItems: 5 }), [{ task_id: taskId }]);
		const error = errorOf(stopped);
		expect(error.message).toBe(`The result of task ${taskId} has 6 rows, more than Max Rows as Items (5)`);
		expectRecipeAdvice(error.description);
		expect(stopped.output('Wait')).toEqual([]);

		const continued = await run(waitNode({ maxRowsAsItems: 5 }, { onError: 'continueRegularOutput' }), [
			{ task_id: taskId },
		]);
		expect(continued.error).toBeUndefined();
		const [item, ...rest] = continued.output('Wait');
		expect(rest).toEqual([]);
		expect(item.json.error).toBe(`The result of task ${taskId} has 6 rows, more than Max Rows as Items (5)`);
		expect(String(item.json.message)).toContain(MILLION_RECIPE_URL);
	});

	test('within the limit: the rows come out', async () => {
		const taskId = await exportedTask();
		const rows = await run(waitNode({ maxRowsAsItems: 6 }), [{ task_id: taskId }]);
		expect(rows.error).toBeUndefined();
		expect(numbersOf(rows.output('Wait'))).toEqual(NUMBERS);
	});
});
