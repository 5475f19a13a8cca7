/**
 * eKYCPro Wait in park mode: Create Task -> Wait, with Wait's "Check Again" output wired back to its own input, run by
 * n8n-core's WorkflowExecute on the simulated clock. A parked run is resumed as n8n resumes it: the stored execution
 * (a JSON copy) runs on with a workflow loaded anew, at the time it waits for. Expected rows come from the sandbox.
 */
import { sleep } from 'n8n-workflow';
import type { IConnections, IDataObject } from 'n8n-workflow';

import { startSandbox } from '../sandbox';
import type { Sandbox, SandboxOptions } from '../sandbox';
import { SimulatedClock } from './clock';
import type { SimulatedRun } from './clock';
import { cleanupHarness, loadPackage, packageNode, runWorkflow } from './harness';
import type { RunOptions, WorkflowRunResult } from './harness';
import { contactsFor, createNode, credentials, expectedRows, statusRequests, swissNumbers } from './waitFixtures';
import type { CheckId } from './waitFixtures';

const MINUTE = 60_000;
const CHECK_AGAIN = 0;
const DONE = 1;
const NOT_FINISHED = 2;

const sandboxes: Sandbox[] = [];
let clock: SimulatedClock | undefined;

beforeAll(async () => await loadPackage());
afterEach(async () => {
	clock?.uninstall();
	clock = undefined;
	await Promise.all(sandboxes.splice(0).map(async (sandbox) => await sandbox.close()));
});
afterAll(() => cleanupHarness());

async function openSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
	const sandbox = await startSandbox(options);
	sandboxes.push(sandbox);
	return sandbox;
}

/** A task of `count` numbers that takes about `minutes` in all (20 s pending, 15 s exporting). */
function timingFor(count: number, minutes: number): SandboxOptions['timing'] {
	return { pendingMs: 20_000, completedMs: 15_000, numbersPerSecond: count / (minutes * 60 - 35) };
}

/** Create Task -> Wait, and Wait's Check Again back to Wait (unless `loop` is false). */
function parkedWorkflow(check: CheckId, createOutput: 'task' | 'inputItems', waitParameters: IDataObject, loop = true) {
	const connections: IConnections = {
		'Create Task': { main: [[{ node: 'Wait', type: 'main', index: 0 }]] },
	};
	if (loop) connections.Wait = { main: [[{ node: 'Wait', type: 'main', index: 0 }], [], []] };
	return {
		nodes: [
			createNode(check, createOutput),
			packageNode('Wait', 'eKycProWait', { betweenChecks: 'park', ...waitParameters }),
		],
		connections,
	};
}

/** Runs on the simulated clock; each park is resumed at the time it asked for. */
async function runParked(
	sandbox: Sandbox,
	workflow: ReturnType<typeof parkedWorkflow>,
	input: IDataObject[],
	options: Partial<RunOptions> = {},
): Promise<SimulatedRun<WorkflowRunResult>> {
	clock = SimulatedClock.install();
	return await clock.run(
		async () =>
			await runWorkflow(workflow, {
				credentials: credentials(sandbox),
				input,
				onPark: async (until) => await sleep(Math.max(0, until.getTime() - Date.now())),
				...options,
			}),
		{ maxRealMs: 120_000 },
	);
}

