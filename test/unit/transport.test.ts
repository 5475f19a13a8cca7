import nock from 'nock';

import { DEFAULT_BASE_URL } from '../../credentials/EKycProApi.credentials';
import { CHECKS, customCheck, findCheck } from '../../nodes/EKycPro/checks';
import type { CheckDefinition } from '../../nodes/EKycPro/checks';
import { downloadResultFile } from '../../nodes/EKycPro/transport/download';
import { networkErrorCode } from '../../nodes/EKycPro/transport/networkErrors';
import {
	parseRetryAfter,
	retryDelayAfterStatus,
	shouldRetryNetworkError,
	shouldRetryStatus,
	waitBeforeRetry,
} from '../../nodes/EKycPro/transport/retry';
import type { RetryOptions } from '../../nodes/EKycPro/transport/retry';
import { cleanBaseUrl, openSession } from '../../nodes/EKycPro/transport/session';
import type { ApiSession } from '../../nodes/EKycPro/transport/session';
import { taskFromAnswer } from '../../nodes/EKycPro/transport/taskFromAnswer';
import { createTask, getTask, validateTaskId } from '../../nodes/EKycPro/transport/tasks';
import { startSandbox } from '../sandbox';
import type { Sandbox } from '../sandbox';
import { parseForm } from '../sandbox/multipart';
import { transportContext } from '../helpers/transportContext';

const BASE = 'https://api.ekycpro.test';
const RESULT_HOST = 'https://results.s3.test';
const API_KEY = 'sk-test-4f9a8b7c6d5e';
const FAST_RETRY: RetryOptions = { maxAttempts: 4, baseDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 2000 };

const check = (id: string): CheckDefinition => findCheck(id) as CheckDefinition;

async function session(userId?: string, retry = FAST_RETRY): Promise<{ session: ApiSession; sent: unknown[] }> {
	const { ctx, sent } = transportContext({ apiKey: API_KEY, baseUrl: `${BASE}/`, userId });
	return { session: await openSession(ctx, retry), sent };
}

/** Captures the multipart fields of a request as the server sees them. */
function captureForm(target: { fields?: Record<string, string>; headers?: Record<string, unknown> }) {
	return function (this: nock.ReplyFnContext, _uri: string, body: nock.Body) {
		const contentType = String(this.req.headers['content-type']);
		const raw = Buffer.from(
			typeof body === 'string' ? body : JSON.stringify(body),
			typeof body === 'string' ? 'latin1' : 'utf8',
		);
		target.fields = Object.fromEntries(
			parseForm(raw, contentType).map((field) => [field.name, field.data.toString('utf8')]),
		);
		target.headers = this.req.headers;
	};
}

const LEGACY_CREATED = {
	created_at: '2024-10-19T18:24:56.450567423Z',
	updated_at: '2024-10-19T18:24:56.450567423Z',
	task_id: 'cs9viu7i61pkfs4oavvg',
	user_id: 'test',
	status: 'pending',
	total: 0,
	success: 0,
	failure: 0,
};

beforeAll(() => nock.disableNetConnect());
afterEach(() => {
	const pending = nock.pendingMocks();
	nock.cleanAll();
	expect(pending).toEqual([]);
});
afterAll(() => nock.enableNetConnect());

describe('session', () => {
	it('cleans the base URL: trimmed, without trailing slashes, the live API when empty', () => {
		expect(cleanBaseUrl('  https://api.ekycpro.test//  ')).toBe('https://api.ekycpro.test');
		expect(cleanBaseUrl('http://127.0.0.1:8787/sandbox/')).toBe('http://127.0.0.1:8787/sandbox');
		for (const empty of ['', '   ', '/', undefined, null]) expect(cleanBaseUrl(empty)).toBe(DEFAULT_BASE_URL);
	});

	it('opens with the cleaned base URL, the user id only when given, and a redactor of the key', async () => {
		const { ctx } = transportContext({ apiKey: API_KEY, baseUrl: ` ${BASE}/ `, userId: '  ' });
		const s = await openSession(ctx, FAST_RETRY);
		expect(s.baseUrl).toBe(BASE);
		expect(s.userId).toBeUndefined();
		expect(s.retry).toBe(FAST_RETRY);
		expect(s.redact(`key ${API_KEY} quoted`)).toBe('key *** quoted');
		const { session: withUser } = await session(' crm-team ');
		expect(withUser.userId).toBe('crm-team');
	});
});

