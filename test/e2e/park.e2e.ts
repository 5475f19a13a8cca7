/**
 * eKYCPro Wait parked between checks (Between Checks: Park the Execution) in real n8n, with the packed package and
 * the sandbox: the proofs of issue #11 that only a running n8n gives.
 *
 * - Park and restart: a webhook workflow's execution parks (`waiting` in the database, nothing running), n8n is
 *   killed (SIGKILL) and started again after the execution was due; it resumes and finishes with the right rows.
 * - The slot is free while parked: with N8N_CONCURRENCY_PRODUCTION_LIMIT=1, two executions parked and a third
 *   workflow runs to completion meanwhile.
 * - Queue mode: PostgreSQL and Redis started here on loopback, n8n main + 2 workers, 10 executions at once that
 *   each park and resume on a worker (one n8n major: the last of EKYCPRO_E2E_N8N, 2 by default).
 *
 * Each task takes 100 s (20 s pending, 65 s processing, 15 s completed); the Wait node asks at most every 70-75 s,
 * so every wait between checks is a park (n8n parks from 65 s) and n8n's WaitTracker resumes it.
 *
 *   npm run build && npx jest -c test/e2e/jest.config.js test/e2e/park.e2e.ts
 */
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';

import { startSandbox } from '../sandbox';
import type { Sandbox } from '../sandbox';
import { contactsFor, expectedRows, statusRequests, swissNumbers } from '../workflow/waitFixtures';
import {
	activateWorkflow,
	callWebhook,
	e2eMajors,
	importWorkflow,
	killN8n,
	listExecutions,
	newPackageHome,
	startN8n,
	startN8nWorker,
	storedExecutionChars,
	waitForExecution,
	type N8nExecutionSummary,
	type N8nHome,
	type N8nItem,
	type N8nStoredExecution,
	type N8nWorkflowJson,
	type PackageHome,
	type RunningN8n,
	type RunningN8nWorker,
	node,
} from './n8n';
import { missingQueueServices, postgresExecutions, startPostgres, startRedis } from './services';
import type { PostgresService, RedisService } from './services';

const repoRoot = path.resolve(__dirname, '..', '..');
const majors = e2eMajors();
const queueMajor = majors[majors.length - 1];

const CREDENTIAL = { eKycProApi: { id: 'ekycpro-park', name: 'eKYCPro sandbox (park)' } };
const CHECK = 'telegram';
const CONTACTS_PER_EXECUTION = 4;
/** The sandbox's task: 20 s pending, 65 s processing, 15 s completed, then exported (100 s in all). */
const TASK_MS = 100_000;
const TIMING = { pendingMs: 20_000, numbersPerSecond: CONTACTS_PER_EXECUTION / 65, completedMs: 15_000 };
/** Wait's outputs in park mode. */
const CHECK_AGAIN = 0;
const DONE = 1;
const NOT_FINISHED = 2;

/**
 * Webhook (answers at once, the execution goes on) -> one item per contact -> Create Task (input items with their
 * numbers) -> Wait parked between checks, Check Again wired back to itself, Done and Not Finished to no-ops.
 */
function parkWorkflow(id: string, hookPath: string): N8nWorkflowJson {
	return {
		id,
		name: `park ${id}`,
		nodes: [
			node(
				'Webhook',
				'n8n-nodes-base.webhook',
				2,
				{ httpMethod: 'POST', path: hookPath, responseMode: 'onReceived', options: {} },
				{ webhookId: randomUUID() },
			),
			node('One item per contact', 'n8n-nodes-base.splitOut', 1, { fieldToSplitOut: 'body.contacts', options: {} }),
			node(
				'Create Task',
				'n8n-nodes-ekycpro.eKycPro',
				1,
				{
					resource: CHECK,
					operation: 'createTask',
					numbersSource: 'field',
					phoneField: 'phone',
					output: 'inputItems',
					options: {},
				},
				{ credentials: CREDENTIAL },
			),
			node(
				'Wait',
				'n8n-nodes-ekycpro.eKycProWait',
				1,
				// No Schedule in the collection: the bounds must apply on their own (n8n dropped them before 5e75eeb,
				// and the defaults, 5-600 s, sleep in-process instead of parking).
				{
					betweenChecks: 'park',
					mode: 'enrich',
					simplify: true,
					polling: { minIntervalSeconds: 70, maxIntervalSeconds: 75 },
				},
				{ credentials: CREDENTIAL },
			),
			node('Done', 'n8n-nodes-base.noOp', 1, {}),
			node('Not Finished', 'n8n-nodes-base.noOp', 1, {}),
		],
		connections: {
			Webhook: { main: [[{ node: 'One item per contact', type: 'main', index: 0 }]] },
			'One item per contact': { main: [[{ node: 'Create Task', type: 'main', index: 0 }]] },
			'Create Task': { main: [[{ node: 'Wait', type: 'main', index: 0 }]] },
			Wait: {
				main: [
					[{ node: 'Wait', type: 'main', index: 0 }],
					[{ node: 'Done', type: 'main', index: 0 }],
					[{ node: 'Not Finished', type: 'main', index: 0 }],
				],
			},
		},
	};
}

