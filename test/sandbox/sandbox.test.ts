/**
 * The sandbox over real HTTP: both API styles, auth, validation, the lifecycle on a manual clock, presigned result
 * URLs, faults, charge counting and the request log.
 */
import { startSandbox, type Sandbox, type SandboxOptions } from './index';

const START = Date.UTC(2025, 5, 2, 9, 0, 0);
const TASK_ID = /^[0-9a-v]{20}$/;
const LEGACY_TASK_KEYS = ['created_at', 'updated_at', 'task_id', 'user_id', 'status', 'total', 'success', 'failure'];

/** `count` distinct German mobile numbers in E.164, from `first` on. */
function numbers(count: number, first = 0): string[] {
	return Array.from({ length: count }, (_, index) => `+49151${String(first + index).padStart(8, '0')}`);
}

interface Harness {
	sandbox: Sandbox;
	advance(ms: number): void;
	now(): number;
}

const open: Sandbox[] = [];

async function harness(options: SandboxOptions = {}): Promise<Harness> {
	let clock = START;
	const sandbox = await startSandbox({ now: () => clock, ...options });
	open.push(sandbox);
	return {
		sandbox,
		advance: (ms) => {
			clock += ms;
		},
		now: () => clock,
	};
}

afterEach(async () => {
	await Promise.all(open.splice(0).map((sandbox) => sandbox.close()));
});

function uploadForm(lines: string[] | string, extra: Record<string, string> = {}): FormData {
	const form = new FormData();
	const text = typeof lines === 'string' ? lines : lines.join('\n') + '\n';
	form.append('file', new Blob([text], { type: 'text/plain' }), 'input.txt');
	for (const [name, value] of Object.entries(extra)) form.append(name, value);
	return form;
}

/** The X-API-Key header: the sandbox's key by default, another one, or none (null). */
function apiHeaders(sandbox: Sandbox, key: string | null = sandbox.apiKey): Record<string, string> {
	return key === null ? {} : { 'X-API-Key': key };
}

async function createLegacy(
	sandbox: Sandbox,
	path: string,
	lines: string[] | string,
	extra: Record<string, string> = {},
) {
	const response = await fetch(`${sandbox.baseUrl}${path}/tasks`, {
		method: 'POST',
		headers: apiHeaders(sandbox),
		body: uploadForm(lines, extra),
	});
	return { response, body: (await response.json()) as Record<string, unknown> };
}

async function createV1(sandbox: Sandbox, taskType: string | undefined, lines: string[] | string) {
	const response = await fetch(`${sandbox.baseUrl}/v1/tasks`, {
		method: 'POST',
		headers: apiHeaders(sandbox),
		body: uploadForm(lines, taskType === undefined ? {} : { task_type: taskType }),
	});
	return { response, body: (await response.json()) as Record<string, unknown> };
}

async function legacyStatus(sandbox: Sandbox, path: string, id: string, query = '') {
	const response = await fetch(`${sandbox.baseUrl}${path}/tasks/${id}${query}`, { headers: apiHeaders(sandbox) });
	return { response, body: (await response.json()) as Record<string, unknown> };
}

async function v1Status(sandbox: Sandbox, id: string) {
	const form = new FormData();
	form.append('task_id', id);
	const response = await fetch(`${sandbox.baseUrl}/v1/gettasks`, {
		method: 'POST',
		headers: apiHeaders(sandbox),
		body: form,
	});
	return { response, body: (await response.json()) as Record<string, unknown> };
}

/** Runs a task to `exported` on the manual clock and returns its result URL. */
async function exportedUrl(
	test: Harness,
	path = '/wa/api/deep',
	lines = numbers(5),
): Promise<{ id: string; url: string }> {
	const { body } = await createLegacy(test.sandbox, path, lines);
	test.advance(3_600_000);
	const status = await legacyStatus(test.sandbox, path, body.task_id as string);
	expect(status.body.status).toBe('exported');
	return { id: body.task_id as string, url: status.body.result_url as string };
}