describe('create', () => {
	it.each(CHECKS.filter((c) => c.style === 'legacy').map((c) => [c.name, c] as const))(
		'%s: legacy multipart upload with the file, user_id and the key header',
		async (_name, definition) => {
			const seen: { fields?: Record<string, string>; headers?: Record<string, unknown> } = {};
			nock(BASE)
				.post(`${definition.path}/tasks`)
				.reply(200, function (uri, body) {
					captureForm(seen).call(this, uri, body);
					return LEGACY_CREATED;
				});
			const { session: s } = await session('crm-team');
			const task = await createTask(s, definition, '+41798284651\n+4915112345678', 0);
			expect(seen.headers?.['x-api-key']).toBe(API_KEY);
			expect(seen.fields).toEqual({ file: '+41798284651\n+4915112345678', user_id: 'crm-team' });
			expect(task).toEqual({
				task_id: 'cs9viu7i61pkfs4oavvg',
				check: definition.id,
				status: 'pending',
				total: 0,
				success: 0,
				failure: 0,
				progress: 0,
				created_at: LEGACY_CREATED.created_at,
				updated_at: LEGACY_CREATED.updated_at,
				user_id: 'test',
			});
		},
	);

	it.each([
		['Telegram Avatar', 'telegramAvatar', 'tg_avatar'],
		['Telegram', 'telegram', 'tg'],
	])('%s: v1 upload with task_type and no user_id', async (_name, id, taskType) => {
		const seen: { fields?: Record<string, string>; headers?: Record<string, unknown> } = {};
		nock(BASE)
			.post('/v1/tasks')
			.reply(200, function (uri, body) {
				captureForm(seen).call(this, uri, body);
				return {
					task_id: 'd4g8o46p2jvh04o9uolg',
					status: 'pending',
					total: 2,
					message: 'Task created successfully',
					created_at: '2025-11-21T15:58:08.916446594Z',
				};
			});
		const { session: s } = await session('crm-team');
		const task = await createTask(s, check(id), '+41798284651\n+4915112345678', 0);
		expect(seen.fields).toEqual({ file: '+41798284651\n+4915112345678', task_type: taskType });
		expect(seen.headers?.['x-api-key']).toBe(API_KEY);
		expect(task).toMatchObject({
			task_id: 'd4g8o46p2jvh04o9uolg',
			check: id,
			status: 'pending',
			total: 2,
			progress: 0,
		});
		expect(task.message).toBe('Task created successfully');
	});

	it('custom v1 task type and custom legacy path reach their endpoints', async () => {
		const v1 = customCheck('v1', 'ws_avatar');
		const legacy = customCheck('legacy', '/vk/api/simple/tasks');
		if (!('check' in v1) || !('check' in legacy)) throw new Error('custom checks should resolve');
		const seen: { fields?: Record<string, string> } = {};
		nock(BASE)
			.post('/v1/tasks')
			.reply(200, function (uri, body) {
				captureForm(seen).call(this, uri, body);
				return { task_id: 'x1', status: 'pending', total: 1 };
			});
		nock(BASE).post('/vk/api/simple/tasks').reply(200, LEGACY_CREATED);
		const { session: s } = await session();
		await createTask(s, v1.check, '+41798284651', 0);
		expect(seen.fields?.task_type).toBe('ws_avatar');
		const task = await createTask(s, legacy.check, '+41798284651', 0);
		expect(task.check).toBe('custom:legacy:/vk/api/simple');
	});

	it('is retried after 500 and after 429 (Retry-After), and charges once', async () => {
		let creates = 0;
		nock(BASE)
			.post('/fb/api/simple/tasks')
			.reply(500, { error: 'internal' })
			.post('/fb/api/simple/tasks')
			.reply(429, { error: 'slow down' }, { 'Retry-After': '0' })
			.post('/fb/api/simple/tasks')
			.reply(200, () => {
				creates++;
				return LEGACY_CREATED;
			});
		const { session: s } = await session();
		const task = await createTask(s, check('facebook'), '+41798284651', 0);
		expect(task.task_id).toBe(LEGACY_CREATED.task_id);
		expect(creates).toBe(1);
	});

	it.each([
		[401, { error: 'invalid api key' }, /rejected the API key/, /credential/],
		[402, { error: 'insufficient balance' }, /balance is too low/, /nothing was charged/],
		[400, { error: 'invalid_batch_size' }, /invalid_batch_size/, /minimum batch size/],
		[413, { message: 'file too large' }, /too large/, /Split the numbers/],
		[502, { error: 'bad gateway' }, /HTTP 502/, /./],
	])('HTTP %s is not retried and says what to do', async (status, body, message, description) => {
		nock(BASE).post('/ins/api/simple/tasks').once().reply(status, body);
		const { session: s } = await session();
		const error = await createTask(s, check('instagram'), '+41798284651', 0).catch((e: unknown) => e);
		expect(error).toMatchObject({
			message: expect.stringMatching(message),
			description: expect.stringMatching(description),
		});
		expect(JSON.stringify(error)).not.toContain(API_KEY);
		expect(String((error as Error).stack)).not.toContain(API_KEY);
	});

	it('a 200 without a task id warns that the task may be charged', async () => {
		nock(BASE).post('/v1/tasks').reply(200, { ok: true });
		const { session: s } = await session();
		await expect(createTask(s, check('telegram'), '+41798284651', 0)).rejects.toMatchObject({
			message: expect.stringMatching(/without a task ID/),
			description: expect.stringMatching(/may have been created and charged/),
		});
	});
});