/** The items of one Wait output across all its passes. */
function waitOutput(execution: N8nStoredExecution, output: number): N8nItem[] {
	return (execution.data.resultData.runData.Wait ?? []).flatMap((pass) => pass.data?.main?.[output] ?? []);
}

/** The execution ended well and every contact came out on Done, once, with its own result and no wait state. */
function expectEnriched(execution: N8nStoredExecution, sandbox: Sandbox, numbers: string[]): void {
	expect(execution.data.resultData.error).toBeUndefined();
	expect(execution.status).toBe('success');
	const done = waitOutput(execution, DONE);
	expect(done.map((item) => item.json.phone)).toEqual(numbers);
	const expected = expectedRows(sandbox, CHECK, numbers);
	done.forEach((item, index) => {
		expect(item.json.name).toBe(`Contact ${index}`);
		expect((item.json.ekycpro as Record<string, unknown>).result).toEqual(expected[index]);
		expect(item.json).not.toHaveProperty('ekycpro_wait');
	});
	expect(waitOutput(execution, NOT_FINISHED)).toEqual([]);
	// The last pass sent nothing round again; the Done node got the same items.
	const passes = execution.data.resultData.runData.Wait;
	expect(passes[passes.length - 1].data?.main?.[CHECK_AGAIN] ?? []).toEqual([]);
	const doneNode = (execution.data.resultData.runData.Done ?? []).flatMap((run) => run.data?.main?.[0] ?? []);
	expect(doneNode.map((item) => item.json.phone)).toEqual(numbers);
}

/** n8n's timestamps as stored: ISO strings, or SQLite's `YYYY-MM-DD HH:MM:SS.sss` in UTC. */
function toMs(stamp: string | null): number {
	if (!stamp) return NaN;
	return Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(stamp) ? stamp : `${stamp.replace(' ', 'T')}Z`);
}

async function poll<T>(
	what: string,
	read: () => Promise<T>,
	done: (value: T) => boolean,
	timeoutMs: number,
): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await read();
		if (done(value)) return value;
		if (Date.now() > deadline)
			throw new Error(`${what}: not within ${timeoutMs} ms; last seen ${JSON.stringify(value)}`);
		await new Promise((resolve) => setTimeout(resolve, 1_000));
	}
}

const running = (executions: N8nExecutionSummary[]) =>
	executions.filter((execution) => ['new', 'running'].includes(execution.status));
const seconds = (ms: number) => Math.round(ms / 1000);

