/**
 * The key rows of the fault matrix (test/workflow/faults.test.ts) again in real n8n 1.x and 2.x: the packed package
 * installed as a community package, workflows run headless with `n8n execute` against the sandbox with faults
 * queued. What only real n8n shows: our retries and waits inside its own executions, its error-output routing
 * (which merges the input item's fields), concurrent executions in one `n8n start`, and its execution records and
 * logs (searched for the API key, at debug level).
 *
 *   npm run build && npx jest -c test/e2e/jest.config.js test/e2e/faults.e2e.ts
 */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { simplifyRow } from '../../nodes/EKycPro/results';
import type { ResultRow } from '../../nodes/EKycPro/results';
import { startSandbox } from '../sandbox';
import type { Fault, RequestLogEntry, Sandbox } from '../sandbox';
import {
	activateWorkflow,
	callWebhook,
	e2eMajors,
	executeWorkflowWithOutput,
	importWorkflow,
	newPackageHome,
	nodeOutputJson,
	runError,
	startN8n,
	type N8nHome,
	type N8nRun,
	type N8nWorkflowJson,
	type PackageHome,
	node,
	type NodeJson,
} from './n8n';

const repoRoot = path.resolve(__dirname, '..', '..');
const majors = e2eMajors();

/** A key no other string in a run could contain by chance, so finding it anywhere is a leak. */
const API_KEY = 'ek-e2e-Q7vX2mK9pL4wR8tZ';
const CREDENTIAL = { eKycProApi: { id: 'ekycpro-faults', name: 'eKYCPro sandbox (faults)' } };
const NUMBERS = ['+41798284651', '+41798284652', '+4915112345678', '+14155552671', '+905321234567'];

/** Manual trigger → one item per number (field `phone`) → the given nodes, chained on their first output. */
function workflow(id: string, nodes: NodeJson[]): N8nWorkflowJson {
	const head = [
		node('Start', 'n8n-nodes-base.manualTrigger', 1, {}),
		node('Numbers', 'n8n-nodes-base.set', 3.4, {
			mode: 'raw',
			jsonOutput: JSON.stringify({ contacts: NUMBERS.map((phone, index) => ({ name: `Contact ${index}`, phone })) }),
			options: {},
		}),
		node('One item per number', 'n8n-nodes-base.splitOut', 1, { fieldToSplitOut: 'contacts', options: {} }),
	];
	const all = [...head, ...nodes];
	const connections: Record<string, unknown> = {};
	for (let index = 0; index + 1 < all.length; index++) {
		connections[all[index].name] = { main: [[{ node: all[index + 1].name, type: 'main', index: 0 }]] };
	}
	return { id, name: `faults ${id}`, nodes: all, connections };
}

function createTask(
	name: string,
	check: string,
	parameters: Record<string, unknown> = {},
	extra: Record<string, unknown> = {},
): NodeJson {
	return node(
		name,
		'n8n-nodes-ekycpro.eKycPro',
		1,
		{
			resource: check,
			operation: 'createTask',
			numbersSource: 'field',
			phoneField: 'phone',
			options: {},
			...parameters,
		},
		{ credentials: CREDENTIAL, ...extra },
	);
}

function waitNode(name: string, polling: Record<string, unknown> = {}): NodeJson {
	return node(
		name,
		'n8n-nodes-ekycpro.eKycProWait',
		1,
		{ mode: 'rows', simplify: true, polling: { minIntervalSeconds: 1, maxIntervalSeconds: 5, ...polling } },
		{ credentials: CREDENTIAL },
	);
}

