/**
 * Security of the API key through whole workflows: after the fault rows (retries, dropped creates, refused keys,
 * failed and endless tasks, expired and cut-short result links) the key is searched for in every output item (json
 * and binary), every error (message, description, stack, everything it carries) and every log line n8n and the nodes
 * wrote at debug level. The sandbox's request log shows where the key went: to the API, never to the result host.
 * With nock: errors do not echo request headers, and neither a redirect nor a result link on the API's own host gets
 * the key.
 */
import { Writable } from 'node:stream';

import { Logger } from '@n8n/backend-common';
import { Container } from '@n8n/di';
import nock from 'nock';
import type { ICredentialDataDecryptedObject, IDataObject, INode } from 'n8n-workflow';
import winston from 'winston';

import { startSandbox } from '../sandbox';
import type { Fault, Sandbox } from '../sandbox';
import { API_BASE_URL, statusAnswer } from './apiMock';
import { chain, cleanupHarness, loadPackage, packageNode, runWorkflow } from './harness';
import type { WorkflowRunResult } from './harness';

const API_KEY = 'ek-SECRET-4f9a1c77d2b84e0c9a33';
const WRONG_KEY = 'ek-WRONG-0b7e52d1c6a94f3388aa';
const NUMBERS = ['+41798284651', '+41798284652', '+4915112345678', '+14155550132'];
const CONTACTS: IDataObject[] = NUMBERS.map((phone, index) => ({ name: `Contact ${index}`, phone }));
const FAST_TIMING = { pendingMs: 200, numbersPerSecond: 5000, completedMs: 200 };
const FAST_POLLING = { schedule: 'fixed', fixedIntervalSeconds: 1 };

// ---------------------------------------------------------------------------------------------------------------
// Capturing every log line: n8n builds its logger from N8N_LOG_LEVEL when the harness first prepares its services.
// The level is set to debug before that, and the console transport is swapped for one that keeps the lines.

const logLines: string[] = [];
const consoleLines: string[] = [];
const streamLines: string[] = [];
const previousLogLevel = process.env.N8N_LOG_LEVEL;

async function captureLogs(): Promise<void> {
	process.env.N8N_LOG_LEVEL = 'debug';
	// What reaches stdout and stderr directly (n8n's console transport writes there before it is swapped), passed on.
	for (const stream of [process.stdout, process.stderr]) {
		const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
		jest.spyOn(stream, 'write').mockImplementation(((...args: unknown[]) => {
			streamLines.push(String(args[0]));
			return write(...args);
		}) as typeof stream.write);
	}
	for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
		jest.spyOn(console, method).mockImplementation((...args: unknown[]) => {
			consoleLines.push(args.map((arg) => (typeof arg === 'string' ? arg : safeStringify(arg))).join(' '));
		});
	}
	await loadPackage();
	const logger = Container.get(Logger) as unknown as { internalLogger: winston.Logger; level: string };
	expect(logger.level).toBe('debug');
	const sink = new Writable({
		write(chunk: Buffer | string, _encoding, done) {
			logLines.push(chunk.toString());
			done();
		},
	});
	logger.internalLogger.clear();
	logger.internalLogger.add(new winston.transports.Stream({ stream: sink, format: winston.format.json() }));
}

function safeStringify(value: unknown): string {
	try {
		return JSON.stringify(value) ?? String(value);
	} catch {
		return String(value);
	}
}

/**
 * Every string reachable from `value`: own properties enumerable or not (an error's message and stack), arrays,
 * nested objects, and binary data decoded from its base64.
 */
