/**
 * eKYCPro Wait in workflows: Create Task -> Wait executed by n8n-core's WorkflowExecute against the local sandbox on a
 * simulated clock (see clock.ts), so tasks that take minutes finish in a fraction of a second of real time.
 * Expected results come from the sandbox's deterministic rows (`expectedRow`) and from numbers this file writes out
 * in the formats a CRM hands over, never from the node's own output.
 */
import type { IBinaryData, IDataObject, INode, INodeExecutionData } from 'n8n-workflow';

import { startSandbox } from '../sandbox';
import type { ResultFormat, Sandbox, SandboxOptions } from '../sandbox';
import { csvRows, unzip } from '../sandbox/readers';
import { SimulatedClock } from './clock';
import type { SimulatedRun, SimulatedRunOptions } from './clock';
import { chain, cleanupHarness, loadPackage, packageNode, runWorkflow } from './harness';
import type { WorkflowRunResult } from './harness';
import {
	contactsFor,
	credentials,
	expectedRows,
	onlyTask,
	simplified,
	statusRequests,
	swissNumbers,
	createNode,
} from './waitFixtures';
import type { CheckId } from './waitFixtures';

// ---------------------------------------------------------------------------------------------------------------
// Fixtures

const sandboxes: Sandbox[] = [];
let clock: SimulatedClock | undefined;

async function openSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
	// The sandbox's default clock is Date.now(): the simulated one once the clock is installed.
	const sandbox = await startSandbox(options);
	sandboxes.push(sandbox);
	return sandbox;
}

function installClock(): SimulatedClock {
	clock = SimulatedClock.install();
	return clock;
}

beforeAll(async () => {
	// n8n-core's services start a real interval on first use: load before any fake timer exists.
	await loadPackage();
});
afterEach(async () => {
	clock?.uninstall();
	clock = undefined;
	await Promise.all(sandboxes.splice(0).map(async (sandbox) => await sandbox.close()));
});
afterAll(() => cleanupHarness());

function waitNode(parameters: INode['parameters']): INode {
	return packageNode('Wait', 'eKycProWait', parameters);
}

/** Create Task -> Wait, fed with `input`, on the simulated clock. */
async function createAndWait(
	sandbox: Sandbox,
	check: CheckId,
	createOutput: 'task' | 'inputItems',
	waitParameters: INode['parameters'],
	input: IDataObject[],
	options: SimulatedRunOptions & { onStart?: (cancel: () => void) => void } = {},
): Promise<SimulatedRun<WorkflowRunResult>> {
	const simulated = clock ?? installClock();
	return await simulated.run(
		async () =>
			await runWorkflow(
				{
					nodes: [createNode(check, createOutput), waitNode(waitParameters)],
					connections: chain('Create Task', 'Wait'),
				},
				{ credentials: credentials(sandbox), input, onStart: options.onStart },
			),
		options,
	);
}

// ---------------------------------------------------------------------------------------------------------------
// 1. A thousand contacts enriched

interface Contact {
	json: IDataObject;
	/** E.164 numbers the contact's phone field holds; empty when it holds none that can be used. */
	expected: string[];
}

/**
 * 1,000 contacts as a CRM gives them: Swiss numbers written nationally (Default Country CH), with 0041 or +41,
 * German and North American numbers, spaces, dashes, dots and brackets; every tenth repeats an earlier contact's
 * number in another format; every fiftieth has two numbers; 80 have no usable number (letters, empty, missing, too
 * short, an extension).
 */
function thousandContacts(): Contact[] {
	const contacts: Contact[] = [];
	for (let index = 0; index < 1000; index++) {
		const swiss = String(2_000_000 + index * 37); // seven digits: +41 79 abc de fg
		const [a, b, c] = [swiss.slice(0, 3), swiss.slice(3, 5), swiss.slice(5)];
		const german = String(30_000_000 + index * 53); // eight digits after +49 151
		const american = String(2_000_000 + index * 61); // exchange and line after +1 646
		const name = `Contact ${index}`;
		let phone: unknown;
		let expected: string[];
		if (index % 50 === 49) {
			phone = [`+41 79 ${a} ${b} ${c}`, `+1 646-${american.slice(0, 3)}-${american.slice(3)}`];
			expected = [`+4179${swiss}`, `+1646${american}`];
		} else {
			switch (index % 10) {
				case 0:
					phone = `079 ${a} ${b} ${c}`;
					expected = [`+4179${swiss}`];
					break;
				case 1:
					phone = `+41 79 ${a} ${b} ${c}`;
					expected = [`+4179${swiss}`];
					break;
				case 2:
					phone = `0041 79-${a}-${b}-${c}`;
					expected = [`+4179${swiss}`];
					break;
				case 3:
					phone = `+49 151 ${german.slice(0, 4)} ${german.slice(4)}`;
					expected = [`+49151${german}`];
					break;
				case 4:
					phone = `0049-151-${german}`;
					expected = [`+49151${german}`];
					break;
				case 5:
					phone = `+1 (646) ${american.slice(0, 3)}-${american.slice(3)}`;
					expected = [`+1646${american}`];
					break;
				case 6:
					phone = `+4179${swiss}`;
					expected = [`+4179${swiss}`];
					break;
				case 7: {
					// The number of contact index - 4 (a German one, index % 10 === 3), written without spaces.
					const earlier = contacts[index - 4];
					phone = earlier.expected[0];
					expected = [earlier.expected[0]];
					break;
				}
				case 8:
					phone = `(079) ${a}.${b}.${c}`;
					expected = [`+4179${swiss}`];
					break;
				default: {
					const unusable = ['call me', '', undefined, '12345', '+41 79 123 45', `079 ${a} ${b} ${c} ext 12`, 'n/a'];
					phone = unusable[Math.floor(index / 10) % unusable.length];
					expected = [];
				}
			}
		}
		const json: IDataObject = { name, crmId: `crm-${index}` };
		if (phone !== undefined) json.phone = phone as IDataObject['phone'];
		contacts.push({ json, expected });
	}
	return contacts;
}

