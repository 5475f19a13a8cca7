/**
 * The example workflows in real n8n 1.x and 2.x, against the local sandbox: the packed package installed into n8n's
 * community nodes folder, the credential and workflows imported, each run headless with `n8n execute`, each node's
 * output checked.
 *
 *   npm run build && npx jest -c test/e2e/jest.config.js test/e2e/examples.e2e.ts
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { normalisePhoneNumber } from '../../nodes/EKycPro/numbers';
import type { Sandbox } from '../sandbox';
import { expectedUserRow, newExamplesHome } from './examplesHome';
import {
	e2eMajors,
	executeWorkflow,
	exportWorkflows,
	importWorkflow,
	importWorkflows,
	listNodeTypes,
	readExample,
	nodeOutputItems,
	nodeOutputJson,
	runError,
	type N8nHome,
	type N8nNodeTypeDescription,
	type PackageHome,
} from './n8n';

const repoRoot = path.resolve(__dirname, '..', '..');
const majors = e2eMajors();

type ExampleNode = { name: string; type: string; parameters: Record<string, unknown> };
type TypedNode = ExampleNode & { typeVersion: number };
type Property = { name: string; type: string; options?: Array<{ value?: unknown }> };

/** Every example workflow in examples/, the recipes for hosted CRMs (import only) included. */
const exampleFiles = fs.readdirSync(path.join(repoRoot, 'examples')).filter((file) => file.endsWith('.json'));

/**
 * What is wrong with one example node against the node types this n8n loads: an unknown type or version, a
 * parameter the node does not have, or a fixed option value it does not offer. Empty when n8n can load it.
 */
function nodeProblems(node: TypedNode, types: N8nNodeTypeDescription[]): string[] {
	const versions = (type: N8nNodeTypeDescription) => (Array.isArray(type.version) ? type.version : [type.version]);
	const described = types.find((type) => type.name === node.type && versions(type).includes(node.typeVersion));
	if (!described) return [`${node.name}: no node type ${node.type} version ${node.typeVersion} in this n8n`];
	const properties = (described.properties ?? []) as Property[];
	const problems: string[] = [];
	for (const [name, value] of Object.entries(node.parameters)) {
		const sameName = properties.filter((property) => property.name === name);
		if (sameName.length === 0) {
			problems.push(`${node.name}: ${node.type} has no parameter "${name}"`);
			continue;
		}
		const fixedChoice = typeof value === 'string' && !value.startsWith('=');
		const offered = sameName.flatMap((property) =>
			property.type === 'options' ? (property.options ?? []).map((option) => option.value) : [],
		);
		if (fixedChoice && offered.length > 0 && !offered.includes(value)) {
			problems.push(`${node.name}: "${name}" is "${value}", not one of ${[...new Set(offered)].join(', ')}`);
		}
	}
	return problems;
}