describe('status', () => {
	const exported = {
		...LEGACY_CREATED,
		status: 'exported',
		total: 20000,
		success: 19000,
		failure: 1000,
		result_url: `${RESULT_HOST}/r/cs9.xlsx?X-Amz-Signature=abc`,
	};

	it('legacy: GET with user_id in the query', async () => {
		let headers: Record<string, unknown> = {};
		nock(BASE)
			.get('/wa/api/deep/tasks/cs9viu7i61pkfs4oavvg')
			.query({ user_id: 'crm-team' })
			.reply(200, function () {
				headers = this.req.headers;
				return exported;
			});
		const { session: s } = await session('crm-team');
		const task = await getTask(s, check('whatsappAvatar'), 'cs9viu7i61pkfs4oavvg', 0);
		expect(headers['x-api-key']).toBe(API_KEY);
		expect(task).toMatchObject({ status: 'exported', total: 20000, progress: 1, result_url: exported.result_url });
	});

	it('v1: POST /v1/gettasks with task_id as a form field', async () => {
		const seen: { fields?: Record<string, string> } = {};
		nock(BASE)
			.post('/v1/gettasks')
			.reply(200, function (uri, body) {
				captureForm(seen).call(this, uri, body);
				return { ...exported, status: 'processing', total: 2049, success: 1024, failure: 0, result_url: undefined };
			});
		const { session: s } = await session('ignored-for-v1');
		const task = await getTask(s, check('telegramAvatar'), 'd4g24nep2jvh04o9uoh0', 0);
		expect(seen.fields).toEqual({ task_id: 'd4g24nep2jvh04o9uoh0' });
		expect(task.progress).toBeCloseTo(1024 / 2049);
		expect(task.result_url).toBeUndefined();
	});

	it('is retried through 502 and 429 with a date Retry-After', async () => {
		nock(BASE)
			.get('/fb/api/simple/tasks/t1')
			.reply(502, 'Bad Gateway')
			.get('/fb/api/simple/tasks/t1')
			.reply(429, { error: 'rate' }, { 'Retry-After': new Date(Date.now() + 50).toUTCString() })
			.get('/fb/api/simple/tasks/t1')
			.reply(200, { ...LEGACY_CREATED, task_id: 't1', status: 'processing', total: 10, success: 5 });
		const { session: s } = await session();
		const task = await getTask(s, check('facebook'), 't1', 0);
		expect(task).toMatchObject({ status: 'processing', progress: 0.5 });
	});

	it('gives up after the retry budget with a clear message', async () => {
		nock(BASE).get('/fb/api/simple/tasks/t1').times(FAST_RETRY.maxAttempts).reply(503, { error: 'maintenance' });
		const { session: s } = await session();
		await expect(getTask(s, check('facebook'), 't1', 0)).rejects.toMatchObject({
			message: expect.stringMatching(/server error \(HTTP 503\).*4 times/),
			description: expect.stringMatching(/maintenance/),
		});
	});

	it('404 names the task and the check', async () => {
		nock(BASE).get('/ins/api/simple/tasks/nope').reply(404, { error: 'task not found' });
		const { session: s } = await session();
		await expect(getTask(s, check('instagram'), 'nope', 0)).rejects.toMatchObject({
			message: 'Task "nope" was not found for the Instagram check',
			description: expect.stringMatching(/resource is the check the task was created with/),
		});
	});

	it('rejects a task id that is not one before any request', async () => {
		const { session: s } = await session();
		expect(() => validateTaskId(s, '../../v1/tasks', 0)).toThrow(/not a task ID/);
		expect(() => validateTaskId(s, '', 0)).toThrow(/task ID is empty/);
		expect(validateTaskId(s, ' cs9viu7i61pkfs4oavvg ', 0)).toBe('cs9viu7i61pkfs4oavvg');
	});
});