describe('legacy style', () => {
	it('answers a create with the full pending task and a status read with the same shape', async () => {
		const { sandbox } = await harness();
		const uploaded = numbers(3);
		const created = await createLegacy(sandbox, '/wa/api/deep', uploaded, { user_id: 'crm-sync' });
		expect(created.response.status).toBe(200);
		expect(Object.keys(created.body)).toEqual(LEGACY_TASK_KEYS);
		expect(created.body).toMatchObject({ user_id: 'crm-sync', status: 'pending', total: 0, success: 0, failure: 0 });
		expect(created.body.task_id).toMatch(TASK_ID);
		expect(created.body.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);

		const status = await legacyStatus(sandbox, '/wa/api/deep', created.body.task_id as string, '?user_id=crm-sync');
		expect(status.response.status).toBe(200);
		expect(Object.keys(status.body)).toEqual(LEGACY_TASK_KEYS);
		expect(status.body.task_id).toBe(created.body.task_id);

		const task = sandbox.task(created.body.task_id as string);
		expect(task).toMatchObject({ style: 'legacy', check: 'whatsappAvatar', path: '/wa/api/deep', userId: 'crm-sync' });
		expect(task?.numbers).toEqual(uploaded);
		expect(sandbox.charges).toBe(1);
		expect(sandbox.statusCalls).toBe(1);
	});

	it('routes every catalogue path and custom /<x>/api/<y> paths, and keeps task ids per path', async () => {
		const { sandbox } = await harness();
		const facebook = await createLegacy(sandbox, '/fb/api/simple', numbers(2));
		const instagram = await createLegacy(sandbox, '/ins/api/simple', numbers(2));
		const custom = await createLegacy(sandbox, '/vk/api/simple', numbers(2));
		expect([facebook, instagram, custom].map((created) => created.response.status)).toEqual([200, 200, 200]);
		expect(sandbox.tasks().map((task) => task.check)).toEqual(['facebook', 'instagram', '/vk/api/simple']);
		expect(sandbox.expectedRow('/vk/api/simple', '+4915100000000')).toHaveProperty('vk');

		// An id is only found under the path it was created on.
		const wrongPath = await legacyStatus(sandbox, '/ins/api/simple', facebook.body.task_id as string);
		expect(wrongPath.response.status).toBe(404);
		expect(wrongPath.body).toEqual({ error: 'task not found' });
		const unknown = await legacyStatus(sandbox, '/fb/api/simple', 'd4g8o46p2jvh04o9uolg');
		expect(unknown.response.status).toBe(404);
		expect(sandbox.statusCalls).toBe(0);
	});

	it('does not show a task created for one user_id to another', async () => {
		const { sandbox } = await harness();
		const created = await createLegacy(sandbox, '/fb/api/simple', numbers(2), { user_id: 'alice' });
		const other = await legacyStatus(sandbox, '/fb/api/simple', created.body.task_id as string, '?user_id=bob');
		expect(other.response.status).toBe(404);
		const own = await legacyStatus(sandbox, '/fb/api/simple', created.body.task_id as string, '?user_id=alice');
		expect(own.response.status).toBe(200);
	});
});

