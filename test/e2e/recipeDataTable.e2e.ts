/**
 * The n8n Data Table recipe (examples/recipe-data-table.json) in real n8n 1.x and 2.x, against the sandbox: a table of
 * contacts created and seeded through n8n's REST API, the example imported with that table picked in its Data Table
 * nodes, run as a production execution of `n8n start`, and the table read back.
 *
 * `n8n execute` cannot run it: in n8n 1.123 the CLI run has no Data Table module ("Attempted to use Data table node but
 * the module is disabled"). So one `n8n start` per major serves every scenario; the example's nightly Schedule
 * Trigger is swapped for a Webhook of the same name, so the test starts the production run when it wants. Everything
 * after the trigger is the example as a user imports it. The sandbox's tasks take a few seconds, so the Wait node
 * (Between Checks: park) sleeps in-process between its checks.
 *
 *   npm run build && npx jest -c test/e2e/jest.config.js test/e2e/recipeDataTable.e2e.ts
 */
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';

import { normalisePhoneNumber } from '../../nodes/EKycPro/numbers';
import type { Sandbox } from '../sandbox';
import { expectedUserRow, newExamplesHome } from './examplesHome';
import {
	callWebhook,
	e2eMajors,
	importWorkflow,
	listExecutions,
	nodeOutputItems,
	readExample,
	startN8n,
	waitForExecution,
	type N8nHome,
	type N8nRun,
	type N8nStoredExecution,
	type PackageHome,
	type RunningN8n,
} from './n8n';
import { N8nRest } from './n8nRest';
import type { DataTableColumn, DataTableRow } from './n8nRest';

const repoRoot = path.resolve(__dirname, '..', '..');
const majors = e2eMajors();

const CHECK = 'whatsappAvatar';
const DEFAULT_COUNTRY = 'CH';
const RECHECK_AFTER_DAYS = 30;
const DAY_MS = 86_400_000;
const HOOK_PATH = 'ekycpro-recipe-data-table';

/** The columns the README documents for the recipe's table. */
const RECIPE_COLUMNS: DataTableColumn[] = [
	{ name: 'name', type: 'string' },
	{ name: 'phone', type: 'string' },
	{ name: 'whatsapp', type: 'boolean' },
	{ name: 'age', type: 'number' },
	{ name: 'gender', type: 'string' },
	{ name: 'checked_at', type: 'date' },
	{ name: 'check_note', type: 'string' },
];

type Contact = Record<string, unknown> & { name: string; phone: string };

const daysAgo = (days: number) => new Date(Date.now() - days * DAY_MS).toISOString();
/** A contact checked before: its old result and when. */
const checked = (days: number) => ({
	whatsapp: true,
	age: 99,
	gender: 'old result',
	checked_at: daysAgo(days),
	check_note: '',
});

/** The first night's table: never checked, checked long ago (due), checked recently (not due), unusable numbers. */
const FIRST_CONTACTS: Contact[] = [
	{ name: 'Anna Keller', phone: '079 828 46 51' },
	{ name: 'Jonas Weber', phone: '+49 151 1234 5678' },
	{ name: 'Maria Rossi', phone: '0041 79 555 12 34', ...checked(90) },
	{ name: 'Anna Keller (office)', phone: '+41798284651' },
	{ name: 'Liam Smith', phone: '+1 (415) 555-2671', ...checked(2) },
	{ name: 'Sara Yilmaz', phone: '+90 532 123 45 67', ...checked(RECHECK_AFTER_DAYS - 1) },
	{ name: 'Budi Santoso', phone: '+62 812-3456-7890', ...checked(RECHECK_AFTER_DAYS + 1) },
	{ name: 'No Phone Ltd', phone: '' },
	{ name: 'Typo Tom', phone: 'call me maybe' },
	{ name: 'Lea Meier', phone: '044 668 18 00' },
];

function e164Of(phone: string): string | undefined {
	const normalised = normalisePhoneNumber(phone, DEFAULT_COUNTRY);
	return normalised.ok ? normalised.e164 : undefined;
}

const isDue = (row: DataTableRow, at: number) =>
	row.checked_at === null || Date.parse(String(row.checked_at)) < at - RECHECK_AFTER_DAYS * DAY_MS;

/** The example with the user's table picked in every Data Table node, and a webhook where the schedule was. */
function recipeWorkflow(tableId: string): ReturnType<typeof readExample> {
	const workflow = readExample('recipe-data-table.json');
	const nodes = workflow.nodes as Array<
		Record<string, unknown> & { name: string; parameters: Record<string, unknown> }
	>;
	const dataTableNodes = nodes.filter((node) => node.type === 'n8n-nodes-base.dataTable');
	expect(dataTableNodes.map((node) => node.name)).toEqual(['Due contacts', 'Write back results']);
	for (const node of dataTableNodes) (node.parameters.dataTableId as { value: string }).value = tableId;
	const schedule = nodes.find((node) => node.name === 'Every night');
	expect(schedule?.type).toBe('n8n-nodes-base.scheduleTrigger');
	Object.assign(schedule as object, {
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2,
		webhookId: randomUUID(),
		parameters: { httpMethod: 'POST', path: HOOK_PATH, responseMode: 'onReceived', options: {} },
	});
	return workflow;
}

