/**
 * The million-numbers recipe (examples/recipe-million.json and its sub-workflow examples/recipe-million-task.json)
 * set up in real n8n against the sandbox and a real PostgreSQL: shared by its e2e test (a few thousand numbers) and
 * the one-off proof at a million (bench/executionSize/million.ts).
 */
import { execFile } from 'node:child_process';
import * as path from 'node:path';

import { simplifyRow } from '../../nodes/EKycPro/results';
import { startSandbox } from '../sandbox';
import { EXAMPLES_CREDENTIAL } from './examplesHome';
import type { Sandbox, SandboxTiming } from '../sandbox';
import {
	activateWorkflow,
	importCredentials,
	importWorkflows,
	newPackageHome,
	readExample,
	startN8n,
	type N8nHome,
	type N8nMajor,
	type N8nWorkflowJson,
	type PackageHome,
} from './n8n';
import { n8nPostgresCredential, psql, queryRows } from './services';
import type { PostgresService } from './services';

export const PARENT_ID = 'ekycproRecipeMillion';
export const TASK_WORKFLOW_ID = 'ekycproRecipeMillionTask';
export const EKYCPRO = EXAMPLES_CREDENTIAL;
export const POSTGRES = { id: 'postgres-crm', name: 'CRM database (PostgreSQL)' };

/** The tables the recipe expects, as its sticky note and the README give them. */
export const MILLION_SCHEMA = `
CREATE TABLE ekycpro_numbers (
  number text PRIMARY KEY
);
CREATE TABLE ekycpro_whatsapp_avatar (
  number     text PRIMARY KEY,
  whatsapp   boolean,
  age        integer,
  avatar     text,
  category   text,
  gender     text,
  hair_color text,
  skin_color text,
  task_id    text NOT NULL,
  checked_at timestamptz NOT NULL
);`;

/** The i-th number of the list (distinct German mobile numbers in E.164, as the sandbox tests make them). */
export function numberAt(index: number): string {
	return `+49151${String(index).padStart(8, '0')}`;
}

export interface MillionSetup {
	sandbox: Sandbox;
	packageHome: PackageHome;
	home: N8nHome;
	database: string;
	close(): Promise<void>;
}

/** A workflow with one Settings value changed (the batch size). */
export function withBatchSize(workflow: N8nWorkflowJson, batchSize: number): N8nWorkflowJson {
	const copy = JSON.parse(JSON.stringify(workflow)) as N8nWorkflowJson;
	const settings = (copy.nodes as Array<{ name: string; parameters: Record<string, unknown> }>).find(
		(node) => node.name === 'Settings',
	);
	const assignments = (settings?.parameters.assignments as { assignments: Array<{ name: string; value: unknown }> })
		.assignments;
	const entry = assignments.find((assignment) => assignment.name === 'batch_size');
	if (!entry) throw new Error('recipe-million.json has no batch_size in Settings');
	entry.value = batchSize;
	return copy;
}

// Whether n8n 2's publication service has written the published version of a workflow (workflow_published_version).
const PUBLISHED_READER = `
const sqlite3 = require('sqlite3');
const [dbPath, workflowId] = process.argv.slice(1);
const db = new sqlite3.Database(dbPath, sqlite3.OPEN_READONLY);
db.configure('busyTimeout', 10000);
db.get('SELECT count(*) AS n FROM workflow_published_version WHERE workflowId = ?', [workflowId], (error, row) => {
	process.stdout.write(JSON.stringify(error ? 0 : row.n));
});
`;

function isPublished(home: N8nHome, workflowId: string): Promise<boolean> {
	const dbPath = path.join(home.dir, '.n8n', 'database.sqlite');
	return new Promise((resolve) => {
		execFile(
			home.install.nodeBin,
			['-e', PUBLISHED_READER, dbPath, workflowId],
			{ cwd: path.dirname(path.dirname(home.install.n8nBin)) },
			(error, stdout) => resolve(!error && Number(stdout) > 0),
		);
	});
}

/**
 * Publishes a sub-workflow on n8n 2 as the editor's Publish button ends up doing: outside the editor a sub-workflow
 * runs in its published version, which n8n 2.41's publication service writes (workflow_published_version) only in a
 * running n8n. So: publish:workflow, then `n8n start` until the service has written it, then stop.
 */
export async function publishSubWorkflow(home: N8nHome, workflowId: string): Promise<void> {
	await activateWorkflow(home, workflowId);
	const n8n = await startN8n(home, undefined, 300_000);
	try {
		const deadline = Date.now() + 180_000;
		while (!(await isPublished(home, workflowId))) {
			if (Date.now() > deadline) throw new Error(`n8n did not publish ${workflowId} within 3 minutes`);
			await new Promise((resolve) => setTimeout(resolve, 1_000));
		}
	} finally {
		await n8n.stop();
	}
}

/**
 * A database of `count` numbers with the recipe's tables, a sandbox, and an n8n home with the package, both
 * credentials and both workflows (the parent with `batchSize`); on n8n 2 the sub-workflow is published. `extraWorkflows` are imported with them.
 */
