/**
 * The executions an n8n stored in its SQLite database (read with n8n's own sqlite3 and flatted): list, read, wait for
 * one to finish, and the size of its stored data.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import type { N8nHome } from './n8n';
import type { N8nRun } from './n8nRunData';
import { delay, runProcess, tail } from './processes';

export interface N8nExecutionSummary {
	id: string;
	workflowId: string;
	/** `new`, `running`, `waiting`, `success`, `error`, `canceled`, `crashed` */
	status: string;
	finished: boolean;
	mode: string;
	startedAt: string | null;
	stoppedAt: string | null;
	waitTill: string | null;
}

export interface N8nStoredExecution extends N8nExecutionSummary {
	/** The execution's data in the same shape as `run.data` from executeWorkflow. */
	data: N8nRun['data'];
}

// Reads n8n's own SQLite file with the sqlite3 and flatted copies of the installed n8n (how n8n stores runs).
const DB_READER = `
const sqlite3 = require('sqlite3');
const { parse } = require('flatted');
const [dbPath, mode, executionId] = process.argv.slice(1);
const db = new sqlite3.Database(dbPath, sqlite3.OPEN_READONLY, (error) => { if (error) fail(error); });
db.configure('busyTimeout', 10000);
function fail(error) { console.error(String(error && error.stack || error)); process.exit(2); }
const columns = 'e.id, e.workflowId, e.status, e.finished, e.mode, e.startedAt, e.stoppedAt, e.waitTill';
if (mode === 'list') {
	db.all('SELECT ' + columns + ' FROM execution_entity e ORDER BY CAST(e.id AS INTEGER)', (error, rows) => {
		if (error) fail(error);
		process.stdout.write(JSON.stringify(rows));
	});
} else {
	db.get('SELECT ' + columns + ', d.data FROM execution_entity e JOIN execution_data d ON d.executionId = e.id WHERE e.id = ?', [executionId], (error, row) => {
		if (error) fail(error);
		if (row) row.data = parse(row.data);
		process.stdout.write(JSON.stringify(row ?? null));
	});
}
`;

async function queryExecutions(home: N8nHome, args: string[]): Promise<unknown> {
	const dbPath = path.join(home.dir, '.n8n', 'database.sqlite');
	if (!fs.existsSync(dbPath)) return args[0] === 'list' ? [] : null;
	const result = await runProcess(home.install.nodeBin, ['-e', DB_READER, dbPath, ...args], {
		env: home.env,
		cwd: path.dirname(path.dirname(home.install.n8nBin)),
		timeoutMs: 60_000,
	});
	if (result.exitCode !== 0) throw new Error(`reading executions of ${dbPath} failed:\n${tail(result.stderr)}`);
	return JSON.parse(result.stdout) as unknown;
}

function toSummary(row: Record<string, unknown>): N8nExecutionSummary {
	const text = (value: unknown) => (value === null || value === undefined ? null : String(value));
	return {
		id: String(row.id),
		workflowId: String(row.workflowId),
		status: String(row.status),
		finished: row.finished === 1 || row.finished === true,
		mode: String(row.mode),
		startedAt: text(row.startedAt),
		stoppedAt: text(row.stoppedAt),
		waitTill: text(row.waitTill),
	};
}

/**
 * Executions stored in this home's database, oldest first, optionally of one workflow. Safe while n8n runs:
 * the database is opened read-only. This is how a test sees what a running `n8n start` did.
 */
export async function listExecutions(home: N8nHome, workflowId?: string): Promise<N8nExecutionSummary[]> {
	const rows = (await queryExecutions(home, ['list'])) as Array<Record<string, unknown>>;
	return rows.map(toSummary).filter((row) => workflowId === undefined || row.workflowId === workflowId);
}

/** One stored execution with its run data (read the items with nodeOutputItems({ data }, ...)). */
export async function readExecution(home: N8nHome, executionId: string): Promise<N8nStoredExecution | undefined> {
	const row = (await queryExecutions(home, ['get', executionId])) as
		| (Record<string, unknown> & { data: N8nRun['data'] })
		| null;
	return row ? { ...toSummary(row), data: row.data } : undefined;
}

/**
 * Polls the database until an execution of the workflow reaches one of the statuses (default: finished one way or
 * another) and returns it with its data. `n8n start` resumes waiting executions only every 60 s: allow for that.
 */
export async function waitForExecution(
	home: N8nHome,
	workflowId: string,
	options: { statuses?: string[]; timeoutMs?: number; pollMs?: number; after?: string } = {},
): Promise<N8nStoredExecution> {
	const statuses = options.statuses ?? ['success', 'error', 'crashed', 'canceled'];
	const deadline = Date.now() + (options.timeoutMs ?? 5 * 60_000);
	let seen: N8nExecutionSummary[] = [];
	for (;;) {
		seen = await listExecutions(home, workflowId);
		const match = seen.find(
			(execution) =>
				statuses.includes(execution.status) &&
				(options.after === undefined || Number(execution.id) > Number(options.after)),
		);
		if (match) {
			const stored = await readExecution(home, match.id);
			if (stored) return stored;
		}
		if (Date.now() > deadline) {
			throw new Error(
				`no execution of workflow ${workflowId} reached ${statuses.join('/')} in time; seen: ${JSON.stringify(seen)}`,
			);
		}
		await delay(options.pollMs ?? 1_000);
	}
}

// The length of an execution's data as n8n stored it (flatted JSON text) in its SQLite file.
const DB_SIZE_READER = `
const sqlite3 = require('sqlite3');
const [dbPath, executionId] = process.argv.slice(1);
const db = new sqlite3.Database(dbPath, sqlite3.OPEN_READONLY, (error) => { if (error) fail(error); });
db.configure('busyTimeout', 10000);
function fail(error) { console.error(String(error && error.stack || error)); process.exit(2); }
db.get('SELECT length(data) AS chars FROM execution_data WHERE executionId = ?', [executionId], (error, row) => {
	if (error) fail(error);
	process.stdout.write(JSON.stringify(row ? row.chars : null));
});
`;

/** How many characters the execution's data takes as stored (undefined when there is no such execution). */
export async function storedExecutionChars(home: N8nHome, executionId: string): Promise<number | undefined> {
	const dbPath = path.join(home.dir, '.n8n', 'database.sqlite');
	const result = await runProcess(home.install.nodeBin, ['-e', DB_SIZE_READER, dbPath, executionId], {
		env: home.env,
		cwd: path.dirname(path.dirname(home.install.n8nBin)),
		timeoutMs: 60_000,
	});
	if (result.exitCode !== 0)
		throw new Error(`reading the size of execution ${executionId} failed:\n${tail(result.stderr)}`);
	const chars = JSON.parse(result.stdout) as number | null;
	return chars ?? undefined;
}