function allStrings(value: unknown, found: string[] = [], seen = new Set<unknown>()): string[] {
	if (typeof value === 'string') {
		found.push(value);
		return found;
	}
	if (value === null || typeof value !== 'object' || seen.has(value)) return found;
	seen.add(value);
	if (value instanceof Uint8Array) {
		found.push(Buffer.from(value).toString('latin1'));
		return found;
	}
	for (const key of Object.getOwnPropertyNames(value)) {
		let child: unknown;
		try {
			child = (value as Record<string, unknown>)[key];
		} catch {
			continue;
		}
		allStrings(child, found, seen);
		// Binary data on an item travels as base64 in `data`.
		if (key === 'data' && typeof child === 'string' && /^[A-Za-z0-9+/]+={0,2}$/.test(child) && child.length % 4 === 0) {
			found.push(Buffer.from(child, 'base64').toString('latin1'));
		}
	}
	return found;
}

function containing(strings: string[], secret: string): string[] {
	return strings.filter((text) => text.includes(secret)).map((text) => text.slice(0, 300));
}

function errorStrings(result: WorkflowRunResult): string[] {
	const errors: unknown[] = [result.error, ...Object.values(result.nodeErrors)];
	for (const tasks of Object.values(result.runData)) {
		for (const task of tasks) {
			errors.push(task.error);
			for (const output of task.data?.main ?? [])
				for (const item of output ?? []) errors.push(item.error, item.json.error);
		}
	}
	const strings = allStrings(errors);
	// Serialised as n8n stores and shows them (toJSON), too.
	for (const error of errors) if (error !== undefined) strings.push(safeStringify(error));
	return strings;
}

function outputStrings(result: WorkflowRunResult): string[] {
	const items = Object.values(result.runData).flatMap((tasks) =>
		tasks.flatMap((task) => (task.data?.main ?? []).flatMap((output) => output ?? [])),
	);
	return allStrings(items.map((item) => ({ json: item.json, binary: item.binary })));
}

// ---------------------------------------------------------------------------------------------------------------
// Workflow building blocks

function createNode(check: string, extra: Partial<INode> = {}): INode {
	return packageNode(
		'Create Task',
		'eKycPro',
		{ resource: check, operation: 'createTask', phoneField: 'phone', output: 'task' },
		extra,
	);
}

function statusNode(check: string, extra: Partial<INode> = {}): INode {
	return packageNode(
		'Get Status',
		'eKycPro',
		{ resource: check, operation: 'getStatus', taskId: '={{ $json.task_id }}' },
		extra,
	);
}

function downloadNode(check: string, extra: Partial<INode> = {}): INode {
	return packageNode(
		'Download Result',
		'eKycPro',
		{ resource: check, operation: 'downloadResult', taskId: '={{ $json.task_id }}', resultOutput: 'both' },
		extra,
	);
}

function waitNode(polling: IDataObject = {}, extra: Partial<INode> = {}): INode {
	return packageNode(
		'Wait',
		'eKycProWait',
		{ mode: 'rows', resultOutput: 'both', polling: { ...FAST_POLLING, ...polling } },
		extra,
	);
}

afterAll(() => {
	jest.restoreAllMocks();
	if (previousLogLevel === undefined) delete process.env.N8N_LOG_LEVEL;
	else process.env.N8N_LOG_LEVEL = previousLogLevel;
	cleanupHarness();
});

// ---------------------------------------------------------------------------------------------------------------