describe('park mode', () => {
	// The items that loop: one task item (Result Rows), or 1,000 contacts (Input Items With Their Results).
	test.each([
		{ items: 1, createOutput: 'task' as const, mode: 'rows' },
		{ items: 1000, createOutput: 'inputItems' as const, mode: 'enrich' },
	])(
		'a 30-minute task, $items looping item(s): parked between checks, the right results, few status calls, no wait state left',
		async ({ createOutput, mode }) => {
			const numbers = swissNumbers(1000, 1);
			const sandbox = await openSandbox({ timing: timingFor(numbers.length, 30) });
			const run = await runParked(
				sandbox,
				parkedWorkflow('whatsappAvatar', createOutput, { mode }),
				contactsFor(numbers),
			);
			const result = run.value;
			expect(result.error).toBeUndefined();

			// The run ended: nothing left waiting, nothing on Check Again in the last pass.
			expect(result.run.status).not.toBe('waiting');
			expect(result.output('Wait', CHECK_AGAIN)).toEqual([]);
			const done = result.outputOfAllRuns('Wait', DONE);
			expect(done).toHaveLength(numbers.length);
			const expected = expectedRows(sandbox, 'whatsappAvatar', numbers);
			done.forEach((item, index) => {
				if (mode === 'rows') {
					expect(item.json).toEqual(expected[index]);
					return;
				}
				expect(item.json.phone).toBe(numbers[index]);
				expect((item.json.ekycpro as IDataObject).result).toEqual(expected[index]);
				expect(item.json).not.toHaveProperty('ekycpro_wait');
			});
			expect(result.outputOfAllRuns('Wait', NOT_FINISHED)).toEqual([]);

			// One charge; parked most of the time; the status calls stay within the adaptive schedule's budget.
			const task = sandbox.tasks()[0];
			expect(sandbox.charges).toBe(1);
			expect(result.parks.length).toBeGreaterThanOrEqual(3);
			const stored = result.parks.map((park) => park.storedChars);
			for (const park of result.parks) expect(park.until - park.at).toBeGreaterThanOrEqual(65_000);
			const calls = statusRequests(sandbox).length;
			expect(calls).toBeLessThanOrEqual(16);
			// The end is seen within about a minute of the export.
			const exportedAt = task.createdAt + 30 * MINUTE;
			expect(run.simulatedMs).toBeGreaterThanOrEqual(29 * MINUTE);
			expect(task.createdAt + run.simulatedMs - exportedAt).toBeLessThan(2 * MINUTE);
			const passes = result.runData.Wait.length;
			console.log(
				`park mode, 30-minute task of ${numbers.length} numbers, ${mode === 'rows' ? 1 : numbers.length} looping item(s): ${calls} status calls, ${passes} passes, ${result.parks.length} parks, ` +
					`end seen ${Math.round((task.createdAt + run.simulatedMs - exportedAt) / 1000)} s after the export, ` +
					`stored execution ${stored.join(' / ')} chars at each park ` +
					`(${Math.round((stored[stored.length - 1] - stored[0]) / (stored.length - 1) / 1000)} kB more per park)`,
			);
		},
	);

	test("rows mode, two tasks of different length: each task's rows leave on Done in the pass it finished", async () => {
		const quick = swissNumbers(40, 2);
		const slow = swissNumbers(400, 3);
		const sandbox = await openSandbox({ timing: { numbersPerSecond: 0.5 } });
		clock = SimulatedClock.install();
		const quickTask = await created(sandbox, 'telegram', quick);
		const slowTask = await created(sandbox, 'facebook', slow);
		const wait = packageNode('Wait', 'eKycProWait', { betweenChecks: 'park', mode: 'rows', resultOutput: 'rows' });
		const run = await clock.run(
			async () =>
				await runWorkflow(
					{ nodes: [wait], connections: { Wait: { main: [[{ node: 'Wait', type: 'main', index: 0 }], [], []] } } },
					{
						credentials: credentials(sandbox),
						startNode: 'Wait',
						input: [...quickTask, ...slowTask],
						onPark: async (until) => await sleep(Math.max(0, until.getTime() - Date.now())),
					},
				),
			{ maxRealMs: 120_000 },
		);
		expect(run.value.error).toBeUndefined();
		const passes = run.value.runData.Wait;
		const doneIn = (rows: number) => passes.findIndex((pass) => (pass.data?.main?.[DONE]?.length ?? 0) === rows);
		// The quick task's rows leave in an earlier pass than the slow one's, each paired to its own task item.
		expect(doneIn(quick.length)).toBeGreaterThanOrEqual(0);
		expect(doneIn(slow.length)).toBeGreaterThan(doneIn(quick.length));
		const rows = run.value.outputOfAllRuns('Wait', DONE);
		expect(rows.map((row) => row.json)).toEqual([
			...expectedRows(sandbox, 'telegram', quick),
			...expectedRows(sandbox, 'facebook', slow),
		]);
		// While the slow task ran on, its item looped with its wait state; the finished one no longer did.
		const lastLoop = passes[doneIn(slow.length) - 1].data?.main?.[CHECK_AGAIN] ?? [];
		expect(lastLoop.map((item) => item.json.task_id)).toEqual([slowTask[0].json.task_id]);
		expect(lastLoop[0].json.ekycpro_wait).toMatchObject({ polls: expect.any(Number), samples: expect.any(Array) });
		expect(run.value.outputOfAllRuns('Wait', NOT_FINISHED)).toEqual([]);
	});

	test('no usable number at all: the contacts leave on Done in the first pass, found false with why; nothing parks', async () => {
		const sandbox = await openSandbox();
		const unusable = [
			{ name: 'Ann', phone: 'n/a' },
			{ name: 'Bob', phone: '+41 79 123 45' },
		];
		const run = await runParked(sandbox, parkedWorkflow('whatsappAvatar', 'inputItems', { mode: 'enrich' }), unusable);
		const result = run.value;
		expect(result.error).toBeUndefined();
		expect(result.parks).toEqual([]);
		expect(sandbox.requests).toEqual([]);
		expect(result.output('Wait', CHECK_AGAIN)).toEqual([]);
		expect(result.output('Wait', NOT_FINISHED)).toEqual([]);
		const done = result.output('Wait', DONE);
		expect(done.map((item) => item.json.name)).toEqual(['Ann', 'Bob']);
		for (const item of done) {
			expect(item.json.ekycpro).toMatchObject({
				task_id: null,
				found: false,
				reason: expect.stringMatching(/not sent/),
			});
		}
	});

	test('Check Again not wired back: a clear error before any status call, with the task id', async () => {
		const numbers = swissNumbers(20, 4);
		const sandbox = await openSandbox();
		const run = await runParked(
			sandbox,
			parkedWorkflow('telegram', 'task', { mode: 'rows' }, false),
			contactsFor(numbers),
		);
		const task = sandbox.tasks()[0];
		expect(run.value.error?.message).toBe('The "Check Again" output is not connected back to this node');
		expect(run.value.error?.description).toContain(`Drag a connection from "Check Again" to the input of "Wait"`);
		expect(run.value.error?.description).toContain(`Task ${task.id} goes on at eKYCPro`);
		expect(statusRequests(sandbox)).toHaveLength(0);
		expect(run.value.parks).toHaveLength(0);
	});

	test('an unsaved workflow: a clear message instead of a park that could never resume', async () => {
		const sandbox = await openSandbox();
		const run = await runParked(
			sandbox,
			parkedWorkflow('telegram', 'task', { mode: 'rows' }),
			contactsFor(swissNumbers(20, 6)),
			{
				workflowId: '',
			},
		);
		expect(run.value.error?.message).toBe('Save the workflow first: only a saved workflow can be parked and resumed');
		expect(statusRequests(sandbox)).toHaveLength(0);
	});

	test('Max Wait is a hard deadline and every status request counts, in both modes (all answered 429, Retry-After 10 s)', async () => {
		for (const betweenChecks of ['keepRunning', 'park']) {
			const sandbox = await openSandbox();
			clock = SimulatedClock.install();
			const [task] = await created(sandbox, 'telegram', swissNumbers(20, 7));
			sandbox.fault({ on: 'status', kind: '429', retryAfter: 10, times: 1000 });
			const loop: IConnections =
				betweenChecks === 'park' ? { Wait: { main: [[{ node: 'Wait', type: 'main', index: 0 }], [], []] } } : {};
			const run = await clock.run(
				async () =>
					await runWorkflow(
						{
							nodes: [
								packageNode('Wait', 'eKycProWait', { betweenChecks, mode: 'rows', polling: { maxWaitMinutes: 0.1 } }),
							],
							connections: loop,
						},
						{
							credentials: credentials(sandbox),
							startNode: 'Wait',
							input: [task],
							onPark: async (until) => await sleep(Math.max(0, until.getTime() - Date.now())),
						},
					),
				{ maxRealMs: 60_000 },
			);
			clock.uninstall();
			clock = undefined;
			expect(run.value.error).toBeUndefined();
			expect(statusRequests(sandbox).length).toBeGreaterThanOrEqual(2);
			const notFinished = run.value.outputOfAllRuns('Wait', betweenChecks === 'park' ? NOT_FINISHED : 1);
			expect(notFinished).toHaveLength(1);
			// Six seconds of Max Wait: done by the deadline plus one refused request, not after minutes of retries.
			expect(run.simulatedMs).toBeLessThanOrEqual(7_000);
			expect(notFinished[0].json.polls).toBe(statusRequests(sandbox).length);
			expect(notFinished[0].json).toMatchObject({ task_id: task.json.task_id, status: 'unknown' });
		}
	});
});

/** Create Task alone (Task output), on the installed clock: the task item a Wait node is fed with. */
async function created(sandbox: Sandbox, check: CheckId, numbers: string[]) {
	const run = await (clock as SimulatedClock).run(
		async () =>
			await runWorkflow(
				{ nodes: [createNode(check, 'task')], connections: {} },
				{ credentials: credentials(sandbox), input: contactsFor(numbers) },
			),
	);
	expect(run.value.error).toBeUndefined();
	return run.value.output('Create Task').map((item) => ({ json: item.json }));
}