describe.each(majors)('the fault matrix in real n8n %i.x', (major) => {
	let sandbox: Sandbox;
	let home: N8nHome;
	let packageHome: PackageHome | undefined;
	/** Everything n8n printed in this suite, searched for the key at the end. */
	const printed: string[] = [];
	const runs: N8nRun[] = [];

	async function run(workflowJson: N8nWorkflowJson): Promise<N8nRun> {
		const outcome = await executeWorkflowWithOutput(home, await importWorkflow(home, workflowJson));
		printed.push(outcome.output);
		runs.push(outcome.run);
		return outcome.run;
	}

	const requestsOf = (kind: 'create' | 'status' | 'download', from: number): RequestLogEntry[] =>
		sandbox.requests.slice(from).filter((request) => {
			if (kind === 'download') return request.server === 'result';
			if (request.server !== 'api') return false;
			const isCreate =
				request.method === 'POST' && (request.path === '/v1/tasks' || /\/api\/[^/]+\/tasks$/.test(request.path));
			return kind === 'create' ? isCreate : !isCreate;
		});

	const expectedRows = (check: string, numbers: readonly string[]): ResultRow[] =>
		numbers.map((number) => {
			const row: ResultRow = {};
			for (const [key, value] of Object.entries(sandbox.expectedRow(check, number)))
				row[key.trim().toLowerCase()] = value;
			return simplifyRow(row);
		});

	/** A task created straight at the sandbox (not through n8n), to be put into a state before a workflow reads it. */
	async function createTaskDirectly(taskType: string): Promise<string> {
		const form = new FormData();
		form.append('file', new Blob([NUMBERS.join('\n')], { type: 'text/plain' }), 'numbers.txt');
		form.append('task_type', taskType);
		const response = await fetch(`${sandbox.baseUrl}/v1/tasks`, {
			method: 'POST',
			headers: { 'X-API-Key': API_KEY },
			body: form,
		});
		const body = (await response.json()) as { task_id?: string };
		if (!response.ok || !body.task_id)
			throw new Error(`sandbox create answered ${response.status}: ${JSON.stringify(body)}`);
		return body.task_id;
	}

	beforeAll(async () => {
		sandbox = await startSandbox({
			apiKey: API_KEY,
			timing: { pendingMs: 1_000, numbersPerSecond: 20, completedMs: 1_000 },
		});
		packageHome = await newPackageHome(
			repoRoot,
			major,
			{ ...CREDENTIAL.eKycProApi, type: 'eKycProApi', data: { apiKey: API_KEY, baseUrl: sandbox.baseUrl } },
			// Debug logging, so that the search for the key covers everything n8n can be made to log.
			{ env: { N8N_LOG_LEVEL: 'debug' } },
		);
		home = packageHome.home;
	}, 45 * 60_000);

	afterAll(async () => {
		await sandbox?.close();
		packageHome?.remove();
	});

	test('create 500, 500, then 200; status 500, 502, 429 (date), reset, slow; result cut short, then expired: one charge, right rows', async () => {
		const from = sandbox.requests.length;
		const charges = sandbox.charges;
		const faults: Fault[] = [
			{ on: 'create', kind: '500', times: 2 },
			{ on: 'status', kind: '500' },
			{ on: 'status', kind: '502' },
			{ on: 'status', kind: '429', retryAfter: 'date' },
			{ on: 'status', kind: 'reset' },
			{ on: 'status', kind: 'slow', delayMs: 1_500 },
			{ on: 'download', kind: 'truncate' },
			{ on: 'download', kind: 'expire' },
		];
		for (const fault of faults) sandbox.fault(fault);

		const result = await run(workflow('faultsThrough', [createTask('Create', 'telegram'), waitNode('Wait')]));

		expect(runError(result)).toBeUndefined();
		expect(sandbox.charges - charges).toBe(1);
		expect(requestsOf('create', from).map((request) => request.status)).toEqual([500, 500, 200]);
		const [task] = nodeOutputJson(result, 'Create');
		expect(nodeOutputJson(result, 'Wait')).toEqual(
			expectedRows('telegram', sandbox.task(String(task.task_id))?.numbers ?? []),
		);
		expect(nodeOutputJson(result, 'Wait', { output: 1 })).toEqual([]);
		// Every queued fault hit a request.
		const hit = sandbox.requests
			.slice(from)
			.map((request) => request.fault)
			.filter(Boolean);
		expect(hit.sort()).toEqual(faults.flatMap((fault) => Array(fault.times ?? 1).fill(fault.kind)).sort());
		expect(requestsOf('download', from).length).toBeGreaterThanOrEqual(3);
	});

	test('create charged, then the connection dropped: no retry, one charge, the error says how to find the task', async () => {
		const from = sandbox.requests.length;
		const charges = sandbox.charges;
		sandbox.fault({ on: 'create', kind: 'charge-then-drop' });

		const result = await run(workflow('faultsDropped', [createTask('Create', 'facebook')]));

		expect(requestsOf('create', from)).toHaveLength(1);
		expect(sandbox.charges - charges).toBe(1);
		const error = runError(result);
		expect(error?.message).toMatch(/request to create the task was sent, but no answer came back/);
		expect(error?.description).toMatch(/may have created the task and charged for it/);
	});

	test('create answered 402, with the error output on: no retry, no charge, the reason on the error branch', async () => {
		const from = sandbox.requests.length;
		const charges = sandbox.charges;
		sandbox.fault({ on: 'create', kind: '402' });

		const create = createTask('Create', 'instagram', {}, { onError: 'continueErrorOutput' });
		const handle = node('Handle error', 'n8n-nodes-base.noOp', 1, {});
		const after = node('After create', 'n8n-nodes-base.noOp', 1, {});
		const flow = workflow('faultsBalance', [create, after]);
		flow.nodes = [...flow.nodes, handle];
		flow.connections.Create = {
			main: [[{ node: 'After create', type: 'main', index: 0 }], [{ node: 'Handle error', type: 'main', index: 0 }]],
		};

		const result = await run(flow);

		expect(runError(result)).toBeUndefined();
		expect(requestsOf('create', from)).toHaveLength(1);
		expect(sandbox.charges - charges).toBe(0);
		expect(nodeOutputJson(result, 'Create')).toEqual([]);
		const errors = nodeOutputJson(result, 'Handle error');
		// Every contact reaches the error branch with its own fields, the reason and what to do.
		expect(errors).toEqual(
			NUMBERS.map((phone, index) => ({
				name: `Contact ${index}`,
				phone,
				error: 'Your eKYCPro balance is too low to create this task',
				message: expect.stringMatching(/nothing was charged[\s\S]*Top up your eKYCPro balance/),
			})),
		);
	});

	test('one Wait node, four tasks: exported, failed, never finishing, unknown status: rows for one, Not Finished for three', async () => {
		const exported = await createTaskDirectly('tg');
		const failed = await createTaskDirectly('tg');
		const stuck = await createTaskDirectly('tg');
		const unknown = await createTaskDirectly('tg');
		sandbox.failTask(failed);
		sandbox.setStatusOverride(stuck, 'pending');
		sandbox.setStatusOverride(unknown, 'paused_by_operator');
		const charges = sandbox.charges;

		const tasks = node('Tasks', 'n8n-nodes-base.set', 3.4, {
			mode: 'raw',
			jsonOutput: JSON.stringify({
				tasks: [exported, failed, stuck, unknown].map((task_id) => ({ task_id, check: 'telegram' })),
			}),
			options: {},
		});
		const split = node('One item per task', 'n8n-nodes-base.splitOut', 1, { fieldToSplitOut: 'tasks', options: {} });
		const wait = waitNode('Wait', { maxWaitMinutes: 0.25 });
		const flow: N8nWorkflowJson = {
			id: 'faultsFourTasks',
			name: 'faults four tasks',
			nodes: [node('Start', 'n8n-nodes-base.manualTrigger', 1, {}), tasks, split, wait],
			connections: {
				Start: { main: [[{ node: 'Tasks', type: 'main', index: 0 }]] },
				Tasks: { main: [[{ node: 'One item per task', type: 'main', index: 0 }]] },
				'One item per task': { main: [[{ node: 'Wait', type: 'main', index: 0 }]] },
			},
		};

		const result = await run(flow);

		expect(runError(result)).toBeUndefined();
		expect(sandbox.charges - charges).toBe(0);
		expect(nodeOutputJson(result, 'Wait')).toEqual(expectedRows('telegram', sandbox.task(exported)?.numbers ?? []));
		const notFinished = nodeOutputJson(result, 'Wait', { output: 1 });
		expect(notFinished.map((item) => [item.task_id, item.status, item.failed])).toEqual([
			[failed, 'failed', true],
			[stuck, 'pending', false],
			[unknown, 'paused_by_operator', false],
		]);
		expect(String(notFinished[0].reason)).toMatch(/failed on eKYCPro's side/);
		expect(String(notFinished[1].reason)).toMatch(new RegExp(`Task ${stuck} was not exported within`));
	});

	test('ten executions at once in one running n8n (webhook calls): each gets its own contacts back with their results', async () => {
		const from = sandbox.requests.length;
		const charges = sandbox.charges;
		const hookPath = `ekycpro-faults-${major}`;
		const flow: N8nWorkflowJson = {
			id: 'faultsTenAtOnce',
			name: 'faults ten at once',
			nodes: [
				node(
					'Webhook',
					'n8n-nodes-base.webhook',
					2,
					{ httpMethod: 'POST', path: hookPath, responseMode: 'lastNode', responseData: 'allEntries', options: {} },
					{ webhookId: randomUUID() },
				),
				node('One item per contact', 'n8n-nodes-base.splitOut', 1, { fieldToSplitOut: 'body.contacts', options: {} }),
				createTask('Create', 'instagram', { output: 'inputItems' }),
				node(
					'Wait',
					'n8n-nodes-ekycpro.eKycProWait',
					1,
					{ mode: 'enrich', simplify: true, polling: { minIntervalSeconds: 1, maxIntervalSeconds: 5 } },
					{ credentials: CREDENTIAL },
				),
			],
			connections: {
				Webhook: { main: [[{ node: 'One item per contact', type: 'main', index: 0 }]] },
				'One item per contact': { main: [[{ node: 'Create', type: 'main', index: 0 }]] },
				Create: { main: [[{ node: 'Wait', type: 'main', index: 0 }]] },
			},
		};
		await importWorkflow(home, flow);
		await activateWorkflow(home, flow.id as string);

		// Ten callers, each with three numbers of its own.
		const batches = Array.from({ length: 10 }, (_, caller) =>
			[0, 1, 2].map((slot) => ({
				name: `Caller ${caller} contact ${slot}`,
				phone: `+4179${String(caller * 10 + slot).padStart(7, '0')}`,
			})),
		);
		const n8n = await startN8n(home);
		try {
			const answers = await Promise.all(
				batches.map((contacts) => callWebhook(n8n, hookPath, { contacts }, { timeoutMs: 120_000 })),
			);
			answers.forEach((answer, caller) => {
				expect(answer.status).toBe(200);
				const items = JSON.parse(answer.body) as Array<Record<string, unknown>>;
				expect(items.map((item) => item.name)).toEqual(batches[caller].map((contact) => contact.name));
				items.forEach((item, slot) => {
					const ekycpro = item.ekycpro as Record<string, unknown>;
					expect(ekycpro.number).toBe(batches[caller][slot].phone);
					expect(ekycpro.found).toBe(true);
					expect(ekycpro.result).toEqual(expectedRows('instagram', [batches[caller][slot].phone])[0]);
				});
			});
		} finally {
			printed.push(n8n.output());
			await n8n.stop();
		}
		expect(sandbox.charges - charges).toBe(10);
		expect(requestsOf('create', from)).toHaveLength(10);
		const created = sandbox
			.tasks()
			.slice(-10)
			.map((task) => [...task.numbers].sort());
		expect(created.sort()).toEqual(batches.map((contacts) => contacts.map((contact) => contact.phone).sort()).sort());
	});

	test('the API key is in no output, error, execution record or log line of these runs, and never went to the result host', async () => {
		expect(runs.length).toBeGreaterThanOrEqual(4);
		for (const text of printed) expect(text).not.toContain(API_KEY);
		for (const result of runs) expect(JSON.stringify(result)).not.toContain(API_KEY);
		// n8n's own records: the database (executions, logs; the credential is stored encrypted) and any log files.
		const stored = listFiles(path.join(home.dir, '.n8n')).filter(
			(file) => !file.includes(`${path.sep}nodes${path.sep}`),
		);
		expect(stored.some((file) => file.endsWith('database.sqlite'))).toBe(true);
		for (const file of stored)
			expect({ file, leaked: fs.readFileSync(file).includes(API_KEY) }).toEqual({ file, leaked: false });
		const results = sandbox.requests.filter((request) => request.server === 'result');
		expect(results.length).toBeGreaterThan(0);
		expect(results.filter((request) => request.hasApiKey)).toEqual([]);
	});
});

function listFiles(dir: string): string[] {
	return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
		const full = path.join(dir, entry.name);
		return entry.isDirectory() ? listFiles(full) : entry.isFile() ? [full] : [];
	});
}