describe('v1 style', () => {
	it('answers a create with the short v1 shape and gettasks with the full task', async () => {
		const { sandbox } = await harness();
		const created = await createV1(sandbox, 'tg', numbers(4));
		expect(created.response.status).toBe(200);
		expect(Object.keys(created.body).sort()).toEqual(['created_at', 'message', 'status', 'task_id', 'total']);
		expect(created.body).toMatchObject({ status: 'pending', total: 4, message: 'Task created successfully' });
		expect(created.body.task_id).toMatch(TASK_ID);

		const status = await v1Status(sandbox, created.body.task_id as string);
		expect(status.response.status).toBe(200);
		expect(Object.keys(status.body)).toEqual(LEGACY_TASK_KEYS);
		expect(status.body).toMatchObject({ task_id: created.body.task_id, status: 'pending', total: 4 });
		expect(typeof status.body.user_id).toBe('string');
		expect(sandbox.task(created.body.task_id as string)).toMatchObject({
			style: 'v1',
			check: 'telegram',
			taskType: 'tg',
		});
	});

	it('reads gettasks from a URL-encoded form too', async () => {
		const { sandbox } = await harness();
		const created = await createV1(sandbox, 'tg_avatar', numbers(2));
		const response = await fetch(`${sandbox.baseUrl}/v1/gettasks`, {
			method: 'POST',
			headers: apiHeaders(sandbox),
			body: new URLSearchParams({ task_id: created.body.task_id as string }),
		});
		expect(response.status).toBe(200);
		expect(await response.json()).toMatchObject({ task_id: created.body.task_id, total: 2 });
	});

	it('accepts custom task types, whose result has Number and activated', async () => {
		const { sandbox } = await harness();
		const created = await createV1(sandbox, 'ws_avatar', numbers(2));
		expect(created.response.status).toBe(200);
		expect(sandbox.task(created.body.task_id as string)?.check).toBe('ws_avatar');
		expect(Object.keys(sandbox.expectedRow('ws_avatar', '+4915100000001'))).toEqual(['Number', 'activated']);
	});

	it('does not find legacy tasks through gettasks, nor v1 tasks on a legacy path', async () => {
		const { sandbox } = await harness();
		const legacy = await createLegacy(sandbox, '/wa/api/deep', numbers(2));
		const v1 = await createV1(sandbox, 'tg', numbers(2));
		expect((await v1Status(sandbox, legacy.body.task_id as string)).response.status).toBe(404);
		expect((await legacyStatus(sandbox, '/wa/api/deep', v1.body.task_id as string)).response.status).toBe(404);
	});
});

describe('request bodies', () => {
	it('parses a hand-written multipart body with a quoted boundary, a preamble and CRLF inside the file', async () => {
		const { sandbox } = await harness();
		const boundary = 'x-Boundary:1';
		const body =
			'preamble to ignore\r\n' +
			`--${boundary}\r\n` +
			'Content-Disposition: form-data; name="user_id"\r\n\r\n' +
			'ops\r\n' +
			`--${boundary}\r\n` +
			'Content-Disposition: form-data; name="file"; filename="my; list.txt"\r\n' +
			'Content-Type: text/plain\r\n\r\n' +
			'+41798284651\r\n+12025550123\r\n' +
			`\r\n--${boundary}--\r\n`;
		const response = await fetch(`${sandbox.baseUrl}/wa/api/deep/tasks`, {
			method: 'POST',
			headers: { ...apiHeaders(sandbox), 'Content-Type': `multipart/form-data; boundary="${boundary}"` },
			body,
		});
		expect(response.status).toBe(200);
		const task = sandbox.tasks()[0];
		expect(task).toMatchObject({ userId: 'ops', fileName: 'my; list.txt', numbers: ['+41798284651', '+12025550123'] });
	});

	it('answers 400 to a multipart body cut before its closing boundary', async () => {
		const { sandbox } = await harness();
		const response = await fetch(`${sandbox.baseUrl}/fb/api/simple/tasks`, {
			method: 'POST',
			headers: { ...apiHeaders(sandbox), 'Content-Type': 'multipart/form-data; boundary=abc' },
			body: '--abc\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\n+41798284651\r\n',
		});
		expect(response.status).toBe(400);
		expect(sandbox.charges).toBe(0);
	});

	it('reads gettasks from JSON, and finds nothing when a task_type sent along does not match', async () => {
		const { sandbox } = await harness();
		const created = await createV1(sandbox, 'tg', numbers(2));
		const ask = (body: unknown) =>
			fetch(`${sandbox.baseUrl}/v1/gettasks`, {
				method: 'POST',
				headers: { ...apiHeaders(sandbox), 'Content-Type': 'application/json' },
				body: JSON.stringify(body),
			});
		expect((await ask({ task_id: created.body.task_id })).status).toBe(200);
		expect((await ask({ task_id: created.body.task_id, task_type: 'tg' })).status).toBe(200);
		expect((await ask({ task_id: created.body.task_id, task_type: 'tg_avatar' })).status).toBe(404);
		expect((await ask({})).status).toBe(400);
	});
});