describe('taskFromAnswer', () => {
	it('turns an answer of either style into the task shape, counts read from text, status in lower case', () => {
		expect(
			taskFromAnswer({ id: 42, status: 'Processing', total: '10', success: '3', failure: 1, extra: 'x' }, 'telegram'),
		).toEqual({
			task_id: '42',
			check: 'telegram',
			status: 'processing',
			total: 10,
			success: 3,
			failure: 1,
			progress: 0.4,
		});
	});

	it('reads a missing status as pending, bad counts as 0, and an exported task without counts as done', () => {
		expect(taskFromAnswer({ task_id: 't1', total: -5, success: 'many' }, 'facebook')).toMatchObject({
			status: 'pending',
			total: 0,
			success: 0,
			progress: 0,
		});
		expect(taskFromAnswer({ status: 'exported' }, 'facebook', 't2')).toMatchObject({ task_id: 't2', progress: 1 });
	});

	it('gives nothing for an answer without a task id', () => {
		expect(taskFromAnswer({ status: 'pending' }, 'facebook')).toBeUndefined();
	});
});

describe('network faults (real sockets, local sandbox)', () => {
	let sandbox: Sandbox;
	beforeAll(async () => {
		nock.enableNetConnect(/127\.0\.0\.\d/);
		sandbox = await startSandbox({ apiKey: API_KEY });
	});
	afterAll(async () => {
		await sandbox.close();
		nock.disableNetConnect();
	});

	async function sandboxSession() {
		const { ctx } = transportContext({ apiKey: API_KEY, baseUrl: sandbox.baseUrl });
		return await openSession(ctx, FAST_RETRY);
	}

	it('a create that was charged and then dropped is not sent again, and the error says so', async () => {
		sandbox.fault({ on: 'create', kind: 'charge-then-drop' });
		const before = sandbox.charges;
		const creates = () => sandbox.requests.filter((r) => r.method === 'POST' && r.path === '/wa/api/deep/tasks').length;
		const sentBefore = creates();
		const error = (await createTask(await sandboxSession(), check('whatsappAvatar'), '+41798284651', 0).catch(
			(e: unknown) => e,
		)) as {
			message: string;
			description: string;
		};
		expect(error.message).toMatch(
			/The request to create the task was sent, but no answer came back: the (connection was reset|answer was cut off)/,
		);
		expect(error.description).toMatch(/may have created the task and charged for it/);
		expect(error.description).toMatch(/Get Status/);
		expect(JSON.stringify(error)).not.toContain(API_KEY);
		expect(sandbox.charges - before).toBe(1);
		expect(creates() - sentBefore).toBe(1);
	});

	it('a status read survives resets', async () => {
		const s = await sandboxSession();
		const task = await createTask(s, check('telegram'), '+41798284651\n+4915112345678', 0);
		sandbox.fault({ on: 'status', kind: 'reset', times: 2 });
		const read = await getTask(s, check('telegram'), task.task_id, 0);
		expect(read.task_id).toBe(task.task_id);
		expect(read.status).toBe('pending');
	});

	it('a refused connection says nothing was sent', async () => {
		const { ctx } = transportContext({ apiKey: API_KEY, baseUrl: 'http://127.0.0.1:9' });
		const s = await openSession(ctx, FAST_RETRY);
		await expect(createTask(s, check('whatsappAvatar'), '+41798284651', 0)).rejects.toMatchObject({
			message: expect.stringMatching(
				/Could not reach eKYCPro at http:\/\/127.0.0.1:9 while creating a WhatsApp Avatar task: the connection was refused/,
			),
			description: expect.stringMatching(/nothing was charged/),
		});
	});

	it('timeouts are told apart from answers', () => {
		expect(networkErrorCode(new Error('timeout of 300000ms exceeded'))).toBe('ETIMEDOUT');
		expect(networkErrorCode({ message: 'wrapped', cause: { code: 'ECONNRESET' } })).toBe('ECONNRESET');
		expect(networkErrorCode(new Error('HTTP 500'))).toBeUndefined();
	});
});

