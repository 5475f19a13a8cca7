/**
 * PostgreSQL and Redis for n8n's queue mode, from the machine's Debian packages (`postgresql`, `redis-server`),
 * started by a test on 127.0.0.1 in throw-away folders and stopped after. Nothing is installed or configured
 * system-wide: each service is a private instance on a free port.
 *
 * Debian's PostgreSQL refuses to run as root: as root its commands run as the `postgres` user (runuser) in a
 * folder that user owns.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { findFreePort } from './n8n';
import type { N8nCredentialImport, N8nExecutionSummary, N8nHome, N8nRun, N8nStoredExecution } from './n8n';

const PG_ROOT = '/usr/lib/postgresql';
const REDIS_SERVER = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'];

export interface PostgresService {
	host: string;
	port: number;
	database: string;
	user: string;
	/** The DB_* variables that point n8n at this database. */
	n8nEnv: Record<string, string>;
	stop(): Promise<void>;
}

export interface RedisService {
	host: string;
	port: number;
	/** The QUEUE_BULL_REDIS_* variables that point n8n at this Redis. */
	n8nEnv: Record<string, string>;
	stop(): Promise<void>;
}

/** PostgreSQL's bin folder (newest installed major), or undefined when the package is missing. */
export function postgresBinDir(): string | undefined {
	if (!fs.existsSync(PG_ROOT)) return undefined;
	const versions = fs
		.readdirSync(PG_ROOT)
		.filter((name) => fs.existsSync(path.join(PG_ROOT, name, 'bin', 'pg_ctl')))
		.sort((a, b) => Number(b) - Number(a));
	return versions.length > 0 ? path.join(PG_ROOT, versions[0], 'bin') : undefined;
}

export function redisServerBin(): string | undefined {
	return REDIS_SERVER.find((file) => fs.existsSync(file));
}

/** What is missing for queue mode (empty when PostgreSQL and Redis can be started here). */
export function missingQueueServices(): string[] {
	const missing: string[] = [];
	if (!postgresBinDir()) missing.push(`PostgreSQL (no ${PG_ROOT}/<version>/bin/pg_ctl; apt-get install postgresql)`);
	if (!redisServerBin()) missing.push('Redis (no redis-server; apt-get install redis-server)');
	return missing;
}

/**
 * `describe` for tests that need PostgreSQL, or `describe.skip` with a warning on a machine without it; never skipped
 * under CI (CI=true), where a missing PostgreSQL must fail the run, not hide it.
 */