describe('the fault rows, searched for the API key', () => {
	let sandbox: Sandbox;
	const results: Array<{ row: string; result: WorkflowRunResult }> = [];
	/** Requests sent with the wrong key on purpose (the 401 row): they carry WRONG_KEY instead. */
	let wrongKeyFrom = Number.POSITIVE_INFINITY;
	let wrongKeyTo = Number.NEGATIVE_INFINITY;

	function credentials(apiKey = API_KEY): Record<string, ICredentialDataDecryptedObject> {
		return { eKycProApi: { apiKey, baseUrl: sandbox.baseUrl, userId: 'user-4711' } };
	}

	async function row(name: string, faults: Fault[], run: () => Promise<WorkflowRunResult>): Promise<WorkflowRunResult> {
		for (const fault of faults) sandbox.fault(fault);
		const result = await run();
		results.push({ row: name, result });
		return result;
	}

	async function exportedTask(check: string): Promise<IDataObject> {
		const created = await runWorkflow(
			{ nodes: [createNode(check)], connections: {} },
			{ credentials: credentials(), input: CONTACTS },
		);
		results.push({ row: `create ${check}`, result: created });
		const task = created.output('Create Task')[0].json;
		const deadline = Date.now() + 10_000;
		while (sandbox.task(task.task_id as string)?.status !== 'exported' && Date.now() < deadline) {
			await new Promise((resolve) => setTimeout(resolve, 25));
		}
		return task;
	}

	beforeAll(async () => {
		await captureLogs();
		sandbox = await startSandbox({ apiKey: API_KEY, timing: FAST_TIMING });

		// The whole way with retries on every leg: create 500, status 429 and 502, an expired result link.
		await row(
			'create 500 -> wait through 429, 502 -> expired link refreshed',
			[
				{ on: 'create', kind: '500' },
				{ on: 'status', kind: '429', retryAfter: 1 },
				{ on: 'status', kind: '502' },
				{ on: 'download', kind: 'expire' },
			],
			async () =>
				await runWorkflow(
					{ nodes: [createNode('telegramAvatar'), waitNode()], connections: chain('Create Task', 'Wait') },
					{ credentials: credentials(), input: CONTACTS },
				),
		);
		const exported = await exportedTask('whatsappAvatar');
		await row(
			'download cut short, then expired',
			[
				{ on: 'download', kind: 'truncate' },
				{ on: 'download', kind: 'expire' },
			],
			async () =>
				await runWorkflow(
					{ nodes: [downloadNode('whatsappAvatar')], connections: {} },
					{ credentials: credentials(), input: [exported] },
				),
		);
		await row(
			'expired twice',
			[{ on: 'download', kind: 'expire', times: 2 }],
			async () =>
				await runWorkflow(
					{ nodes: [downloadNode('whatsappAvatar')], connections: {} },
					{ credentials: credentials(), input: [exported] },
				),
		);

		// Creates that fail, with and without Continue On Fail (the error then travels on an output item).
		for (const kind of ['400', '402', '413', '502', 'charge-then-drop', 'truncate'] as const) {
			for (const onError of ['stopWorkflow', 'continueRegularOutput'] as const) {
				await row(
					`create ${kind} (${onError})`,
					[{ on: 'create', kind }],
					async () =>
						await runWorkflow(
							{ nodes: [createNode('facebook', { onError })], connections: {} },
							{ credentials: credentials(), input: CONTACTS },
						),
				);
			}
		}

		// Status reads that fail: a reset, a task of another check (404), a failed task, a task that never finishes.
		const facebookTask = (
			await row(
				'create facebook',
				[],
				async () =>
					await runWorkflow(
						{ nodes: [createNode('facebook')], connections: {} },
						{ credentials: credentials(), input: CONTACTS },
					),
			)
		).output('Create Task')[0];
		await row(
			'status reset',
			[{ on: 'status', kind: 'reset' }],
			async () =>
				await runWorkflow(
					{ nodes: [statusNode('facebook')], connections: {} },
					{ credentials: credentials(), input: [facebookTask] },
				),
		);
		await row(
			'status 404 (task of another check)',
			[],
			async () =>
				await runWorkflow(
					{ nodes: [statusNode('instagram', { onError: 'continueErrorOutput' })], connections: {} },
					{ credentials: credentials(), input: [facebookTask] },
				),
		);
		sandbox.setStatusOverride(facebookTask.json.task_id as string, 'on_hold');
		await row(
			'wait: never finishes, stop with an error',
			[],
			async () =>
				await runWorkflow(
					{ nodes: [waitNode({ maxWaitMinutes: 0.03, onTimeout: 'error' })], connections: {} },
					{ credentials: credentials(), input: [facebookTask] },
				),
		);
		sandbox.failTask(facebookTask.json.task_id as string);
		sandbox.setStatusOverride(facebookTask.json.task_id as string, null);
		await row(
			'failed task: Get Status, Wait, Download Result',
			[],
			async () =>
				await runWorkflow(
					{
						nodes: [
							statusNode('facebook', { onError: 'continueRegularOutput' }),
							waitNode(),
							downloadNode('facebook', { onError: 'continueRegularOutput' }),
						],
						connections: {
							'Get Status': { main: [[{ node: 'Wait', type: 'main', index: 0 }]] },
							Wait: { main: [[], [{ node: 'Download Result', type: 'main', index: 0 }]] },
						},
					},
					{ credentials: credentials(), input: [facebookTask] },
				),
		);

		// A wrong key: the sandbox refuses it (401), the wrong key must not show either.
		wrongKeyFrom = sandbox.requests.length;
		await row(
			'wrong key (401)',
			[],
			async () =>
				await runWorkflow(
					{ nodes: [createNode('instagram')], connections: {} },
					{ credentials: credentials(WRONG_KEY), input: CONTACTS },
				),
		);
		wrongKeyTo = sandbox.requests.length;
	}, 120_000);

	afterAll(async () => await sandbox.close());

	test('the rows ran as planned: results, errors and log lines to search', () => {
		const byName = Object.fromEntries(results.map(({ row: name, result }) => [name, result]));
		expect(byName['create 500 -> wait through 429, 502 -> expired link refreshed'].output('Wait').length).toBe(
			NUMBERS.length + 1,
		);
		expect(byName['download cut short, then expired'].output('Download Result').length).toBe(NUMBERS.length + 1);
		expect(byName['expired twice'].error?.message).toMatch(/result host answered HTTP 403/);
		expect(byName['create charge-then-drop (stopWorkflow)'].error?.message).toMatch(/no answer came back/);
		expect(byName['create 402 (continueRegularOutput)'].output('Create Task')[0].json.error).toMatch(
			/balance is too low/,
		);
		expect(byName['status 404 (task of another check)'].output('Get Status', 1)).toHaveLength(1);
		expect(byName['wait: never finishes, stop with an error'].error?.message).toMatch(/was not exported within/);
		expect(byName['wrong key (401)'].error?.message).toMatch(/rejected the API key \(HTTP 401\)/);
		// Binary output is part of what is searched.
		expect(byName['download cut short, then expired'].output('Download Result')[0].binary?.data).toBeDefined();
		// The capture works: n8n's own debug lines and the Wait node's progress lines are there.
		expect(logLines.some((line) => line.includes('Wait'))).toBe(true);
		expect(logLines.some((line) => /eKYCPro task \w+: /.test(line))).toBe(true);
		// The searches reach what they should: a number in the output, the API's words in an error, a task id in the log.
		const waitRow = byName['create 500 -> wait through 429, 502 -> expired link refreshed'];
		expect(containing(outputStrings(waitRow), NUMBERS[0]).length).toBeGreaterThan(0);
		expect(containing(errorStrings(byName['wrong key (401)']), 'invalid api key').length).toBeGreaterThan(0);
		expect(containing(logLines, sandbox.tasks()[0].id).length).toBeGreaterThan(0);
	});

	test.each([API_KEY, WRONG_KEY])('the key %s is in no output item, json or binary', (secret) => {
		for (const { row: name, result } of results)
			expect({ row: name, leaks: containing(outputStrings(result), secret) }).toEqual({ row: name, leaks: [] });
	});

	test.each([API_KEY, WRONG_KEY])(
		'the key %s is in no error: message, description, stack or anything it carries',
		(secret) => {
			const withErrors = results.filter(({ result }) => errorStrings(result).length > 0);
			expect(withErrors.length).toBeGreaterThan(10);
			for (const { row: name, result } of results)
				expect({ row: name, leaks: containing(errorStrings(result), secret) }).toEqual({ row: name, leaks: [] });
		},
	);

	test.each([API_KEY, WRONG_KEY])('the key %s is in no log line and nothing written to the console', (secret) => {
		expect(logLines.length).toBeGreaterThan(0);
		expect(containing(logLines, secret)).toEqual([]);
		expect(containing(consoleLines, secret)).toEqual([]);
		expect(containing(streamLines, secret)).toEqual([]);
	});

	test("the key went to the credential's base URL on every API call, and never to the result host", () => {
		const api = sandbox.requests.filter((request) => request.server === 'api');
		const result = sandbox.requests.filter((request) => request.server === 'result');
		expect(api.length).toBeGreaterThan(20);
		api.forEach((request) => {
			const index = sandbox.requests.indexOf(request);
			expect(request.headers['x-api-key']).toBe(index >= wrongKeyFrom && index < wrongKeyTo ? WRONG_KEY : API_KEY);
		});
		expect(result.length).toBeGreaterThan(4);
		for (const request of result) {
			expect(request.hasApiKey).toBe(false);
			expect(containing(Object.values(request.headers), API_KEY)).toEqual([]);
		}
		// Also after a refresh: a download refused as expired, then one with the fresh link, both without the key.
		const expired = result.filter((request) => request.fault === 'expire');
		expect(expired.length).toBeGreaterThanOrEqual(3);
		const refreshed = expired
			.map((refused) => ({ refused, next: result[result.indexOf(refused) + 1] }))
			.filter(({ next }) => next !== undefined && next.status === 200);
		expect(refreshed.length).toBeGreaterThanOrEqual(2);
		for (const { refused, next } of refreshed) {
			expect(next.query['X-Amz-Signature']).not.toBe(refused.query['X-Amz-Signature']);
			expect(next.hasApiKey).toBe(false);
		}
	});

	test('errors from the API carry no value of the headers that were sent', () => {
		// The headers of the requests that were answered with an error: key, multipart boundary, user id header.
		const sent = sandbox.requests
			.filter((request) => request.server === 'api' && request.status >= 400)
			.flatMap((request) => [request.headers['x-api-key'], request.headers['content-type']])
			.filter((value): value is string => value !== undefined && value.length > 8);
		const boundaries = sent.filter((value) => value.includes('boundary='));
		expect(sent.length).toBeGreaterThan(5);
		expect(boundaries.length).toBeGreaterThan(0);
		for (const { row: name, result } of results) {
			const strings = errorStrings(result);
			const leaks = sent.flatMap((value) =>
				containing(strings, value.includes('boundary=') ? value.split('boundary=')[1] : value),
			);
			expect({ row: name, leaks }).toEqual({ row: name, leaks: [] });
		}
	});
});