describe('Create Task (Input Items With Their Numbers) -> Wait (Input Items With Their Results)', () => {
	test('1,000 contacts: one charged task, 1,000 items out, each paired to its contact with its own result', async () => {
		const sandbox = await openSandbox();
		const contacts = thousandContacts();
		const run = await createAndWait(
			sandbox,
			'whatsappAvatar',
			'inputItems',
			{ mode: 'enrich' },
			contacts.map((c) => c.json),
		);
		const result = run.value;

		expect(result.error).toBeUndefined();
		expect(sandbox.charges).toBe(1);
		// Exactly the distinct usable numbers were uploaded, each once, in first-seen order.
		const distinct = [...new Set(contacts.flatMap((contact) => contact.expected))];
		const task = onlyTask(sandbox);
		expect([...task.numbers]).toEqual(distinct);

		const done = result.output('Wait', 0);
		expect(result.output('Wait', 1)).toEqual([]);
		expect(done).toHaveLength(1000);
		done.forEach((item, index) => {
			const contact = contacts[index];
			expect(item.pairedItem).toEqual({ item: index });
			// The contact's own fields are untouched.
			expect(item.json).toMatchObject(contact.json);
			const ekycpro = item.json.ekycpro as IDataObject;
			expect(ekycpro.task_id).toBe(task.id);
			expect(ekycpro.check).toBe('whatsappAvatar');
			if (contact.expected.length === 0) {
				expect(ekycpro.found).toBe(false);
				expect(ekycpro.reason).toEqual(expect.stringMatching(/\S/));
				expect(ekycpro.result).toBeUndefined();
			} else if (contact.expected.length === 1) {
				expect(ekycpro.number).toBe(contact.expected[0]);
				// A number the vendor counted under `failure` is still a row of the file (flag and cells empty):
				// found, with a null flag, as README describes (found: false is for numbers missing from the file).
				expect(ekycpro.found).toBe(true);
				expect(ekycpro.result).toEqual(simplified(sandbox.expectedRow('whatsappAvatar', contact.expected[0])));
			} else {
				expect(ekycpro.numbers).toEqual(contact.expected);
				expect(ekycpro.found).toBe(true);
				expect(ekycpro.results).toEqual(
					contact.expected.map((number) => ({
						number,
						result: simplified(sandbox.expectedRow('whatsappAvatar', number)),
					})),
				);
			}
		});
		// The fixture holds numbers the vendor counted under `failure`, so the branch above was exercised.
		const vendorFailures = distinct.filter((number) => sandbox.expectedRow('whatsappAvatar', number).whatsapp === '');
		expect(vendorFailures.length).toBeGreaterThan(0);
		// The reasons a user can act on, for the unusable ones.
		const unusable = contacts.filter((contact) => contact.expected.length === 0).length;
		const reasons = done
			.filter((_, index) => contacts[index].expected.length === 0)
			.map((item) => (item.json.ekycpro as IDataObject).reason);
		expect(unusable).toBe(80);
		expect(reasons).toHaveLength(unusable);
		expect(reasons).toContain('The number was not sent: The item has no field "phone"');
		expect(reasons).toContain('The number was not sent: The field "phone" is empty');

		const statusCalls = statusRequests(sandbox).length;
		console.log(
			`1,000 contacts (${distinct.length} distinct numbers): ${statusCalls} status calls for 1 task, ` +
				`${(run.simulatedMs / 1000).toFixed(1)} s simulated, ${run.advances} clock steps, ${run.realMs} ms real`,
		);
		expect(sandbox.statusCalls).toBe(statusCalls);
		// A task of about two minutes on the sandbox's default timing is followed with a handful of calls.
		expect(statusCalls).toBeLessThanOrEqual(10);
		expect(task.status).toBe('exported');
	});
});