describe('download', () => {
	const exportedTask = {
		task_id: 't9',
		check: 'facebook',
		status: 'exported',
		total: 2,
		success: 2,
		failure: 0,
		progress: 1,
		result_url: `${RESULT_HOST}/r/t9.xlsx?X-Amz-Signature=old`,
	};

	it('downloads without the API key', async () => {
		let headers: Record<string, unknown> = {};
		nock(RESULT_HOST)
			.get('/r/t9.xlsx')
			.query({ 'X-Amz-Signature': 'old' })
			.reply(200, function () {
				headers = this.req.headers;
				return Buffer.from('PK\u0003\u0004rest');
			});
		const { session: s } = await session();
		const file = await downloadResultFile(s, check('facebook'), exportedTask, 0);
		expect(file.data.subarray(0, 4)).toEqual(Buffer.from('PK\u0003\u0004'));
		expect(Object.keys(headers).map((h) => h.toLowerCase())).not.toContain('x-api-key');
		expect(JSON.stringify(headers)).not.toContain(API_KEY);
	});

	it('refreshes an expired URL with one status call', async () => {
		nock(RESULT_HOST)
			.get('/r/t9.xlsx')
			.query({ 'X-Amz-Signature': 'old' })
			.reply(403, '<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>')
			.get('/r/t9.xlsx')
			.query({ 'X-Amz-Signature': 'new' })
			.reply(200, Buffer.from('a,b\n1,2\n'));
		nock(BASE)
			.get('/fb/api/simple/tasks/t9')
			.once()
			.reply(200, {
				...LEGACY_CREATED,
				task_id: 't9',
				status: 'exported',
				total: 2,
				success: 2,
				result_url: `${RESULT_HOST}/r/t9.xlsx?X-Amz-Signature=new`,
			});
		const { session: s } = await session();
		const file = await downloadResultFile(s, check('facebook'), exportedTask, 0);
		expect(file.refreshes).toBe(1);
		expect(file.data.toString()).toBe('a,b\n1,2\n');
	});

	it('tries a cut-short body again', async () => {
		nock(RESULT_HOST)
			.get('/r/t9.xlsx')
			.query(true)
			.reply(200, Buffer.from('a,b\n'), { 'Content-Length': '8' })
			.get('/r/t9.xlsx')
			.query(true)
			.reply(200, Buffer.from('a,b\n1,2\n'), { 'Content-Length': '8' });
		const { session: s } = await session();
		const file = await downloadResultFile(s, check('facebook'), exportedTask, 0);
		expect(file.downloads).toBe(2);
		expect(file.data.toString()).toBe('a,b\n1,2\n');
	});

	it('a task that is not exported gives its status and progress', async () => {
		const { session: s } = await session();
		await expect(
			downloadResultFile(
				s,
				check('facebook'),
				{ ...exportedTask, status: 'processing', success: 1, progress: 0.5, result_url: undefined },
				0,
			),
		).rejects.toMatchObject({ message: 'Task t9 is not exported yet: status "processing", 1 of 2 numbers done (50%)' });
	});
});