describe('with nock: what the key must not follow', () => {
	const credentials = { eKycProApi: { apiKey: API_KEY } };
	const TASK_ID = 'cs9viu7i61pkfs4oavvg';
	const OTHER_HOST = 'https://collector.example.net';

	beforeAll(async () => {
		await loadPackage();
		nock.disableNetConnect();
	});
	afterEach(() => nock.cleanAll());
	afterAll(() => nock.enableNetConnect());

	test.each([
		{ name: 'an empty JSON body', status: 400, body: {} as object | string },
		{ name: 'no body at all', status: 401, body: '' },
		{ name: 'an HTML error page', status: 503, body: '<html><body><h1>503 Service Unavailable</h1></body></html>' },
		{
			name: 'a body that echoes the request headers',
			status: 400,
			body: { error: 'bad request', request: { headers: { 'x-api-key': API_KEY } } },
		},
	])('an API error with $name: the error shows no request header value', async ({ status, body }) => {
		let sentHeaders: Record<string, string | string[] | undefined> = {};
		nock(API_BASE_URL)
			.post('/fb/api/simple/tasks')
			.reply(function () {
				sentHeaders = this.req.headers;
				return [status, body];
			});
		const result = await runWorkflow(
			{ nodes: [createNode('facebook')], connections: {} },
			{ credentials, input: CONTACTS },
		);
		expect(result.error?.message).toMatch(new RegExp(`HTTP ${status}|refused the request`));
		const values = Object.entries(sentHeaders)
			.filter(([name]) => name !== 'host' && name !== 'content-length')
			.flatMap(([, value]) => (Array.isArray(value) ? value : [value ?? '']))
			.filter((value) => value.length > 8);
		expect(values).toContain(API_KEY);
		const strings = errorStrings(result);
		for (const value of values) expect({ value, leaks: containing(strings, value) }).toEqual({ value, leaks: [] });
	});

	// Hardening, not a header echo: an API that quotes the key it refused has the key replaced with "***".
	test('an API that quotes the refused key in its error text: the key is not shown', async () => {
		nock(API_BASE_URL)
			.post('/fb/api/simple/tasks')
			.reply(401, { error: `invalid api key ${API_KEY}` });
		const result = await runWorkflow(
			{ nodes: [createNode('facebook')], connections: {} },
			{ credentials, input: CONTACTS },
		);
		expect(result.error?.message).toMatch(/rejected the API key/);
		expect(containing(errorStrings(result), API_KEY)).toEqual([]);
	});

	test("a result link on the API's own host is still downloaded without the key", async () => {
		const resultPath = `/files/${TASK_ID}.csv`;
		nock(API_BASE_URL)
			.get(`/fb/api/simple/tasks/${TASK_ID}`)
			.reply(
				200,
				statusAnswer(TASK_ID, { status: 'exported', total: 1, success: 1, result_url: `${API_BASE_URL}${resultPath}` }),
			);
		let downloadHeaders: Record<string, string | string[] | undefined> | undefined;
		nock(API_BASE_URL)
			.get(resultPath)
			.reply(function () {
				downloadHeaders = this.req.headers;
				return [200, 'Number,facebook\n+41798284651,yes\n', { 'Content-Type': 'text/csv' }];
			});
		const result = await runWorkflow(
			{
				nodes: [
					packageNode('Download Result', 'eKycPro', {
						resource: 'facebook',
						operation: 'downloadResult',
						taskId: TASK_ID,
						resultOutput: 'rows',
					}),
				],
				connections: {},
			},
			{ credentials, input: [{}] },
		);
		expect(result.error).toBeUndefined();
		expect(result.output('Download Result').map((item) => item.json)).toEqual([
			{ number: '+41798284651', facebook: true },
		]);
		expect(downloadHeaders).toBeDefined();
		expect(Object.keys(downloadHeaders ?? {}).map((name) => name.toLowerCase())).not.toContain('x-api-key');
	});

	// Redirects are not followed: the custom X-API-Key header would go with them to any host.
	test.each([
		{ name: 'a status read answered 302', method: 'get' as const, status: 302 },
		{ name: 'a create answered 307', method: 'post' as const, status: 307 },
	])('$name to another host: the key does not follow', async ({ method, status }) => {
		const path = method === 'get' ? `/fb/api/simple/tasks/${TASK_ID}` : '/fb/api/simple/tasks';
		nock(API_BASE_URL)
			[method](path)
			.reply(status, '', { Location: `${OTHER_HOST}/collect` });
		let forwarded: Record<string, string | string[] | undefined> | undefined;
		nock(OTHER_HOST)
			[method]('/collect')
			.reply(function () {
				forwarded = this.req.headers;
				return [200, statusAnswer(TASK_ID, { status: 'pending', total: 0 })];
			});
		const node =
			method === 'get'
				? packageNode('Get Status', 'eKycPro', { resource: 'facebook', operation: 'getStatus', taskId: TASK_ID })
				: createNode('facebook');
		await runWorkflow({ nodes: [node], connections: {} }, { credentials, input: method === 'get' ? [{}] : CONTACTS });
		const leaked = Object.entries(forwarded ?? {}).filter(([, value]) => String(value).includes(API_KEY));
		expect(leaked).toEqual([]);
	});
});