describe('authentication and validation', () => {
	it('answers 401 to a missing or wrong key and creates nothing', async () => {
		const { sandbox } = await harness({ apiKey: 'right-key' });
		for (const key of [null, 'wrong-key']) {
			const response = await fetch(`${sandbox.baseUrl}/v1/tasks`, {
				method: 'POST',
				headers: apiHeaders(sandbox, key),
				body: uploadForm(numbers(2), { task_type: 'tg' }),
			});
			expect(response.status).toBe(401);
			expect(await response.json()).toEqual({ error: expect.any(String) });
		}
		const status = await fetch(`${sandbox.baseUrl}/wa/api/deep/tasks/abc`, { headers: { 'X-API-Key': 'nope' } });
		expect(status.status).toBe(401);
		expect(sandbox.tasks()).toHaveLength(0);
		expect(sandbox.charges).toBe(0);
	});

	it.each([
		['no file field', () => new FormData(), /file/],
		['an empty file', () => uploadForm(''), /empty/],
		['only blank lines', () => uploadForm('\r\n\r\n'), /empty/],
		['a line that is not E.164', () => uploadForm(['+41798284651', '079 828 46 51']), /line 2/],
		['a number with a leading zero', () => uploadForm(['+0123456789']), /E\.164/],
	])('answers 400 for %s, free of charge', async (_name, form, message) => {
		const { sandbox } = await harness();
		const response = await fetch(`${sandbox.baseUrl}/ins/api/simple/tasks`, {
			method: 'POST',
			headers: apiHeaders(sandbox),
			body: form(),
		});
		expect(response.status).toBe(400);
		expect(((await response.json()) as { error: string }).error).toMatch(message);
		expect(sandbox.charges).toBe(0);
		expect(sandbox.tasks()).toHaveLength(0);
	});

	it('answers 400 for a missing or malformed task_type, and for unknown ones when validation is on', async () => {
		const { sandbox } = await harness({ knownTaskTypes: ['tg', 'tg_avatar'] });
		expect((await createV1(sandbox, undefined, numbers(2))).response.status).toBe(400);
		expect((await createV1(sandbox, 'TG-Avatar', numbers(2))).response.status).toBe(400);
		const unknown = await createV1(sandbox, 'vk', numbers(2));
		expect(unknown.response.status).toBe(400);
		expect(unknown.body.error).toMatch(/task_type/);
		expect((await createV1(sandbox, 'tg', numbers(2))).response.status).toBe(200);
		expect(sandbox.charges).toBe(1);
	});

	it('answers invalid_batch_size below the minimum batch', async () => {
		const { sandbox } = await harness({ minBatch: 10 });
		const small = await createLegacy(sandbox, '/fb/api/simple', numbers(9));
		expect(small.response.status).toBe(400);
		expect(small.body.error).toBe('invalid_batch_size');
		expect((await createLegacy(sandbox, '/fb/api/simple', numbers(10))).response.status).toBe(200);
	});

	it('answers 413 to an upload over the size limit', async () => {
		const { sandbox } = await harness({ maxUploadBytes: 1000 });
		const big = await createLegacy(sandbox, '/fb/api/simple', numbers(200));
		expect(big.response.status).toBe(413);
		expect(big.body.error).toMatch(/too large/);
		expect(sandbox.charges).toBe(0);
	});

	it('answers 402 once the balance is spent and creates no task', async () => {
		const { sandbox } = await harness({ balance: 2 });
		expect((await createV1(sandbox, 'tg', numbers(2))).response.status).toBe(200);
		expect((await createV1(sandbox, 'tg', numbers(2))).response.status).toBe(200);
		const third = await createV1(sandbox, 'tg', numbers(2));
		expect(third.response.status).toBe(402);
		expect(third.body).toEqual({ error: 'insufficient balance' });
		expect(sandbox.charges).toBe(2);
		expect(sandbox.tasks()).toHaveLength(2);
	});

	it('keeps each number once, in upload order, and strips a BOM and CRLF', async () => {
		const { sandbox } = await harness();
		const created = await createLegacy(
			sandbox,
			'/ins/api/simple',
			'\ufeff+41798284651\r\n+12025550123\r\n+41798284651\r\n',
		);
		const task = sandbox.task(created.body.task_id as string);
		expect(task?.numbers).toEqual(['+41798284651', '+12025550123']);
		expect(task?.uploadedLines).toBe(3);
	});

	it('answers 404 to unknown paths and 405 to a wrong method', async () => {
		const { sandbox } = await harness();
		const unknown = await fetch(`${sandbox.baseUrl}/nothing/here`, { headers: apiHeaders(sandbox) });
		expect(unknown.status).toBe(404);
		const wrongMethod = await fetch(`${sandbox.baseUrl}/v1/tasks`, { headers: apiHeaders(sandbox) });
		expect(wrongMethod.status).toBe(405);
	});
});