describe.each(majors)('examples in real n8n %i.x against the sandbox', (major) => {
	let sandbox: Sandbox;
	let home: N8nHome;
	let packageHome: PackageHome | undefined;

	beforeAll(async () => {
		// A quick lifecycle, in real time: each example's task is exported within a few seconds.
		({ sandbox, packageHome } = await newExamplesHome(repoRoot, major));
		home = packageHome.home;
	}, 45 * 60_000);

	afterAll(async () => {
		await sandbox?.close();
		packageHome?.remove();
	});

	test('every example imports and each of its nodes is a type, version and set of parameters this n8n loads', async () => {
		const examples = exampleFiles.map((file) => ({ file, workflow: readExample(file) }));
		await importWorkflows(
			home,
			examples.map((example) => example.workflow),
		);
		const stored = new Map((await exportWorkflows(home)).map((workflow) => [workflow.id, workflow]));
		const types = await listNodeTypes(home);
		for (const { file, workflow } of examples) {
			const nodes = (stored.get(workflow.id)?.nodes ?? []) as TypedNode[];
			expect({ file, nodes: nodes.map((node) => node.name) }).toEqual({
				file,
				nodes: (workflow.nodes as TypedNode[]).map((node) => node.name),
			});
			expect({ file, problems: nodes.flatMap((node) => nodeProblems(node, types)) }).toEqual({ file, problems: [] });
		}
	});

	test('enrich-contacts: every contact comes out with its own WhatsApp result, one task, one charge', async () => {
		const workflow = readExample('enrich-contacts.json');
		const contacts = (
			JSON.parse(
				String(
					(workflow.nodes as ExampleNode[]).find((node) => node.type === 'n8n-nodes-base.set')?.parameters.jsonOutput,
				),
			) as { contacts: Array<{ name: string; phone: string }> }
		).contacts;
		const chargesBefore = sandbox.charges;
		const run = await executeWorkflow(home, await importWorkflow(home, workflow));
		expect(runError(run)).toBeUndefined();

		const created = nodeOutputJson(run, 'eKYCPro: create task');
		expect(created).toHaveLength(contacts.length);
		const taskId = (created[0].ekycpro as Record<string, unknown>).task_id as string;
		expect(sandbox.charges - chargesBefore).toBe(1);
		expect(sandbox.task(taskId)?.check).toBe('whatsappAvatar');

		const enriched = nodeOutputItems(run, 'eKYCPro: wait for results');
		expect(enriched).toHaveLength(contacts.length);
		expect(nodeOutputItems(run, 'eKYCPro: wait for results', { output: 1 })).toEqual([]);
		enriched.forEach((item, index) => {
			expect(item.json.name).toBe(contacts[index].name);
			const ekycpro = item.json.ekycpro as Record<string, unknown>;
			const normalised = normalisePhoneNumber(contacts[index].phone, 'CH');
			if (normalised.ok) {
				expect(ekycpro.number).toBe(normalised.e164);
				expect(ekycpro.found).toBe(true);
				expect(ekycpro.result).toEqual(expectedUserRow(sandbox, 'whatsappAvatar', normalised.e164));
				// A contact carries only its own rejected values: none here.
				expect(ekycpro.rejected).toBeUndefined();
			} else {
				expect(ekycpro.found).toBe(false);
				expect(String(ekycpro.reason)).toMatch(/not sent/);
				expect((ekycpro.rejected as Array<{ value: string }>).map((entry) => entry.value)).toEqual([
					contacts[index].phone,
				]);
			}
		});
		// The contacts flow on to the CRM update, one per contact.
		expect(nodeOutputItems(run, 'Update CRM (replace with your CRM)')).toHaveLength(contacts.length);
	});

	test('file-to-rows: a file of numbers becomes one item per Telegram result row, plus the file', async () => {
		const workflow = readExample('file-to-rows.json');
		const numbers = String(
			(
				JSON.parse(
					String((workflow.nodes as ExampleNode[]).find((node) => node.name === 'Numbers')?.parameters.jsonOutput),
				) as {
					numbers: string;
				}
			).numbers,
		).split('\n');
		const run = await executeWorkflow(home, await importWorkflow(home, workflow));
		expect(runError(run)).toBeUndefined();

		const task = nodeOutputJson(run, 'eKYCPro: create Telegram task');
		expect(task).toHaveLength(1);
		expect(task[0]).toMatchObject({ check: 'telegram', submitted: numbers.length, rejected: [] });

		const out = nodeOutputItems(run, 'eKYCPro: wait for rows');
		const [fileItem, ...rows] = out;
		expect(fileItem.binary?.data?.fileName).toBe(`ekycpro-telegram-${String(task[0].task_id)}.zip`);
		expect(fileItem.json).toMatchObject({ task_id: task[0].task_id, status: 'exported', rows: numbers.length });
		expect(rows.map((row) => row.json)).toEqual(numbers.map((number) => expectedUserRow(sandbox, 'telegram', number)));
		expect(nodeOutputItems(run, 'Rows (send to Sheets or a database)')).toHaveLength(out.length);
	});

	test('create-now-collect-later: a task created in one run is read and downloaded by its id in another', async () => {
		const workflow = readExample('create-now-collect-later.json');
		const first = await executeWorkflow(home, await importWorkflow(home, workflow));
		expect(runError(first)).toBeUndefined();
		const created = nodeOutputJson(first, 'eKYCPro: create Instagram task');
		expect(created).toHaveLength(1);
		const taskId = String(created[0].task_id);
		const numbers = sandbox.task(taskId)?.numbers ?? [];
		expect(numbers.length).toBeGreaterThan(0);

		// The scheduled half, run by hand once the task is done: `n8n execute` starts at a manual trigger, so the
		// schedule trigger is swapped for one and the stored task id is filled in.
		const collect = readExample('create-now-collect-later.json');
		collect.id = `${workflow.id}Collect`;
		const nodes = collect.nodes as ExampleNode[];
		for (const node of nodes) {
			if (node.name === 'Every 15 minutes') {
				node.type = 'n8n-nodes-base.manualTrigger';
				(node as unknown as { typeVersion: number }).typeVersion = 1;
				node.parameters = {};
			}
			if (node.name.startsWith('Task to collect')) node.parameters.jsonOutput = JSON.stringify({ task_id: taskId });
		}
		// The create half goes: its trigger, and (n8n 2 checks this) the connections that start at it.
		const createHalf = ['Run now', 'eKYCPro: create Instagram task'];
		collect.nodes = nodes.filter(
			(node) => !createHalf.includes(node.name) && !node.name.startsWith('Keep the task ID'),
		);
		collect.connections = Object.fromEntries(
			Object.entries(collect.connections).filter(([source]) => !createHalf.includes(source)),
		);
		await new Promise((resolve) => setTimeout(resolve, 4_000));
		const second = await executeWorkflow(home, await importWorkflow(home, collect));
		expect(runError(second)).toBeUndefined();
		expect(nodeOutputJson(second, 'eKYCPro: get status')[0]).toMatchObject({
			task_id: taskId,
			status: 'exported',
			done: true,
		});
		const rows = nodeOutputJson(second, 'eKYCPro: download rows');
		expect(rows).toEqual(numbers.map((number) => expectedUserRow(sandbox, 'instagram', number)));
	});
});