describe.each(majors)('eKYCPro Wait parked between checks, in real n8n %i.x', (major) => {
	let sandbox: Sandbox;
	let home: N8nHome;
	let packageHome: PackageHome | undefined;
	let n8n: RunningN8n | undefined;

	beforeAll(async () => {
		sandbox = await startSandbox({ timing: TIMING });
		packageHome = await newPackageHome(repoRoot, major, {
			...CREDENTIAL.eKycProApi,
			type: 'eKycProApi',
			data: { apiKey: sandbox.apiKey, baseUrl: sandbox.baseUrl },
		});
		home = packageHome.home;
	}, 45 * 60_000);

	afterEach(async () => {
		await n8n?.stop();
		n8n = undefined;
	});

	afterAll(async () => {
		await sandbox?.close();
		packageHome?.remove();
	});

	test('parked, n8n killed (SIGKILL) and started again after the execution was due: it resumes and finishes with the right rows', async () => {
		const startedAt = Date.now();
		const flow = parkWorkflow('parkRestart', `ekycpro-park-restart-${major}`);
		await importWorkflow(home, flow);
		await activateWorkflow(home, flow.id);
		const numbers = swissNumbers(CONTACTS_PER_EXECUTION, 11);
		const fromRequest = sandbox.requests.length;
		const charges = sandbox.charges;

		n8n = await startN8n(home);
		const answer = await callWebhook(n8n, `ekycpro-park-restart-${major}`, { contacts: contactsFor(numbers) });
		expect(answer.status).toBe(200);

		// Parked: `waiting` in the database until the next check, nothing running, one status call so far.
		const [parked] = await poll(
			'the execution parks',
			async () => await listExecutions(home, flow.id),
			(executions) => executions.length === 1 && executions[0].status === 'waiting',
			90_000,
		);
		expect(running(await listExecutions(home))).toEqual([]);
		const dueAt = toMs(parked.waitTill);
		expect(dueAt - Date.now()).toBeGreaterThan(30_000);
		const callsSince = () =>
			statusRequests(sandbox).filter((request) => sandbox.requests.indexOf(request) >= fromRequest);
		expect(callsSince()).toHaveLength(1);
		const parkedChars = await storedExecutionChars(home, parked.id);

		// A crash while parked; n8n stays down past the time the execution was due.
		await killN8n(n8n);
		n8n = undefined;
		const afterKill = (await listExecutions(home, flow.id))[0];
		expect(afterKill).toMatchObject({ id: parked.id, status: 'waiting', waitTill: parked.waitTill });
		await new Promise((resolve) => setTimeout(resolve, Math.max(0, dueAt + 2_000 - Date.now())));

		n8n = await startN8n(home);
		const finished = await waitForExecution(home, flow.id, { timeoutMs: 4 * 60_000 });
		expect(finished.id).toBe(parked.id);
		expectEnriched(finished, sandbox, numbers);

		// One charge; a status call per pass, no more.
		const task = sandbox.tasks()[sandbox.tasks().length - 1];
		expect([...task.numbers]).toEqual(numbers);
		expect(sandbox.charges - charges).toBe(1);
		// Each pass asks once; every pass but the last parked, and n8n records a run of Wait for each resume (the
		// parked input sent out on Check Again) on top.
		const calls = callsSince();
		const passes = calls.length;
		const parks = passes - 1;
		expect(passes).toBeGreaterThanOrEqual(2);
		expect(passes).toBeLessThanOrEqual(4);
		expect(finished.data.resultData.runData.Wait).toHaveLength(passes + parks);
		const endSeenAfter = calls[calls.length - 1].at - (task.createdAt + TASK_MS);
		expect(endSeenAfter).toBeGreaterThanOrEqual(0);
		expect(endSeenAfter).toBeLessThan(90_000);
		const finalChars = await storedExecutionChars(home, finished.id);
		console.log(
			`n8n ${major}.x park and restart: ${CONTACTS_PER_EXECUTION} contacts, task ${seconds(TASK_MS)} s; ${calls.length} status calls, ` +
				`${passes} passes, ${parks} parks, ${passes + parks} runs of Wait, end seen ${seconds(endSeenAfter)} s after the export; stored execution ${parkedChars} chars parked, ` +
				`${finalChars} chars finished; test took ${seconds(Date.now() - startedAt)} s`,
		);
	});

	// n8n's concurrency control is the same code in both majors: one major is enough, and saves CI three minutes.
	(major === queueMajor ? test : test.skip)(
		'the slot is free while parked: concurrency limit 1, two executions parked, a third workflow runs to completion meanwhile',
		async () => {
			const startedAt = Date.now();
			const flows = [
				parkWorkflow('parkSlotA', `ekycpro-park-a-${major}`),
				parkWorkflow('parkSlotB', `ekycpro-park-b-${major}`),
			];
			const quick: N8nWorkflowJson = {
				id: 'parkSlotQuick',
				name: 'park slot quick',
				nodes: [
					node(
						'Webhook',
						'n8n-nodes-base.webhook',
						2,
						{ httpMethod: 'POST', path: `ekycpro-quick-${major}`, responseMode: 'lastNode', options: {} },
						{ webhookId: randomUUID() },
					),
					node('Answer', 'n8n-nodes-base.set', 3.4, { mode: 'raw', jsonOutput: '{ "answered": true }', options: {} }),
				],
				connections: { Webhook: { main: [[{ node: 'Answer', type: 'main', index: 0 }]] } },
			};
			for (const flow of [...flows, quick]) {
				await importWorkflow(home, flow);
				await activateWorkflow(home, flow.id);
			}
			const numbers = [swissNumbers(CONTACTS_PER_EXECUTION, 21), swissNumbers(CONTACTS_PER_EXECUTION, 22)];
			const charges = sandbox.charges;

			home.env.N8N_CONCURRENCY_PRODUCTION_LIMIT = '1';
			try {
				n8n = await startN8n(home);
			} finally {
				delete home.env.N8N_CONCURRENCY_PRODUCTION_LIMIT;
			}
			const parked: N8nExecutionSummary[] = [];
			for (const [index, flow] of flows.entries()) {
				const answer = await callWebhook(n8n, `ekycpro-park-${index === 0 ? 'a' : 'b'}-${major}`, {
					contacts: contactsFor(numbers[index]),
				});
				expect(answer.status).toBe(200);
				const [execution] = await poll(
					`${flow.id} parks`,
					async () => await listExecutions(home, flow.id),
					(executions) => executions.length === 1 && executions[0].status === 'waiting',
					90_000,
				);
				parked.push(execution);
			}
			expect(running(await listExecutions(home))).toEqual([]);

			// The only slot is free: the third workflow answers while both are still parked.
			const answer = await callWebhook(n8n, `ekycpro-quick-${major}`, {}, { timeoutMs: 30_000 });
			expect(answer.status).toBe(200);
			expect(JSON.parse(answer.body)).toEqual({ answered: true });
			const quickRun = await waitForExecution(home, quick.id, { timeoutMs: 30_000 });
			expect(quickRun.status).toBe('success');
			for (const execution of parked) {
				const now = (await listExecutions(home, execution.workflowId))[0];
				expect(now.status).toBe('waiting');
				expect(toMs(quickRun.stoppedAt)).toBeLessThan(toMs(now.waitTill));
			}

			// Both resume in the one slot and finish.
			for (const [index, flow] of flows.entries()) {
				const finished = await waitForExecution(home, flow.id, { timeoutMs: 4 * 60_000 });
				expect(finished.id).toBe(parked[index].id);
				expectEnriched(finished, sandbox, numbers[index]);
				expect(toMs(finished.stoppedAt)).toBeGreaterThan(toMs(quickRun.stoppedAt));
			}
			expect(sandbox.charges - charges).toBe(2);
			console.log(`n8n ${major}.x slot free while parked: test took ${seconds(Date.now() - startedAt)} s`);
		},
	);
});