describe('Create Task (Input Items With Their Numbers) with no usable number at all', () => {
	const UNUSABLE: IDataObject[] = [{ name: 'Ann', phone: 'call me' }, { name: 'Bob', phone: '' }, { name: 'Cy' }];

	test('enrich: every contact goes on, found false with why; no request, no charge', async () => {
		const sandbox = await openSandbox();
		const run = await createAndWait(sandbox, 'whatsappAvatar', 'inputItems', { mode: 'enrich' }, UNUSABLE);
		const result = run.value;
		expect(result.error).toBeUndefined();
		expect(sandbox.requests).toEqual([]);
		expect(sandbox.charges).toBe(0);

		const created = result.output('Create Task');
		expect(created.map((item) => (item.json.ekycpro as IDataObject).task_id)).toEqual([null, null, null]);
		const done = result.output('Wait', 0);
		expect(result.output('Wait', 1)).toEqual([]);
		expect(done.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(done.map((item) => item.json.name)).toEqual(['Ann', 'Bob', 'Cy']);
		expect(done.map((item) => item.json.ekycpro)).toEqual([
			expect.objectContaining({ found: false, reason: expect.stringMatching(/^The number was not sent: .*letters/) }),
			{
				task_id: null,
				check: 'whatsappAvatar',
				rejected: [{ value: '', reason: 'The field "phone" is empty' }],
				found: false,
				reason: 'The number was not sent: The field "phone" is empty',
			},
			expect.objectContaining({ found: false, reason: 'The number was not sent: The item has no field "phone"' }),
		]);
	});

	test('Result Rows: no rows and no request (Create Task listed the rejected values)', async () => {
		const sandbox = await openSandbox();
		const run = await createAndWait(sandbox, 'telegram', 'inputItems', { mode: 'rows' }, UNUSABLE);
		expect(run.value.error).toBeUndefined();
		expect(sandbox.requests).toEqual([]);
		expect(run.value.output('Wait', 0)).toEqual([]);
		expect(run.value.output('Wait', 1)).toEqual([]);
	});

	test('Output Task: still stops before any request, with every rejected value and why', async () => {
		const sandbox = await openSandbox();
		const run = await createAndWait(sandbox, 'telegram', 'task', { mode: 'rows' }, UNUSABLE);
		expect(run.value.error?.message).toBe('No usable phone number: nothing was sent and nothing was charged');
		expect(run.value.error?.description).toContain('All 3 values were rejected');
		expect(sandbox.requests).toEqual([]);
	});
});

// ---------------------------------------------------------------------------------------------------------------
// 2. Result rows

describe('Create Task -> Wait (Result Rows)', () => {
	/** `format`: set on the sandbox (none: its default for the check); `served`: the format the task must get. */
	const CASES: Array<{ check: CheckId; format?: ResultFormat; served: ResultFormat; label: string }> = [
		// The sandbox's defaults: XLSX for the legacy checks, a ZIP holding an XLSX for the v1 checks.
		{ check: 'whatsappAvatar', served: 'xlsx-shared', label: 'default format (xlsx)' },
		{ check: 'telegramAvatar', served: 'zip-xlsx', label: 'default format (zip of xlsx)' },
		{ check: 'telegram', served: 'zip-xlsx', label: 'default format (zip of xlsx)' },
		{ check: 'facebook', served: 'xlsx-shared', label: 'default format (xlsx)' },
		{ check: 'instagram', served: 'xlsx-shared', label: 'default format (xlsx)' },
		{ check: 'facebook', format: 'zip-lists', served: 'zip-lists', label: 'zip of a csv and yes/no/ban lists' },
		{ check: 'telegram', format: 'zip-multipart', served: 'zip-multipart', label: 'zip of two csv parts' },
		{ check: 'instagram', format: 'zip-csv', served: 'zip-csv', label: 'zip of a csv' },
		{ check: 'telegramAvatar', format: 'csv', served: 'csv', label: 'csv' },
		{ check: 'whatsappAvatar', format: 'xlsx-inline', served: 'xlsx-inline', label: 'xlsx with inline strings' },
	];

	test.each(CASES)('$check, $label: one item per row, as the vendor wrote it', async ({ check, format, served }) => {
		const sandbox = await openSandbox(format === undefined ? {} : { resultFormat: format });
		const numbers = swissNumbers(60);
		const run = await createAndWait(sandbox, check, 'task', { mode: 'rows' }, contactsFor(numbers));
		const result = run.value;

		expect(result.error).toBeUndefined();
		const task = onlyTask(sandbox);
		expect(task.resultFormat).toBe(served);
		const rows = result.output('Wait', 0);
		expect(rows.map((item) => item.json)).toEqual(expectedRows(sandbox, check, numbers));
		// Every row comes from the one task item Create Task made.
		expect(rows.every((item) => JSON.stringify(item.pairedItem) === JSON.stringify([{ item: 0 }]))).toBe(true);
		expect(rows.every((item) => item.binary === undefined)).toBe(true);
		expect(result.output('Wait', 1)).toEqual([]);
		expect(sandbox.charges).toBe(1);
	});

	test('Output "Rows and File": the file item with the result file as binary, then the rows', async () => {
		const sandbox = await openSandbox({ resultFormat: 'zip-csv' });
		const numbers = swissNumbers(40, 1);
		const run = await createAndWait(
			sandbox,
			'facebook',
			'task',
			{ mode: 'rows', resultOutput: 'both', binaryPropertyName: 'resultFile' },
			contactsFor(numbers),
		);
		const result = run.value;
		expect(result.error).toBeUndefined();
		const task = onlyTask(sandbox);
		const [fileItem, ...rows] = result.output('Wait', 0);

		expect(fileItem.json).toMatchObject({
			task_id: task.id,
			check: 'facebook',
			status: 'exported',
			rows: numbers.length,
		});
		const binary = fileItem.binary?.resultFile as IBinaryData;
		expect(binary).toBeDefined();
		expect(binary.mimeType).toBe('application/zip');
		expect(binary.fileName).toBe(fileItem.json.fileName);
		const bytes = Buffer.from(binary.data, 'base64');
		expect(bytes.length).toBe(fileItem.json.fileSize);
		// The binary is the vendor's file itself: read with the sandbox's own ZIP and CSV readers, it holds every row.
		const entries = [...unzip(bytes).values()];
		expect(entries).toHaveLength(1);
		const fileRows = csvRows(entries[0].toString('utf8').replace(/^\uFEFF/, ''));
		expect(fileRows).toEqual(numbers.map((number) => sandbox.expectedRow('facebook', number)));

		expect(rows.map((item) => item.json)).toEqual(expectedRows(sandbox, 'facebook', numbers));
		expect(rows.every((item) => item.binary === undefined)).toBe(true);
	});

	test('Output "File": only the file item, no rows', async () => {
		const sandbox = await openSandbox();
		const run = await createAndWait(
			sandbox,
			'instagram',
			'task',
			{ mode: 'rows', resultOutput: 'file' },
			contactsFor(swissNumbers(30, 2)),
		);
		const done = run.value.output('Wait', 0);
		expect(run.value.error).toBeUndefined();
		expect(done).toHaveLength(1);
		const binary = done[0].binary?.data as IBinaryData;
		// The sandbox's default for a legacy check is XLSX: a ZIP container.
		expect(Buffer.from(binary.data, 'base64').subarray(0, 4)).toEqual(Buffer.from('PK\x03\x04', 'latin1'));
		expect(binary.mimeType).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
	});

	test('Limit: only the first rows come out', async () => {
		const sandbox = await openSandbox();
		const numbers = swissNumbers(50, 3);
		const run = await createAndWait(
			sandbox,
			'telegram',
			'task',
			{ mode: 'rows', returnAll: false, limit: 7 },
			contactsFor(numbers),
		);
		expect(run.value.error).toBeUndefined();
		expect(run.value.output('Wait', 0).map((item) => item.json)).toEqual(
			expectedRows(sandbox, 'telegram', numbers.slice(0, 7)),
		);
	});
});

// ---------------------------------------------------------------------------------------------------------------
// 3. Several tasks in one input

describe('several tasks in one input', () => {
	/** Runs Create Task alone (as "fire now" would) and returns its items without their pairing to this run. */
	async function created(sandbox: Sandbox, check: CheckId, output: 'task' | 'inputItems', input: IDataObject[]) {
		const simulated = clock ?? installClock();
		const run = await simulated.run(
			async () =>
				await runWorkflow(
					{ nodes: [createNode(check, output)], connections: {} },
					{ credentials: credentials(sandbox), input },
				),
		);
		expect(run.value.error).toBeUndefined();
		return run.value.output('Create Task').map((item): INodeExecutionData => ({ json: item.json }));
	}

	async function waitFor(sandbox: Sandbox, parameters: INode['parameters'], input: INodeExecutionData[]) {
		return await (clock as SimulatedClock).run(
			async () =>
				await runWorkflow(
					{ nodes: [waitNode(parameters)], connections: {} },
					{ credentials: credentials(sandbox), input },
				),
		);
	}

	/** Status calls per task: legacy by path, v1 by endpoint (the test has one v1 task at most). */
	function statusCallsOf(sandbox: Sandbox, path: string) {
		return statusRequests(sandbox).filter((request) => request.path === path);
	}

	test('two task items of different checks: all rows come out, each paired to its own task item', async () => {
		const sandbox = await openSandbox({ timing: { numbersPerSecond: 2 } });
		const facebookNumbers = swissNumbers(40, 4);
		const telegramNumbers = swissNumbers(25, 5);
		const facebookTask = await created(sandbox, 'facebook', 'task', contactsFor(facebookNumbers));
		const telegramTask = await created(sandbox, 'telegram', 'task', contactsFor(telegramNumbers));
		const run = await waitFor(sandbox, { mode: 'rows' }, [...facebookTask, ...telegramTask]);

		expect(run.value.error).toBeUndefined();
		const rows = run.value.output('Wait', 0);
		expect(rows).toHaveLength(facebookNumbers.length + telegramNumbers.length);
		const pairedTo = (index: number) =>
			rows.filter((item) => JSON.stringify(item.pairedItem) === JSON.stringify([{ item: index }]));
		expect(pairedTo(0).map((item) => item.json)).toEqual(expectedRows(sandbox, 'facebook', facebookNumbers));
		expect(pairedTo(1).map((item) => item.json)).toEqual(expectedRows(sandbox, 'telegram', telegramNumbers));

		// One wait per task, each at its own pace: never two calls for the same task at the same moment.
		const facebookId = facebookTask[0].json.task_id as string;
		for (const calls of [
			statusCallsOf(sandbox, `/fb/api/simple/tasks/${facebookId}`),
			statusCallsOf(sandbox, '/v1/gettasks'),
		]) {
			expect(calls.length).toBeGreaterThanOrEqual(2);
			const instants = calls.map((request) => request.at);
			expect(new Set(instants).size).toBe(instants.length);
		}
		expect(sandbox.charges).toBe(2);
	});

	/** Contacts of an Instagram task and of a Telegram Avatar task, interleaved so that pairing by position would show. */
	async function contactsOfTwoTasks(sandbox: Sandbox) {
		const instagramItems = await created(sandbox, 'instagram', 'inputItems', contactsFor(swissNumbers(12, 6)));
		const telegramItems = await created(sandbox, 'telegramAvatar', 'inputItems', contactsFor(swissNumbers(9, 7)));
		const input: INodeExecutionData[] = [];
		for (let index = 0; index < Math.max(instagramItems.length, telegramItems.length); index++) {
			if (index < instagramItems.length) input.push(instagramItems[index]);
			if (index < telegramItems.length) input.push(telegramItems[index]);
		}
		const instagramId = (instagramItems[0].json.ekycpro as IDataObject).task_id as string;
		return { input, instagramId };
	}

	test('contacts of two tasks (enrich): each item gets the result of its own check, paired to itself', async () => {
		const sandbox = await openSandbox();
		const { input, instagramId } = await contactsOfTwoTasks(sandbox);
		const run = await waitFor(sandbox, { mode: 'enrich' }, input);

		expect(run.value.error).toBeUndefined();
		const done = run.value.output('Wait', 0);
		expect(done).toHaveLength(input.length);
		const pairedIndexes = done.map((item) => (item.pairedItem as { item: number }).item);
		expect([...pairedIndexes].sort((a, b) => a - b)).toEqual(input.map((_, index) => index));
		for (const item of done) {
			const own = input[(item.pairedItem as { item: number }).item].json;
			const ekycpro = item.json.ekycpro as IDataObject;
			expect(item.json.name).toBe(own.name);
			expect(ekycpro.task_id).toBe((own.ekycpro as IDataObject).task_id);
			const check = ekycpro.task_id === instagramId ? 'instagram' : 'telegramAvatar';
			expect(ekycpro.check).toBe(check);
			expect(ekycpro.found).toBe(true);
			expect(ekycpro.result).toEqual(simplified(sandbox.expectedRow(check, own.phone as string)));
		}
		// Twelve and nine items, two tasks: two waits, not twenty-one (which would ask many times at each moment).
		for (const calls of [
			statusCallsOf(sandbox, `/ins/api/simple/tasks/${instagramId}`),
			statusCallsOf(sandbox, '/v1/gettasks'),
		]) {
			expect(calls.length).toBeGreaterThanOrEqual(2);
			const instants = calls.map((request) => request.at);
			expect(new Set(instants).size).toBe(instants.length);
		}
	});

	test('many items carrying one task (Result Rows): the rows come out once, each paired to every item', async () => {
		const sandbox = await openSandbox();
		const numbers = swissNumbers(15, 19);
		const contacts = contactsFor(numbers);
		const run = await createAndWait(sandbox, 'facebook', 'inputItems', { mode: 'rows' }, contacts);
		expect(run.value.error).toBeUndefined();
		const rows = run.value.output('Wait', 0);
		expect(rows.map((item) => item.json)).toEqual(expectedRows(sandbox, 'facebook', numbers));
		const everyItem = contacts.map((_, index) => ({ item: index }));
		for (const row of rows) expect(row.pairedItem).toEqual(everyItem);
	});

	test('one task done, the other out of time: rows on Done, the other task on Not Finished', async () => {
		// Two numbers a second: 10 numbers take 40 s in all, 600 numbers about 5.5 minutes; Max Wait is 2 minutes.
		const sandbox = await openSandbox({ timing: { numbersPerSecond: 2 } });
		const quickNumbers = swissNumbers(10, 20);
		const quick = await created(sandbox, 'instagram', 'task', contactsFor(quickNumbers));
		const slow = await created(sandbox, 'telegram', 'task', contactsFor(swissNumbers(600, 21)));
		const run = await waitFor(sandbox, { mode: 'rows', polling: { maxWaitMinutes: 2 } }, [slow[0], quick[0]]);

		expect(run.value.error).toBeUndefined();
		const rows = run.value.output('Wait', 0);
		expect(rows.map((item) => item.json)).toEqual(expectedRows(sandbox, 'instagram', quickNumbers));
		for (const row of rows) expect(row.pairedItem).toEqual([{ item: 1 }]);
		const notFinished = run.value.output('Wait', 1);
		expect(notFinished).toHaveLength(1);
		expect(notFinished[0].json).toMatchObject({
			task_id: slow[0].json.task_id,
			check: 'telegram',
			status: 'processing',
			failed: false,
		});
		expect(notFinished[0].pairedItem).toEqual([{ item: 0 }]);
		// The quick task's wait ended when it was exported, not at Max Wait: its status calls stop early.
		const quickCalls = statusCallsOf(sandbox, `/ins/api/simple/tasks/${quick[0].json.task_id as string}`);
		expect(Math.max(...quickCalls.map((request) => request.at)) - (clock as SimulatedClock).startedAt).toBeLessThan(
			90_000,
		);
	});

	// Items of several tasks come out in input order, so a Merge by position still lines them up.
	test('contacts of two tasks (enrich): the items come out in input order', async () => {
		const sandbox = await openSandbox();
		const { input } = await contactsOfTwoTasks(sandbox);
		const run = await waitFor(sandbox, { mode: 'enrich' }, input);
		expect(run.value.error).toBeUndefined();
		const done = run.value.output('Wait', 0);
		expect(done.map((item) => item.pairedItem)).toEqual(input.map((_, index) => ({ item: index })));
		expect(done.map((item) => item.json.name)).toEqual(input.map((item) => item.json.name));
	});
});

// ---------------------------------------------------------------------------------------------------------------
// 4. and 5. Not finished: out of time, failed

describe('tasks that do not finish', () => {
	/** 100 numbers at 0.5 a second: processing takes 200 s, far beyond a one-minute Max Wait. */
	const SLOW = { timing: { numbersPerSecond: 0.5 } };

	test('Max Wait reached: the task comes out on "Not Finished" with its id, check, status, progress and polls', async () => {
		const sandbox = await openSandbox(SLOW);
		const run = await createAndWait(
			sandbox,
			'telegram',
			'task',
			{ mode: 'rows', polling: { maxWaitMinutes: 1 } },
			contactsFor(swissNumbers(100, 8)),
		);
		const result = run.value;
		expect(result.error).toBeUndefined();
		expect(result.output('Wait', 0)).toEqual([]);
		const notFinished = result.output('Wait', 1);
		expect(notFinished).toHaveLength(1);
		const task = onlyTask(sandbox);
		// The last status call was made at the deadline: what the sandbox says now is what the node saw last.
		expect(notFinished[0].json).toMatchObject({
			task_id: task.id,
			check: 'telegram',
			status: 'processing',
			total: 100,
			success: task.success,
			failure: task.failure,
			progress: (task.success + task.failure) / 100,
			polls: sandbox.statusCalls,
			waited_seconds: 60,
			failed: false,
			reason: `Task ${task.id} was not exported within 1 minute`,
		});
		expect(task.success + task.failure).toBeGreaterThan(0);
		expect(notFinished[0].pairedItem).toEqual([{ item: 0 }]);
		// Nothing lost: the task is still running at eKYCPro.
		expect(task.status).toBe('processing');
	});

	test('Max Wait reached in enrich mode: every contact comes out on "Not Finished" with the task id', async () => {
		const sandbox = await openSandbox(SLOW);
		const contacts = contactsFor(swissNumbers(100, 9));
		const run = await createAndWait(
			sandbox,
			'instagram',
			'inputItems',
			{ mode: 'enrich', polling: { maxWaitMinutes: 1 } },
			contacts,
		);
		expect(run.value.error).toBeUndefined();
		const task = onlyTask(sandbox);
		const notFinished = run.value.output('Wait', 1);
		expect(notFinished).toHaveLength(100);
		notFinished.forEach((item, index) => {
			expect(item.pairedItem).toEqual({ item: index });
			expect(item.json.name).toBe(contacts[index].name);
			expect(item.json.ekycpro).toMatchObject({
				task_id: task.id,
				check: 'instagram',
				number: contacts[index].phone,
				status: 'processing',
				polls: sandbox.statusCalls,
				failed: false,
			});
		});
	});

	test('Max Wait reached with "Stop With an Error": the error carries the task id and its progress', async () => {
		const sandbox = await openSandbox(SLOW);
		const run = await createAndWait(
			sandbox,
			'facebook',
			'task',
			{ mode: 'rows', polling: { maxWaitMinutes: 1, onTimeout: 'error' } },
			contactsFor(swissNumbers(100, 10)),
		);
		const task = onlyTask(sandbox);
		expect(run.value.error?.message).toBe(`Task ${task.id} was not exported within 1 minute`);
		expect(run.value.error?.description).toContain(`"task_id":"${task.id}"`);
		expect(run.value.error?.description).toContain('"status":"processing"');
		expect(run.value.error?.description).toContain(`"polls":${sandbox.statusCalls}`);
		expect(run.value.lastNodeExecuted).toBe('Wait');
		expect(sandbox.charges).toBe(1);
	});

	test('a failed task comes out on "Not Finished" with failed: true', async () => {
		const sandbox = await openSandbox(SLOW);
		let failedAt: number | undefined;
		const run = await createAndWait(
			sandbox,
			'whatsappAvatar',
			'task',
			{ mode: 'rows' },
			contactsFor(swissNumbers(100, 11)),
			{
				// Thirty simulated seconds into the wait, eKYCPro gives up on the task.
				onAdvance: (elapsed) => {
					if (failedAt === undefined && elapsed >= 30_000) {
						sandbox.failTask(onlyTask(sandbox).id);
						failedAt = elapsed;
					}
				},
			},
		);
		expect(failedAt).toBeDefined();
		const task = onlyTask(sandbox);
		expect(run.value.output('Wait', 0)).toEqual([]);
		const [item] = run.value.output('Wait', 1);
		expect(item.json).toMatchObject({
			task_id: task.id,
			check: 'whatsappAvatar',
			status: 'failed',
			failed: true,
			reason: `Task ${task.id} failed on eKYCPro's side`,
			polls: sandbox.statusCalls,
		});
		// The wait ended at the first status call after the failure, not at Max Wait.
		const callsAfterFailure = statusRequests(sandbox).filter(
			(request) => request.at - (clock as SimulatedClock).startedAt >= (failedAt as number),
		);
		expect(callsAfterFailure).toHaveLength(1);
		expect(run.simulatedMs).toBeLessThan(5 * 60_000);
	});

	test('a failed task with "Stop With an Error": the error names the task', async () => {
		const sandbox = await openSandbox(SLOW);
		let failed = false;
		const run = await createAndWait(
			sandbox,
			'telegramAvatar',
			'task',
			{ mode: 'rows', polling: { onTimeout: 'error' } },
			contactsFor(swissNumbers(100, 12)),
			{
				onAdvance: () => {
					if (!failed && sandbox.statusCalls >= 2) {
						sandbox.failTask(onlyTask(sandbox).id);
						failed = true;
					}
				},
			},
		);
		const task = onlyTask(sandbox);
		expect(run.value.error?.message).toBe(`Task ${task.id} failed on eKYCPro's side`);
		expect(run.value.error?.description).toContain(`"task_id":"${task.id}"`);
		expect(run.value.error?.description).toContain('"status":"failed"');
	});
});

// ---------------------------------------------------------------------------------------------------------------
// 6. Cancellation

describe('cancellation', () => {
	test('cancelling while the node waits: it stops within a second of simulated time, with no further call', async () => {
		const sandbox = await openSandbox({ timing: { numbersPerSecond: 0.5 } });
		let cancel: (() => void) | undefined;
		let scheduled = false;
		let cancelledAt: number | undefined;
		let statusCallsAtCancel = 0;
		const run = await createAndWait(sandbox, 'facebook', 'task', { mode: 'rows' }, contactsFor(swissNumbers(100, 13)), {
			onStart: (cancelExecution) => (cancel = cancelExecution),
			onAdvance: () => {
				// The editor's Stop button, pressed between two status calls and between two of the loop's sleep slices
				// (a fake timer, so it fires at its simulated instant).
				if (!scheduled && sandbox.statusCalls >= 3 && onlyTask(sandbox).status === 'processing') {
					scheduled = true;
					setTimeout(() => {
						statusCallsAtCancel = sandbox.statusCalls;
						cancelledAt = Date.now();
						cancel?.();
					}, 300);
				}
			},
		});
		expect(cancelledAt).toBeDefined();
		const task = onlyTask(sandbox);
		expect(run.value.cancelled).toBe(true);
		expect(run.value.output('Wait', 0)).toEqual([]);

		// n8n may end the execution before the node returns; the node's own loop must stop too. Let time run on for
		// ten minutes: the loop's last timer has to be gone within a second of the cancel, and no call may follow.
		const after = await (clock as SimulatedClock).idle(10 * 60_000);
		expect(after.settled).toBe(true);
		const stoppedAfterMs = Date.now() - (cancelledAt as number);
		expect(stoppedAfterMs).toBeLessThanOrEqual(1_000);
		expect(run.value.error?.message).toBe(`Waiting for task ${task.id} was cancelled`);
		expect(after.requests).toBe(0);
		expect(sandbox.statusCalls).toBe(statusCallsAtCancel);
		expect(statusRequests(sandbox)).toHaveLength(statusCallsAtCancel);
		// The task itself goes on at eKYCPro.
		expect(task.status).toBe('processing');
		console.log(`cancel: the wait loop stopped ${stoppedAfterMs} ms (simulated) after the cancel`);
	});

	test('a wait that ended leaves no timer behind and makes no call afterwards', async () => {
		const sandbox = await openSandbox();
		const run = await createAndWait(sandbox, 'instagram', 'task', { mode: 'rows' }, contactsFor(swissNumbers(20, 17)));
		expect(run.value.error).toBeUndefined();
		const calls = sandbox.statusCalls;
		const after = await (clock as SimulatedClock).idle(10 * 60_000);
		expect(after.settled).toBe(true);
		expect(after.simulatedMs).toBe(0);
		expect(sandbox.statusCalls).toBe(calls);
	});
});

// ---------------------------------------------------------------------------------------------------------------
// 7. and 8. Status calls that fail for a while, an unknown status

describe('a bumpy wait', () => {
	/** Create Task -> Wait on Telegram; once the wait has seen the task, the given faults hit the next status calls. */
	async function waitThroughFaults(
		sandbox: Sandbox,
		numbers: string[],
		faults: Array<Parameters<Sandbox['fault']>[0]>,
	) {
		let queued = false;
		const run = await createAndWait(sandbox, 'telegram', 'task', { mode: 'rows' }, contactsFor(numbers), {
			onAdvance: () => {
				if (!queued && sandbox.statusCalls >= 1) {
					for (const fault of faults) sandbox.fault(fault);
					queued = true;
				}
			},
		});
		expect(queued).toBe(true);
		return run;
	}

	test('server errors and rate limits on status calls, several in a row: the wait goes on to the right rows', async () => {
		const sandbox = await openSandbox();
		const numbers = swissNumbers(80, 14);
		const run = await waitThroughFaults(sandbox, numbers, [
			{ on: 'status', kind: '502', times: 3 },
			{ on: 'status', kind: '429', times: 2 },
			{ on: 'status', kind: '500', times: 2 },
			{ on: 'status', kind: '502', times: 1 },
		]);
		expect(run.value.error).toBeUndefined();
		const faulted = statusRequests(sandbox).filter((request) => request.fault !== undefined);
		expect(faulted.map((request) => request.fault)).toEqual(['502', '502', '502', '429', '429', '500', '500', '502']);
		expect(run.value.output('Wait', 0).map((item) => item.json)).toEqual(expectedRows(sandbox, 'telegram', numbers));
		expect(run.value.output('Wait', 1)).toEqual([]);
		expect(sandbox.charges).toBe(1);
	});

	test('slow answers (real time) to status calls and the download: no request times out on the simulated clock', async () => {
		const sandbox = await openSandbox();
		const numbers = swissNumbers(40, 18);
		const run = await waitThroughFaults(sandbox, numbers, [
			{ on: 'status', kind: 'slow', delayMs: 150, times: 3 },
			{ on: 'download', kind: 'slow', delayMs: 150 },
		]);
		expect(run.value.error).toBeUndefined();
		const slow = sandbox.requests.filter((request) => request.fault === 'slow');
		expect(slow.map((request) => [request.server, request.status])).toEqual([
			['api', 200],
			['api', 200],
			['api', 200],
			['result', 200],
		]);
		expect(run.value.output('Wait', 0).map((item) => item.json)).toEqual(expectedRows(sandbox, 'telegram', numbers));
	});

	// n8n-core wraps the reset in a NodeApiError that keeps the code only as httpCode: it must still count as transient.
	test('connection resets on status calls: the wait goes on to the right rows', async () => {
		const sandbox = await openSandbox();
		const numbers = swissNumbers(80, 16);
		const run = await waitThroughFaults(sandbox, numbers, [
			{ on: 'status', kind: 'reset', times: 2 },
			{ on: 'status', kind: '502', times: 1 },
		]);
		expect(run.value.error).toBeUndefined();
		const faulted = statusRequests(sandbox).filter((request) => request.fault !== undefined);
		expect(faulted.map((request) => request.fault)).toEqual(['reset', 'reset', '502']);
		expect(run.value.output('Wait', 0).map((item) => item.json)).toEqual(expectedRows(sandbox, 'telegram', numbers));
	});

	test('an unknown status value: the node keeps asking, then takes the Not Finished path at Max Wait', async () => {
		const sandbox = await openSandbox();
		let overridden = false;
		const run = await createAndWait(
			sandbox,
			'instagram',
			'task',
			{ mode: 'rows', polling: { maxWaitMinutes: 5 } },
			contactsFor(swissNumbers(30, 15)),
			{
				onAdvance: () => {
					if (!overridden) {
						sandbox.setStatusOverride(onlyTask(sandbox).id, 'under_review');
						overridden = true;
					}
				},
			},
		);
		expect(run.value.error).toBeUndefined();
		const task = onlyTask(sandbox);
		const [item] = run.value.output('Wait', 1);
		expect(item.json).toMatchObject({
			task_id: task.id,
			status: 'under_review',
			failed: false,
			polls: sandbox.statusCalls,
			waited_seconds: 300,
		});
		// It kept asking through the five minutes, not once and then gave up.
		expect(sandbox.statusCalls).toBeGreaterThanOrEqual(4);
		expect(run.value.output('Wait', 0)).toEqual([]);
		// Without the override the task would long be exported: the node did not guess.
		sandbox.setStatusOverride(task.id, null);
		expect(onlyTask(sandbox).status).toBe('exported');
	});
});