export async function setUpMillion(
	repoRoot: string,
	major: N8nMajor,
	postgres: PostgresService,
	options: { count: number; batchSize: number; timing: SandboxTiming; extraWorkflows?: N8nWorkflowJson[] },
): Promise<MillionSetup> {
	const database = `million${major}`;
	await psql(postgres, `DROP DATABASE IF EXISTS ${database}`, 'postgres');
	await psql(postgres, `CREATE DATABASE ${database}`, 'postgres');
	await psql(postgres, MILLION_SCHEMA, database);
	await psql(
		postgres,
		`INSERT INTO ekycpro_numbers SELECT '+49151' || lpad(g::text, 8, '0') FROM generate_series(0, ${options.count - 1}) g`,
		database,
	);
	const sandbox = await startSandbox({ timing: options.timing, urlTtlMs: 60 * 60_000 });
	const setUpStarted = Date.now();
	const packageHome = await newPackageHome(repoRoot, major, {
		...EKYCPRO,
		type: 'eKycProApi',
		data: { apiKey: sandbox.apiKey, baseUrl: sandbox.baseUrl },
	});
	const home = packageHome.home;
	try {
		await importCredentials(home, [n8nPostgresCredential(postgres, database, POSTGRES)]);
		await importWorkflows(home, [
			readExample('recipe-million-task.json'),
			withBatchSize(readExample('recipe-million.json'), options.batchSize),
			...(options.extraWorkflows ?? []),
		]);
		const imported = Date.now();
		if (major === 2) await publishSubWorkflow(home, TASK_WORKFLOW_ID);
		console.log(
			`n8n ${major}: package, credentials and workflows in ${Math.round((imported - setUpStarted) / 1000)} s` +
				(major === 2 ? `, the sub-workflow published in ${Math.round((Date.now() - imported) / 1000)} s` : ''),
		);
	} catch (error) {
		await sandbox.close();
		packageHome.remove();
		throw error;
	}
	return {
		sandbox,
		packageHome,
		home,
		database,
		close: async () => {
			await sandbox.close();
			packageHome.remove();
		},
	};
}

export interface StoredRow {
	number: string;
	whatsapp: boolean | null;
	age: number | null;
	avatar: string | null;
	category: string | null;
	gender: string | null;
	hair_color: string | null;
	skin_color: string | null;
	task_id: string;
}

/** The row the recipe must write for a number: the sandbox's result row, simplified as the Wait node gives it. */
export function expectedStoredRow(sandbox: Sandbox, e164: string, taskId: string): StoredRow {
	const raw: Record<string, string> = {};
	for (const [key, value] of Object.entries(sandbox.expectedRow('whatsappAvatar', e164)))
		raw[key.toLowerCase()] = value;
	const row = simplifyRow(raw) as Record<string, unknown>;
	const text = (key: string) => (row[key] === null || row[key] === undefined ? null : String(row[key]));
	return {
		number: e164,
		whatsapp: (row.whatsapp as boolean | null) ?? null,
		age: (row.age as number | null) ?? null,
		avatar: text('avatar'),
		category: text('category'),
		gender: text('gender'),
		hair_color: text('hair_color'),
		skin_color: text('skin_color'),
		task_id: taskId,
	};
}

export interface TableCheck {
	rows: number;
	/** Rows that differ from the sandbox's row for their number (at most 5 kept), and how many in all. */
	mismatches: Array<{ got: StoredRow; want: StoredRow }>;
	mismatchCount: number;
	/** Numbers of the list without a row. */
	missing: number;
}

/**
 * Compares every row of the result table with the sandbox's row for its number and the task that held the number,
 * in slices (a million rows as one JSON answer would be hundreds of MB).
 */
export async function checkResultTable(
	postgres: PostgresService,
	database: string,
	sandbox: Sandbox,
	sliceRows = 100_000,
): Promise<TableCheck> {
	const taskOf = new Map<string, string>();
	for (const task of sandbox.tasks()) for (const number of task.numbers) taskOf.set(number, task.id);
	const check: TableCheck = { rows: 0, mismatches: [], mismatchCount: 0, missing: 0 };
	let after = '';
	for (;;) {
		const slice = await queryRows<StoredRow>(
			postgres,
			`SELECT number, whatsapp, age, avatar, category, gender, hair_color, skin_color, task_id
			 FROM ekycpro_whatsapp_avatar WHERE number > '${after}' ORDER BY number LIMIT ${sliceRows}`,
			database,
		);
		if (slice.length === 0) break;
		for (const got of slice) {
			const want = expectedStoredRow(sandbox, got.number, taskOf.get(got.number) ?? '(in no task)');
			if (JSON.stringify(got) !== JSON.stringify(want)) {
				check.mismatchCount++;
				if (check.mismatches.length < 5) check.mismatches.push({ got, want });
			}
		}
		check.rows += slice.length;
		after = slice[slice.length - 1].number;
	}
	const [missing] = await queryRows<{ missing: number }>(
		postgres,
		`SELECT count(*)::int AS missing FROM ekycpro_numbers n
		 WHERE NOT EXISTS (SELECT 1 FROM ekycpro_whatsapp_avatar r WHERE r.number = n.number)`,
		database,
	);
	check.missing = missing.missing;
	return check;
}