const queueSkip = missingQueueServices();
const describeQueue = queueSkip.length > 0 && process.env.CI !== 'true' ? describe.skip : describe;
if (queueSkip.length > 0) {
	const message = `queue-mode test ${process.env.CI === 'true' ? 'FAILS (CI=true)' : 'skipped'}: missing ${queueSkip.join('; ')}`;
	console.warn(message);
}

describeQueue(`queue mode in real n8n ${queueMajor}.x: PostgreSQL, Redis, main + 2 workers`, () => {
	const EXECUTIONS = 10;
	const hookPath = `ekycpro-park-queue-${queueMajor}`;
	let sandbox: Sandbox;
	let postgres: PostgresService | undefined;
	let redis: RedisService | undefined;
	let packageHome: PackageHome | undefined;
	let home: N8nHome;
	let main: RunningN8n | undefined;
	const workers: RunningN8nWorker[] = [];

	beforeAll(async () => {
		// When CI=true and a service is missing, this throws and the test fails.
		postgres = await startPostgres();
		redis = await startRedis();
		sandbox = await startSandbox({ timing: TIMING });
		packageHome = await newPackageHome(
			repoRoot,
			queueMajor,
			{ ...CREDENTIAL.eKycProApi, type: 'eKycProApi', data: { apiKey: sandbox.apiKey, baseUrl: sandbox.baseUrl } },
			{ env: { ...postgres.n8nEnv, ...redis.n8nEnv, EXECUTIONS_MODE: 'queue' } },
		);
		home = packageHome.home;
	}, 45 * 60_000);

	afterAll(async () => {
		await Promise.all(workers.map(async (worker) => await worker.stop()));
		await main?.stop();
		await sandbox?.close();
		packageHome?.remove();
		await redis?.stop();
		await postgres?.stop();
	}, 120_000);

	test('10 executions at once, each parks and resumes on a worker: all correct, 10 charges', async () => {
		const startedAt = Date.now();
		const flow = parkWorkflow('parkQueue', hookPath);
		await importWorkflow(home, flow);
		await activateWorkflow(home, flow.id);
		const executions = postgresExecutions(home, postgres as PostgresService);

		main = await startN8n(home);
		workers.push(await startN8nWorker(home, { concurrency: 5 }), await startN8nWorker(home, { concurrency: 5 }));
		const batches = Array.from({ length: EXECUTIONS }, (_, caller) => swissNumbers(3, 40 + caller));
		const answers = await Promise.all(
			batches.map(
				async (numbers) => await callWebhook(main as RunningN8n, hookPath, { contacts: contactsFor(numbers) }),
			),
		);
		for (const answer of answers) expect(answer.status).toBe(200);

		// All ten parked at once: `waiting` in PostgreSQL, none running (an execution that ended already fails here).
		const parked = await poll(
			'all ten park',
			async () => await executions.list(flow.id),
			(rows) =>
				rows.some((row) => !['new', 'running', 'waiting'].includes(row.status)) ||
				(rows.length === EXECUTIONS && rows.every((row) => row.status === 'waiting')),
			120_000,
		);
		for (const row of parked.filter((row) => row.status !== 'waiting')) {
			expect({ id: row.id, status: row.status, error: (await executions.read(row.id))?.data.resultData.error }).toEqual(
				{ id: row.id, status: 'waiting', error: undefined },
			);
		}
		expect(running(await executions.list())).toEqual([]);

		const finished = await poll(
			'all ten finish',
			async () => await executions.list(flow.id),
			(rows) => rows.length === EXECUTIONS && rows.every((row) => !['new', 'running', 'waiting'].includes(row.status)),
			5 * 60_000,
		);
		expect(finished.map((row) => row.id).sort()).toEqual(parked.map((row) => row.id).sort());
		const workerOutput = workers.map((worker) => worker.output());
		const sizes: number[] = [];
		for (const row of finished) {
			const stored = await executions.read(row.id);
			if (!stored) throw new Error(`execution ${row.id} has no data`);
			sizes.push(stored.storedChars);
			// Each caller's own contacts back, with their own results.
			const input = stored.data.resultData.runData.Webhook[0].data?.main?.[0]?.[0]?.json.body as {
				contacts: Array<{ phone: string }>;
			};
			const numbers = input.contacts.map((contact) => contact.phone);
			expect(batches).toContainEqual(numbers);
			expectEnriched(stored, sandbox, numbers);
			expect(stored.data.resultData.runData.Wait.length).toBeGreaterThanOrEqual(2);
			// Started and resumed on workers (at least twice), finished on one; the main instance ran none of it.
			const started = workerOutput.join('\n').match(new RegExp(`Worker started execution ${row.id} \\(`, 'g')) ?? [];
			expect(started.length).toBeGreaterThanOrEqual(2);
			expect(workerOutput.join('\n')).toMatch(new RegExp(`Worker finished execution ${row.id} \\(`));
		}
		expect(main.output()).not.toMatch(/Worker (started|finished) execution/);
		expect(sandbox.charges).toBe(EXECUTIONS);
		const perWorker = workerOutput.map((output) => (output.match(/Worker finished execution/g) ?? []).length);
		console.log(
			`n8n ${queueMajor}.x queue mode: ${EXECUTIONS} executions, ${statusRequests(sandbox).length} status calls in all, ` +
				`jobs finished per worker ${perWorker.join(' / ')}, stored execution ${Math.min(...sizes)}-${Math.max(...sizes)} chars; ` +
				`test took ${seconds(Date.now() - startedAt)} s`,
		);
	});
});