describe.each(majors)('the n8n Data Table recipe in real n8n %i.x', (major) => {
	let sandbox: Sandbox;
	let home: N8nHome;
	let packageHome: PackageHome | undefined;
	let n8n: RunningN8n | undefined;
	let rest: N8nRest;
	let projectId: string;
	let tableId: string;
	let workflowId: string;

	beforeAll(async () => {
		// Each task is exported within a few seconds: the Wait node sleeps in-process between its checks.
		({ sandbox, packageHome } = await newExamplesHome(repoRoot, major));
		home = packageHome.home;
		n8n = await startN8n(home);
		rest = N8nRest.forN8n(n8n);
		await rest.signIn();
		projectId = await rest.personalProjectId();
		// What the README tells a user to create: a table with the documented columns.
		tableId = (await rest.createDataTable(projectId, 'ekycpro_contacts', RECIPE_COLUMNS)).id;
		workflowId = await importWorkflow(home, recipeWorkflow(tableId));
		const { versionId } = await rest.call<{ versionId: string }>('GET', `/rest/workflows/${workflowId}`);
		await rest.call('POST', `/rest/workflows/${workflowId}/activate`, { versionId });
	}, 45 * 60_000);

	afterAll(async () => {
		await n8n?.stop();
		await sandbox?.close();
		packageHome?.remove();
	});

	/** One production run, as the nightly schedule starts it; resolves with the stored execution once it ended. */
	async function runNow(): Promise<N8nStoredExecution> {
		const before = await listExecutions(home, workflowId);
		const after = before.length > 0 ? before[before.length - 1].id : undefined;
		const answer = await callWebhook(n8n as RunningN8n, HOOK_PATH, {});
		expect(answer.status).toBe(200);
		return await waitForExecution(home, workflowId, { after, timeoutMs: 4 * 60_000 });
	}

	const rows = () => rest.rows(projectId, tableId);
	const byId = (list: DataTableRow[]) => new Map(list.map((row) => [row.id, row]));
	const asRun = (execution: N8nStoredExecution): N8nRun => ({ data: execution.data });

	test('every due contact gets its own result, not-due ones are not sent, unusable numbers are marked; one charge', async () => {
		const seeded = await rest.insertRows(projectId, tableId, FIRST_CONTACTS);
		const tasksBefore = sandbox.tasks().length;
		const charges = sandbox.charges;
		const startedAt = Date.now();

		const execution = await runNow();
		expect(execution.data.resultData.error).toBeUndefined();
		expect(execution.status).toBe('success');

		// One task, one charge, holding exactly the usable numbers of the due contacts (each once).
		expect(sandbox.charges - charges).toBe(1);
		const tasks = sandbox.tasks().slice(tasksBefore);
		expect(tasks).toHaveLength(1);
		expect(tasks[0].check).toBe(CHECK);
		const due = seeded.filter((row) => isDue(row, startedAt));
		const dueNumbers = [...new Set(due.map((row) => e164Of(String(row.phone))).filter((n) => n !== undefined))];
		expect([...tasks[0].numbers]).toEqual(dueNumbers);
		const notDue = seeded.filter((row) => !isDue(row, startedAt));
		expect(notDue.map((row) => row.name)).toEqual(['Liam Smith', 'Sara Yilmaz']);
		for (const row of notDue) expect(tasks[0].numbers).not.toContain(e164Of(String(row.phone)));

		const now = byId(await rows());
		for (const before of seeded) {
			const after = now.get(before.id) as DataTableRow;
			if (!isDue(before, startedAt)) {
				// Not due: not touched at all.
				expect(after).toEqual(before);
				continue;
			}
			expect({ name: after.name, phone: after.phone }).toEqual({ name: before.name, phone: before.phone });
			const checkedAt = Date.parse(String(after.checked_at));
			expect(checkedAt).toBeGreaterThanOrEqual(startedAt - 1_000);
			expect(checkedAt).toBeLessThanOrEqual(Date.now());
			const e164 = e164Of(String(before.phone));
			if (e164 !== undefined) {
				const expected = expectedUserRow(sandbox, CHECK, e164);
				expect({ name: after.name, whatsapp: after.whatsapp, age: after.age, gender: after.gender }).toEqual({
					name: before.name,
					whatsapp: expected.whatsapp,
					age: expected.age ?? null,
					gender: expected.gender ?? null,
				});
				expect(after.check_note).toBe('');
			} else {
				expect({ whatsapp: after.whatsapp, age: after.age, gender: after.gender }).toEqual({
					whatsapp: null,
					age: null,
					gender: null,
				});
			}
		}
		// Unusable numbers: marked with the reason, so they are not sent again every night.
		const note = (name: string) => [...now.values()].find((row) => row.name === name)?.check_note;
		expect(note('No Phone Ltd')).toBe('The number was not sent: The field "phone" is empty');
		expect(String(note('Typo Tom'))).toMatch(/^The number was not sent: The number contains letters/);
		// The two entries with one number share its result.
		const anna = [...now.values()].filter((row) => String(row.name).startsWith('Anna Keller'));
		expect(anna).toHaveLength(2);
		expect(anna[0].whatsapp).toBe(anna[1].whatsapp);
		expect(anna[0].age).toBe(anna[1].age);
	});

	test('run again at once: nothing is due, no task is created, nothing is charged, no row changes', async () => {
		const before = await rows();
		const tasksBefore = sandbox.tasks().length;
		const charges = sandbox.charges;

		const execution = await runNow();
		expect(execution.data.resultData.error).toBeUndefined();
		expect(execution.status).toBe('success');
		expect(nodeOutputItems(asRun(execution), 'Due contacts')).toEqual([]);
		expect(execution.data.resultData.runData['eKYCPro: create task']).toBeUndefined();
		expect(sandbox.charges).toBe(charges);
		expect(sandbox.tasks()).toHaveLength(tasksBefore);
		expect(await rows()).toEqual(before);
	});

	test('only unusable numbers due: nothing is sent or charged, the rows are marked with the reason', async () => {
		const before = await rows();
		const added = await rest.insertRows(projectId, tableId, [
			{ name: 'New Lead Without Phone', phone: '' },
			{ name: 'New Lead With a Typo', phone: 'n/a' },
		]);
		const tasksBefore = sandbox.tasks().length;
		const charges = sandbox.charges;
		const startedAt = Date.now();

		const execution = await runNow();
		expect(execution.data.resultData.error).toBeUndefined();
		expect(execution.status).toBe('success');
		expect(sandbox.charges).toBe(charges);
		expect(sandbox.tasks()).toHaveLength(tasksBefore);

		const now = byId(await rows());
		for (const row of before) expect(now.get(row.id)).toEqual(row);
		const [noPhone, typo] = added.map((row) => now.get(row.id) as DataTableRow);
		// The node's own reasons: Create Task sent nothing and passed the contacts on, the Wait node let them through.
		expect(noPhone.check_note).toBe('The number was not sent: The field "phone" is empty');
		expect(String(typo.check_note)).toMatch(/^The number was not sent: The number contains letters/);
		for (const row of [noPhone, typo]) {
			expect(Date.parse(String(row.checked_at))).toBeGreaterThanOrEqual(startedAt - 1_000);
			expect({ whatsapp: row.whatsapp, age: row.age, gender: row.gender }).toEqual({
				whatsapp: null,
				age: null,
				gender: null,
			});
		}
	});

	test('the create refused with 402: no row changes, the error says what to do; the next run checks them', async () => {
		const added = await rest.insertRows(projectId, tableId, [
			{ name: 'Noah Brunner', phone: '076 123 45 67' },
			{ name: 'Mia Fischer', phone: '+41 78 765 43 21' },
		]);
		const before = await rows();
		const tasksBefore = sandbox.tasks().length;
		const charges = sandbox.charges;
		sandbox.fault({ on: 'create', kind: '402' });

		const failed = await runNow();
		expect(failed.status).toBe('error');
		const error = failed.data.resultData.error;
		expect(error?.message).toBe('Your eKYCPro balance is too low to create this task');
		expect(String(error?.description)).toMatch(
			/^No task was created and nothing was charged\. Top up your eKYCPro balance/,
		);
		expect(sandbox.charges).toBe(charges);
		expect(sandbox.tasks()).toHaveLength(tasksBefore);
		expect(await rows()).toEqual(before);

		// Topped up: the next run picks up exactly the contacts that were left due.
		const startedAt = Date.now();
		const next = await runNow();
		expect(next.status).toBe('success');
		expect(sandbox.charges - charges).toBe(1);
		const tasks = sandbox.tasks().slice(tasksBefore);
		expect(tasks).toHaveLength(1);
		expect([...tasks[0].numbers]).toEqual(added.map((row) => e164Of(String(row.phone))));
		const now = byId(await rows());
		for (const row of added) {
			const after = now.get(row.id) as DataTableRow;
			const expected = expectedUserRow(sandbox, CHECK, e164Of(String(row.phone)) as string);
			expect({ whatsapp: after.whatsapp, age: after.age, gender: after.gender }).toEqual({
				whatsapp: expected.whatsapp,
				age: expected.age ?? null,
				gender: expected.gender ?? null,
			});
			expect(Date.parse(String(after.checked_at))).toBeGreaterThanOrEqual(startedAt - 1_000);
		}
		for (const row of before.filter((r) => !added.some((a) => a.id === r.id))) expect(now.get(row.id)).toEqual(row);
	});
});