describe('lifecycle on a manual clock', () => {
	it('goes pending -> processing -> completed -> exported, with success and failure growing to total', async () => {
		const test = await harness({ timing: { pendingMs: 20_000, numbersPerSecond: 10, completedMs: 5_000 } });
		const uploaded = numbers(200);
		const { body } = await createLegacy(test.sandbox, '/wa/api/deep', uploaded);
		const id = body.task_id as string;
		const read = async () => (await legacyStatus(test.sandbox, '/wa/api/deep', id)).body;

		test.advance(10_000);
		expect(await read()).toMatchObject({ status: 'pending', total: 0 });

		test.advance(15_000); // 5 s into processing at 10 numbers/s
		const early = await read();
		expect(early).toMatchObject({ status: 'processing', total: 200 });
		expect((early.success as number) + (early.failure as number)).toBe(50);
		expect(early.result_url).toBeUndefined();

		test.advance(10_000);
		const later = await read();
		expect((later.success as number) + (later.failure as number)).toBe(150);
		expect(Date.parse(later.updated_at as string)).toBe(test.now());

		test.advance(6_000); // processing took 20 s
		const completed = await read();
		expect(completed).toMatchObject({ status: 'completed', total: 200 });
		expect((completed.success as number) + (completed.failure as number)).toBe(200);
		expect(completed.result_url).toBeUndefined();

		test.advance(5_000);
		const exported = await read();
		expect(exported.status).toBe('exported');
		const failed = uploaded.filter((number) => test.sandbox.expectedRow('whatsappAvatar', number).whatsapp === '');
		expect(exported.failure).toBe(failed.length);
		expect(exported.success).toBe(200 - failed.length);
		const url = new URL(exported.result_url as string);
		expect(url.origin).toBe(test.sandbox.resultBaseUrl);
		expect(url.pathname).toBe(`/results/${id}/${id}.xlsx`);
		expect(url.searchParams.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
		expect(url.searchParams.get('X-Amz-Expires')).toBe('600');
		expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
		expect(test.sandbox.statusCalls).toBe(5);
	});

	it('takes about 29 minutes for 20,000 numbers with the default timing', async () => {
		const test = await harness();
		const { body } = await createV1(test.sandbox, 'tg', numbers(20_000));
		test.advance(27 * 60_000);
		expect((await v1Status(test.sandbox, body.task_id as string)).body.status).toBe('processing');
		test.advance(3 * 60_000);
		expect((await v1Status(test.sandbox, body.task_id as string)).body.status).toBe('exported');
	});

	it('follows Date.now when jest fakes the date', async () => {
		// Only Date is faked: the HTTP client and server still need real timers and ticks.
		jest.useFakeTimers({
			now: START,
			doNotFake: [
				'nextTick',
				'setImmediate',
				'setTimeout',
				'setInterval',
				'clearTimeout',
				'clearInterval',
				'clearImmediate',
				'queueMicrotask',
				'hrtime',
				'performance',
			],
		});
		try {
			const sandbox = await startSandbox({ timing: { pendingMs: 1_000, numbersPerSecond: 1, completedMs: 1_000 } });
			open.push(sandbox);
			const { body } = await createV1(sandbox, 'tg', numbers(3));
			expect((await v1Status(sandbox, body.task_id as string)).body.status).toBe('pending');
			jest.setSystemTime(START + 60_000);
			expect((await v1Status(sandbox, body.task_id as string)).body.status).toBe('exported');
		} finally {
			jest.useRealTimers();
		}
	});

	it('ends a task that failTask hits in a terminal failed state without a result', async () => {
		const test = await harness({ timing: { pendingMs: 0, numbersPerSecond: 10, completedMs: 0 } });
		const { body } = await createV1(test.sandbox, 'tg_avatar', numbers(100));
		test.advance(3_000);
		test.sandbox.failTask(body.task_id as string);
		test.advance(3_600_000);
		const status = (await v1Status(test.sandbox, body.task_id as string)).body;
		expect(status.status).toBe('failed');
		expect((status.success as number) + (status.failure as number)).toBe(30);
		expect(status.result_url).toBeUndefined();
	});

	it('reports an overridden status until the override is cleared', async () => {
		const test = await harness();
		const { body } = await createLegacy(test.sandbox, '/fb/api/simple', numbers(3));
		test.sandbox.setStatusOverride(body.task_id as string, 'queued_for_review');
		test.advance(3_600_000);
		const overridden = (await legacyStatus(test.sandbox, '/fb/api/simple', body.task_id as string)).body;
		expect(overridden.status).toBe('queued_for_review');
		expect(overridden.result_url).toBeUndefined();
		test.sandbox.setStatusOverride(body.task_id as string, null);
		expect((await legacyStatus(test.sandbox, '/fb/api/simple', body.task_id as string)).body.status).toBe('exported');
	});
});

describe('result host', () => {
	it('serves the file without the API key, hands out a fresh URL per status call, and expires URLs like S3', async () => {
		const test = await harness({ urlTtlMs: 600_000 });
		const { id, url } = await exportedUrl(test);
		const second = (await legacyStatus(test.sandbox, '/wa/api/deep', id)).body.result_url as string;
		expect(second).not.toBe(url);

		const download = await fetch(url);
		expect(download.status).toBe(200);
		const file = Buffer.from(await download.arrayBuffer());
		expect(file.subarray(0, 4)).toEqual(Buffer.from('PK\x03\x04', 'latin1'));
		expect(Number(download.headers.get('content-length'))).toBe(file.length);
		const logged = test.sandbox.requests.filter((entry) => entry.server === 'result');
		expect(logged).toHaveLength(1);
		expect(logged[0]).toMatchObject({
			method: 'GET',
			path: `/results/${id}/${id}.xlsx`,
			status: 200,
			hasApiKey: false,
		});
		expect(logged[0].query['X-Amz-Algorithm']).toBe('AWS4-HMAC-SHA256');

		test.advance(601_000);
		const expired = await fetch(url);
		expect(expired.status).toBe(403);
		const xml = await expired.text();
		expect(xml).toContain('<Code>AccessDenied</Code>');
		expect(xml).toContain('Request has expired');

		const fresh = (await legacyStatus(test.sandbox, '/wa/api/deep', id)).body.result_url as string;
		const again = await fetch(fresh);
		expect(again.status).toBe(200);
		expect(Buffer.from(await again.arrayBuffer()).equals(file)).toBe(true);
	});

	it('rejects a tampered URL and logs an API key sent there by mistake', async () => {
		const test = await harness();
		const { url } = await exportedUrl(test);
		const tampered = url.replace(/X-Amz-Expires=600/, 'X-Amz-Expires=60000');
		const denied = await fetch(tampered);
		expect(denied.status).toBe(403);
		expect(await denied.text()).toContain('SignatureDoesNotMatch');
		const unsigned = await fetch(url.split('?')[0]);
		expect(unsigned.status).toBe(403);

		const withKey = await fetch(url, { headers: { 'X-API-Key': test.sandbox.apiKey } });
		expect(withKey.status).toBe(200);
		await withKey.arrayBuffer();
		const last = test.sandbox.requests[test.sandbox.requests.length - 1];
		expect(last).toMatchObject({ server: 'result', hasApiKey: true });
		expect(last.headers['x-api-key']).toBe(test.sandbox.apiKey);
	});

	it('answers a byte range with 206', async () => {
		const test = await harness();
		const { url } = await exportedUrl(test);
		const whole = Buffer.from(await (await fetch(url)).arrayBuffer());
		const tail = await fetch(url, { headers: { Range: 'bytes=100-' } });
		expect(tail.status).toBe(206);
		expect(tail.headers.get('content-range')).toBe(`bytes 100-${whole.length - 1}/${whole.length}`);
		expect(Buffer.from(await tail.arrayBuffer()).equals(whole.subarray(100))).toBe(true);
	});
});

describe('faults', () => {
	it('answers 500 and 502 without charging, then recovers', async () => {
		const { sandbox } = await harness();
		sandbox.fault({ on: 'create', kind: '500' });
		sandbox.fault({ on: 'create', kind: '502' });
		const first = await createV1(sandbox, 'tg', numbers(2));
		expect(first.response.status).toBe(500);
		expect(first.body).toEqual({ error: expect.any(String) });
		const second = await fetch(`${sandbox.baseUrl}/v1/tasks`, {
			method: 'POST',
			headers: apiHeaders(sandbox),
			body: uploadForm(numbers(2), { task_type: 'tg' }),
		});
		expect(second.status).toBe(502);
		expect(second.headers.get('content-type')).toMatch(/text\/html/);
		expect(await second.text()).toContain('502 Bad Gateway');
		expect(sandbox.charges).toBe(0);
		expect((await createV1(sandbox, 'tg', numbers(2))).response.status).toBe(200);
		expect(sandbox.charges).toBe(1);
	});

	it('answers 429 with Retry-After in seconds or as an HTTP-date', async () => {
		const test = await harness();
		test.sandbox.fault({ on: 'status', kind: '429', retryAfter: 7 });
		test.sandbox.fault({ on: 'status', kind: '429', retryAfter: 'date' });
		const { body } = await createV1(test.sandbox, 'tg', numbers(2));
		const seconds = await v1Status(test.sandbox, body.task_id as string);
		expect(seconds.response.status).toBe(429);
		expect(seconds.response.headers.get('retry-after')).toBe('7');
		const dated = await v1Status(test.sandbox, body.task_id as string);
		expect(dated.response.status).toBe(429);
		const retryAt = Date.parse(dated.response.headers.get('retry-after') ?? '');
		expect(retryAt - test.now()).toBeGreaterThan(1000);
		expect(retryAt - test.now()).toBeLessThanOrEqual(3000);
		expect(test.sandbox.statusCalls).toBe(0);
	});

	it('resets the connection without doing the work', async () => {
		const { sandbox } = await harness();
		sandbox.fault({ on: 'create', kind: 'reset' });
		await expect(createV1(sandbox, 'tg', numbers(2))).rejects.toThrow();
		expect(sandbox.charges).toBe(0);
		expect(sandbox.tasks()).toHaveLength(0);
		expect(sandbox.requests[0]).toMatchObject({ fault: 'reset', status: 0, dropped: true });
	});

	it('charges and creates the task, then drops the answer (charge-then-drop)', async () => {
		const { sandbox } = await harness();
		sandbox.fault({ on: 'create', kind: 'charge-then-drop' });
		await expect(createLegacy(sandbox, '/wa/api/deep', numbers(3))).rejects.toThrow();
		expect(sandbox.charges).toBe(1);
		expect(sandbox.tasks()).toHaveLength(1);
		expect(sandbox.tasks()[0].numbers).toEqual(numbers(3));
		expect(sandbox.requests[0]).toMatchObject({ fault: 'charge-then-drop', status: 200, dropped: true });
	});

	it('truncates a download after announcing its full length', async () => {
		const test = await harness();
		const { url } = await exportedUrl(test);
		test.sandbox.fault({ on: 'download', kind: 'truncate' });
		const response = await fetch(url);
		expect(response.status).toBe(200);
		const announced = Number(response.headers.get('content-length'));
		expect(announced).toBeGreaterThan(0);
		await expect(response.arrayBuffer()).rejects.toThrow();
		const complete = await fetch(url);
		expect(Buffer.from(await complete.arrayBuffer()).length).toBe(announced);
	});

	it('answers an expire fault on download with an S3 AccessDenied', async () => {
		const test = await harness();
		const { url } = await exportedUrl(test);
		test.sandbox.fault({ on: 'download', kind: 'expire' });
		const response = await fetch(url);
		expect(response.status).toBe(403);
		expect(await response.text()).toMatch(/<Code>AccessDenied<\/Code>.*Request has expired/);
		expect((await fetch(url)).status).toBe(200);
	});

	it('delays a slow answer while other requests go through', async () => {
		const { sandbox } = await harness();
		const { body } = await createV1(sandbox, 'tg', numbers(2));
		sandbox.fault({ on: 'status', kind: 'slow', delayMs: 300 });
		const order: string[] = [];
		const slow = v1Status(sandbox, body.task_id as string).then((result) => {
			order.push('slow');
			return result;
		});
		await new Promise((resolve) => setTimeout(resolve, 20));
		const quick = await v1Status(sandbox, body.task_id as string);
		order.push('quick');
		expect(quick.response.status).toBe(200);
		expect((await slow).response.status).toBe(200);
		expect(order).toEqual(['quick', 'slow']);
	});

	it.each([
		['400', 400, /invalid/],
		['401', 401, /api key/],
		['402', 402, /insufficient balance/],
		['413', 413, /too large/],
	] as const)('answers a %s fault with a JSON error body and no charge', async (kind, status, message) => {
		const { sandbox } = await harness();
		sandbox.fault({ on: 'create', kind });
		const created = await createLegacy(sandbox, '/fb/api/simple', numbers(2));
		expect(created.response.status).toBe(status);
		expect(created.body.error).toMatch(message);
		expect(sandbox.charges).toBe(0);
		expect(sandbox.tasks()).toHaveLength(0);
	});

	it('uses a custom body, hits `times` matching requests, and leaves other kinds alone', async () => {
		const { sandbox } = await harness();
		sandbox.fault({ on: 'status', kind: '500', times: 2, body: { message: 'maintenance' } });
		const { body, response } = await createV1(sandbox, 'tg', numbers(2));
		expect(response.status).toBe(200);
		const statuses = [];
		for (let attempt = 0; attempt < 3; attempt++) statuses.push(await v1Status(sandbox, body.task_id as string));
		expect(statuses.map((status) => status.response.status)).toEqual([500, 500, 200]);
		expect(statuses[0].body).toEqual({ message: 'maintenance' });
	});

	it("hits whatever request comes first with on: 'any'", async () => {
		const { sandbox } = await harness();
		sandbox.fault({ on: 'any', kind: '502' });
		const first = await fetch(`${sandbox.baseUrl}/v1/gettasks`, { method: 'POST', headers: apiHeaders(sandbox) });
		expect(first.status).toBe(502);
		expect((await createV1(sandbox, 'tg', numbers(2))).response.status).toBe(200);
	});
});

describe('charges and the request log', () => {
	it('counts 200 creates as charges and 200 status reads separately, and logs every request', async () => {
		const test = await harness();
		const { sandbox } = test;
		await createLegacy(sandbox, '/fb/api/simple', numbers(3));
		await createLegacy(sandbox, '/fb/api/simple', 'not a number\n');
		const { body } = await createV1(sandbox, 'tg', numbers(3));
		await v1Status(sandbox, body.task_id as string);
		await v1Status(sandbox, 'unknown0000000000000');
		expect(sandbox.charges).toBe(2);
		expect(sandbox.statusCalls).toBe(1);

		expect(sandbox.requests.map((entry) => [entry.server, entry.method, entry.path, entry.status])).toEqual([
			['api', 'POST', '/fb/api/simple/tasks', 200],
			['api', 'POST', '/fb/api/simple/tasks', 400],
			['api', 'POST', '/v1/tasks', 200],
			['api', 'POST', '/v1/gettasks', 200],
			['api', 'POST', '/v1/gettasks', 404],
		]);
		const first = sandbox.requests[0];
		expect(first.headers['x-api-key']).toBe(sandbox.apiKey);
		expect(first.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
		expect(first).toMatchObject({ hasApiKey: true, dropped: false, at: test.now() });

		await legacyStatus(sandbox, '/fb/api/simple', sandbox.tasks()[0].id, '?user_id=x');
		expect(sandbox.requests[sandbox.requests.length - 1].query).toEqual({ user_id: 'x' });
	});

	it('writes one log line per request', async () => {
		const lines: string[] = [];
		const { sandbox } = await harness({ log: (line) => lines.push(line) });
		await createV1(sandbox, 'tg', numbers(2));
		await fetch(`${sandbox.baseUrl}/v1/tasks`, { method: 'POST' });
		expect(lines).toHaveLength(2);
		expect(lines[0]).toMatch(/api +POST \/v1\/tasks -> 200/);
		expect(lines[1]).toMatch(/-> 401/);
	});
});