describe('retry rules', () => {
	it('a create is sent again only after 429 or 500; a status read after 429 and any 5xx but 501', () => {
		const statuses = [400, 401, 404, 429, 500, 501, 502, 503, 504];
		expect(statuses.filter((status) => shouldRetryStatus('create', status))).toEqual([429, 500]);
		expect(statuses.filter((status) => shouldRetryStatus('idempotent', status))).toEqual([429, 500, 502, 503, 504]);
	});

	it('a network failure is retried for a status read only, and only when it may pass', () => {
		const reset = { code: 'ECONNRESET' };
		expect(shouldRetryNetworkError('idempotent', reset)).toBe(true);
		expect(shouldRetryNetworkError('create', reset)).toBe(false);
		expect(shouldRetryNetworkError('idempotent', { code: 'ENOTFOUND' })).toBe(false);
		expect(shouldRetryNetworkError('idempotent', new Error('HTTP 500'))).toBe(false);
	});

	it('waits as Retry-After says on a 429, capped, and backs off doubling otherwise', () => {
		const retry: RetryOptions = { maxAttempts: 5, baseDelayMs: 1000, maxDelayMs: 5000, maxRetryAfterMs: 60_000 };
		expect(retryDelayAfterStatus(429, { 'retry-after': '7' }, 1, retry)).toBe(7000);
		expect(retryDelayAfterStatus(429, { 'retry-after': '3600' }, 1, retry)).toBe(60_000);
		expect(retryDelayAfterStatus(429, {}, 2, retry)).toBe(2000);
		// Retry-After on anything but a 429 is not read.
		expect(retryDelayAfterStatus(503, { 'retry-after': '7' }, 1, retry)).toBe(1000);
		expect([1, 2, 3, 4, 5].map((attempt) => retryDelayAfterStatus(500, {}, attempt, retry))).toEqual([
			1000, 2000, 4000, 5000, 5000,
		]);
	});

	it('the wait before a retry stops at once when the execution is cancelled', async () => {
		const controller = new AbortController();
		controller.abort();
		const startedAt = Date.now();
		expect(await waitBeforeRetry({ getExecutionCancelSignal: () => controller.signal }, 60_000)).toBe(false);
		expect(Date.now() - startedAt).toBeLessThan(1000);
		expect(await waitBeforeRetry({ getExecutionCancelSignal: () => undefined }, 20)).toBe(true);
	});

	it('a status read cancelled during its back-off says so and sends nothing more', async () => {
		nock(BASE).get('/fb/api/simple/tasks/t1').once().reply(503, { error: 'maintenance' });
		const controller = new AbortController();
		const { ctx } = transportContext({ apiKey: API_KEY, baseUrl: BASE }, controller.signal);
		const s = await openSession(ctx, { ...FAST_RETRY, baseDelayMs: 60_000, maxDelayMs: 60_000 });
		const startedAt = Date.now();
		const read = getTask(s, check('facebook'), 't1', 0);
		setTimeout(() => controller.abort(), 200);
		await expect(read).rejects.toMatchObject({
			message: 'The execution was cancelled while reading the status of task t1',
			description: 'Nothing more was sent.',
		});
		expect(Date.now() - startedAt).toBeLessThan(5000);
	});
});

describe('Retry-After', () => {
	it('reads seconds and HTTP dates', () => {
		expect(parseRetryAfter('7')).toBe(7000);
		expect(parseRetryAfter(['2'])).toBe(2000);
		const now = Date.parse('2026-01-01T00:00:00Z');
		expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
		expect(parseRetryAfter('soon')).toBeUndefined();
		expect(parseRetryAfter(undefined)).toBeUndefined();
	});
});