export function postgresDescribe(file: string): jest.Describe {
	const missing = missingQueueServices().filter((entry) => entry.startsWith('PostgreSQL'));
	if (missing.length === 0 || process.env.CI === 'true') return describe;
	console.warn(`${file} skipped: ${missing.join('; ')}`);
	return describe.skip;
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

/** Runs a PostgreSQL command, as the postgres user when we are root. */
function pgCommand(binDir: string, command: string, args: string[], timeoutMs = 120_000) {
	const file = path.join(binDir, command);
	return isRoot() ? run('runuser', ['-u', 'postgres', '--', file, ...args], timeoutMs) : run(file, args, timeoutMs);
}

/** A fresh PostgreSQL cluster on 127.0.0.1:<free port>, trust authentication, with an empty database `n8n`. */
export async function startPostgres(): Promise<PostgresService> {
	const binDir = postgresBinDir();
	if (!binDir) throw new Error(missingQueueServices().join('; '));
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ekycpro-pg-'));
	if (isRoot()) {
		const owner = await run('chown', ['postgres:postgres', dir]);
		if (owner.exitCode !== 0) throw new Error(`chown postgres ${dir} failed: ${owner.output}`);
	}
	const data = path.join(dir, 'data');
	const port = await findFreePort();
	const user = 'postgres';
	const remove = () => fs.rmSync(dir, { recursive: true, force: true });
	const init = await pgCommand(binDir, 'initdb', ['-D', data, '-U', user, '--auth=trust', '--no-sync', '-E', 'UTF8']);
	if (init.exitCode !== 0) {
		remove();
		throw new Error(`initdb failed (exit ${init.exitCode}):\n${init.output}`);
	}
	// Unix socket in the private folder, TCP on loopback only; fsync off: throw-away data, faster on a busy machine.
	const options = `-k ${dir} -p ${port} -h 127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
	const log = path.join(dir, 'postgres.log');
	const started = await pgCommand(binDir, 'pg_ctl', ['-D', data, '-o', options, '-l', log, '-w', '-t', '60', 'start']);
	const stop = async () => {
		await pgCommand(binDir, 'pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '60', 'stop']);
		remove();
	};
	if (started.exitCode !== 0) {
		const printed = fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : '';
		await stop();
		throw new Error(`pg_ctl start failed (exit ${started.exitCode}):\n${started.output}\n${printed}`);
	}
	const created = await pgCommand(binDir, 'psql', [
		'-h',
		'127.0.0.1',
		'-p',
		String(port),
		'-U',
		user,
		'-d',
		'postgres',
		'-v',
		'ON_ERROR_STOP=1',
		'-c',
		'CREATE DATABASE n8n',
	]);
	if (created.exitCode !== 0) {
		await stop();
		throw new Error(`CREATE DATABASE n8n failed:\n${created.output}`);
	}
	return {
		host: '127.0.0.1',
		port,
		database: 'n8n',
		user,
		n8nEnv: {
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: '127.0.0.1',
			DB_POSTGRESDB_PORT: String(port),
			DB_POSTGRESDB_DATABASE: 'n8n',
			DB_POSTGRESDB_USER: user,
			DB_POSTGRESDB_PASSWORD: '',
		},
		stop,
	};
}

/**
 * Runs SQL with psql on one of the service's databases (default the service's own), stopping at the first error.
 * Returns what psql printed: unaligned, tuples only, fields split by a tab.
 */
export async function psql(postgres: PostgresService, sql: string, database = postgres.database): Promise<string> {
	const binDir = postgresBinDir();
	if (!binDir) throw new Error(missingQueueServices().join('; '));
	const args = ['-h', postgres.host, '-p', String(postgres.port), '-U', postgres.user, '-d', database];
	const result = await pgCommand(binDir, 'psql', [...args, '-v', 'ON_ERROR_STOP=1', '-qAt', '-F', '\t', '-c', sql]);
	if (result.exitCode !== 0) throw new Error(`psql failed (exit ${result.exitCode}) on: ${sql}\n${result.output}`);
	return result.stdout;
}

/** The rows a SELECT returns, as JSON objects (PostgreSQL builds the JSON, so types survive). */
export async function queryRows<T = Record<string, unknown>>(
	postgres: PostgresService,
	select: string,
	database = postgres.database,
): Promise<T[]> {
	const printed = await psql(postgres, `SELECT coalesce(json_agg(q), '[]'::json) FROM (${select}) q`, database);
	return JSON.parse(printed) as T[];
}

/** An n8n credential of type `postgres` for one of the service's databases (for a workflow's Postgres nodes). */
export function n8nPostgresCredential(
	postgres: PostgresService,
	database: string,
	credential: { id: string; name: string },
): N8nCredentialImport {
	return {
		...credential,
		type: 'postgres',
		data: {
			host: postgres.host,
			port: postgres.port,
			database,
			user: postgres.user,
			password: '',
			ssl: 'disable',
			allowUnauthorizedCerts: false,
			maxConnections: 5,
		},
	};
}

/** redis-server on 127.0.0.1:<free port>, nothing persisted, as a child process. */
export async function startRedis(): Promise<RedisService> {
	const bin = redisServerBin();
	if (!bin) throw new Error(missingQueueServices().join('; '));
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ekycpro-redis-'));
	const port = await findFreePort();
	const child = spawn(
		bin,
		['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
		{
			stdio: ['ignore', 'pipe', 'pipe'],
		},
	);
	let printed = '';
	child.stdout.on('data', (chunk: Buffer) => (printed += chunk.toString('utf8')));
	child.stderr.on('data', (chunk: Buffer) => (printed += chunk.toString('utf8')));
	const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
	const killOnParentExit = () => child.kill('SIGKILL');
	process.once('exit', killOnParentExit);
	const stop = async () => {
		process.removeListener('exit', killOnParentExit);
		if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
		await exited;
		fs.rmSync(dir, { recursive: true, force: true });
	};
	const deadline = Date.now() + 30_000;
	while (!/Ready to accept connections/i.test(printed)) {
		if (child.exitCode !== null || Date.now() > deadline) {
			await stop();
			throw new Error(`redis-server did not start:\n${printed}`);
		}
		await delay(100);
	}
	return {
		host: '127.0.0.1',
		port,
		n8nEnv: { QUEUE_BULL_REDIS_HOST: '127.0.0.1', QUEUE_BULL_REDIS_PORT: String(port) },
		stop,
	};
}

// Reads n8n's executions from PostgreSQL with the pg and flatted copies of the installed n8n (how n8n stores runs).
const PG_READER = `
const { Client } = require('pg');
const { parse } = require('flatted');
const [connection, mode, executionId] = process.argv.slice(1);
const columns = 'e.id, e."workflowId", e.status, e.finished, e.mode, e."startedAt", e."stoppedAt", e."waitTill"';
(async () => {
	const client = new Client(JSON.parse(connection));
	await client.connect();
	let out;
	if (mode === 'list') {
		out = (await client.query('SELECT ' + columns + ' FROM execution_entity e ORDER BY e.id')).rows;
	} else {
		const rows = (await client.query('SELECT ' + columns + ', length(d.data) AS "storedChars", d.data FROM execution_entity e JOIN execution_data d ON d."executionId" = e.id WHERE e.id = $1', [executionId])).rows;
		out = rows[0] ?? null;
		if (out) out.data = parse(out.data);
	}
	await client.end();
	process.stdout.write(JSON.stringify(out));
})().catch((error) => { console.error(String(error && error.stack || error)); process.exit(2); });
`;

/** What a test reads of the executions an n8n stored in PostgreSQL (the SQLite readers of n8n.ts, for queue mode). */
export interface PostgresExecutions {
	list(workflowId?: string): Promise<N8nExecutionSummary[]>;
	/** One execution with its data; `storedChars` is the length of the data as stored. */
	read(executionId: string): Promise<(N8nStoredExecution & { storedChars: number }) | undefined>;
}

export function postgresExecutions(home: N8nHome, postgres: PostgresService): PostgresExecutions {
	const connection = JSON.stringify({
		host: postgres.host,
		port: postgres.port,
		database: postgres.database,
		user: postgres.user,
	});
	const query = async (args: string[]): Promise<unknown> => {
		// Resolve pg and flatted from n8n's own install.
		const result = await run(home.install.nodeBin, ['-e', PG_READER, connection, ...args], 60_000, {
			cwd: path.dirname(path.dirname(home.install.n8nBin)),
			env: home.env,
		});
		if (result.exitCode !== 0) throw new Error(`reading executions from PostgreSQL failed:\n${result.output}`);
		return JSON.parse(result.stdout) as unknown;
	};
	const summary = (row: Record<string, unknown>): N8nExecutionSummary => {
		const text = (value: unknown) => (value === null || value === undefined ? null : String(value));
		return {
			id: String(row.id),
			workflowId: String(row.workflowId),
			status: String(row.status),
			finished: row.finished === true,
			mode: String(row.mode),
			startedAt: text(row.startedAt),
			stoppedAt: text(row.stoppedAt),
			waitTill: text(row.waitTill),
		};
	};
	return {
		list: async (workflowId) =>
			((await query(['list'])) as Array<Record<string, unknown>>)
				.map(summary)
				.filter((row) => workflowId === undefined || row.workflowId === workflowId),
		read: async (executionId) => {
			const row = (await query(['get', executionId])) as (Record<string, unknown> & { data: N8nRun['data'] }) | null;
			return row ? { ...summary(row), data: row.data, storedChars: Number(row.storedChars) } : undefined;
		},
	};
}

interface RunResult {
	exitCode: number | null;
	stdout: string;
	/** stdout and stderr, for error messages. */
	output: string;
}

function run(
	command: string,
	args: string[],
	timeoutMs = 120_000,
	options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<RunResult> {
	return new Promise((resolve, reject) => {
		const child = spawn(command, args, {
			cwd: options.cwd ?? os.tmpdir(),
			env: options.env ?? process.env,
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		let stdout = '';
		let output = '';
		child.stdout.on('data', (chunk: Buffer) => {
			stdout += chunk.toString('utf8');
			output += chunk.toString('utf8');
		});
		child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
		const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
		child.once('error', (error) => {
			clearTimeout(timer);
			reject(error);
		});
		child.once('close', (exitCode) => {
			clearTimeout(timer);
			resolve({ exitCode, stdout, output });
		});
	});
}

function delay(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}
