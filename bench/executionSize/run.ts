/**
 * How large a WhatsApp Avatar result one n8n execution holds as rows:  npm run bench:execution-size --
 *   [--majors 1,2] [--sizes 500000,1000000,1500000,2000000,2500000] [--timeout-min 20]
 *
 * Per n8n major: the packed package in a fresh home (SQLite, n8n's defaults otherwise), one workflow
 * Webhook (answers at once) -> eKYCPro Download Result (Result As = Rows, Return All, Simplify; no row guard). Per try
 * a fresh `n8n start` (so its peak memory is the try's own), a task of N numbers made straight at the sandbox, the
 * webhook called, and the production execution followed in the database until it ends, n8n dies, or the time is up.
 * A try counts as finished when the execution is saved as success and its data, read back from SQLite and parsed
 * the way n8n parses it (flatted), holds N items on Download Result's output.
 * Sizes go up until the first failure, then one more try halfway between the largest finished and the failure.
 * Prints each try (rows, outcome, seconds, stored size, n8n's peak RSS) and the largest finished per major.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { startSandbox, type Sandbox } from '../../test/sandbox';
import {
	activateWorkflow,
	callWebhook,
	importWorkflow,
	listExecutions,
	newPackageHome,
	node,
	startN8n,
	storedExecutionChars,
	type N8nHome,
	type N8nMajor,
	type N8nWorkflowJson,
	type RunningN8n,
} from '../../test/e2e/n8n';

const repoRoot = path.resolve(__dirname, '..', '..');
const WORKFLOW_ID = 'benchExecSize0001';
const HOOK = 'bench-execution-size';
const NODE_NAME = 'Download Result';
const CREDENTIAL = { eKycProApi: { id: 'ekycpro-sandbox', name: 'eKYCPro sandbox' } };

function option(name: string): string | undefined {
	const index = process.argv.indexOf(`--${name}`);
	return index >= 0 ? process.argv[index + 1] : undefined;
}

/** `count` distinct German mobile numbers in E.164, as the sandbox tests make them. */
function numbersText(count: number, first = 0): string {
	const lines: string[] = [];
	for (let index = 0; index < count; index++) lines.push(`+49151${String(first + index).padStart(8, '0')}`);
	return lines.join('\n');
}

function workflow(): N8nWorkflowJson {
	return {
		id: WORKFLOW_ID,
		name: 'bench: execution size',
		nodes: [
			node(
				'Webhook',
				'n8n-nodes-base.webhook',
				2,
				{ httpMethod: 'POST', path: HOOK, responseMode: 'onReceived', options: {} },
				{ webhookId: randomUUID() },
			),
			node(
				NODE_NAME,
				'n8n-nodes-ekycpro.eKycPro',
				1,
				{
					resource: 'whatsappAvatar',
					operation: 'downloadResult',
					taskId: '={{ $json.body.task_id }}',
					resultOutput: 'rows',
					returnAll: true,
					simplify: true,
					// The node's own guard off: this measures what n8n holds.
					maxRowsAsItems: 0,
				},
				{ credentials: CREDENTIAL },
			),
		],
		connections: { Webhook: { main: [[{ node: NODE_NAME, type: 'main', index: 0 }]] } },
	};
}

async function createTask(sandbox: Sandbox, count: number): Promise<string> {
	const form = new FormData();
	form.append('file', new Blob([numbersText(count)], { type: 'text/plain' }), 'numbers.txt');
	const response = await fetch(`${sandbox.baseUrl}/wa/api/deep/tasks`, {
		method: 'POST',
		headers: { 'X-API-Key': sandbox.apiKey },
		body: form,
	});
	const body = (await response.json()) as { task_id?: string };
	if (!response.ok || !body.task_id)
		throw new Error(`sandbox create answered ${response.status}: ${JSON.stringify(body)}`);
	return body.task_id;
}

function rssMb(pid: number): number {
	try {
		const match = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
		return match ? Number(match[1]) / 1024 : 0;
	} catch {
		return 0;
	}
}

function alive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
}

// Reads the stored execution back as n8n does (flatted) and counts the node's output items; prints one JSON line.
const COUNT_READER = `
const sqlite3 = require('sqlite3');
const { parse } = require('flatted');
const [dbPath, executionId, nodeName] = process.argv.slice(1);
const db = new sqlite3.Database(dbPath, sqlite3.OPEN_READONLY);
db.configure('busyTimeout', 30000);
db.get('SELECT data FROM execution_data WHERE executionId = ?', [executionId], (error, row) => {
	if (error || !row) { console.error(String(error || 'no row')); process.exit(2); }
	const data = parse(row.data);
	const runs = data.resultData.runData[nodeName] || [];
	const last = runs[runs.length - 1];
	const items = last && last.data && last.data.main && last.data.main[0];
	process.stdout.write(JSON.stringify({ items: items ? items.length : null, error: data.resultData.error ? data.resultData.error.message : null }));
});
`;

function countStoredItems(home: N8nHome, executionId: string): Promise<{ items: number | null; error: string | null }> {
	const dbPath = path.join(home.dir, '.n8n', 'database.sqlite');
	return new Promise((resolve, reject) => {
		const child = spawn(
			home.install.nodeBin,
			['--max-old-space-size=12000', '-e', COUNT_READER, dbPath, executionId, NODE_NAME],
			{ cwd: path.dirname(path.dirname(home.install.n8nBin)), stdio: ['ignore', 'pipe', 'pipe'] },
		);
		let out = '';
		let err = '';
		child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
		child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
		child.once('close', (code) =>
			code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`reading back failed: ${err.trim().slice(-400)}`)),
		);
	});
}

interface Try {
	major: N8nMajor;
	rows: number;
	outcome: string;
	finished: boolean;
	seconds: number;
	storedMb?: number;
	peakRssMb: number;
}

/** The lines of n8n's output that say why an execution failed. */
function failureLines(output: string): string {
	const lines = output
		.split('\n')
		.filter((line) => /RangeError|Invalid string length|heap|out of memory|FATAL|Error|problem/i.test(line))
		.map((line) => line.replace(/\u001b\[[0-9;]*m/g, '').trim());
	return [...new Set(lines)].slice(-4).join(' | ').slice(0, 600);
}

/** The error message of n8n's `n8n.workflow.failed` event for an execution, from the home's event log. */
function failedEvent(home: N8nHome, executionId: string): string | undefined {
	const folder = path.join(home.dir, '.n8n');
	for (const file of fs.readdirSync(folder).filter((name) => name.startsWith('n8nEventLog'))) {
		for (const line of fs.readFileSync(path.join(folder, file), 'utf8').split('\n')) {
			if (!line.includes('"n8n.workflow.failed"') || !line.includes(`"executionId":"${executionId}"`)) continue;
			try {
				const event = JSON.parse(line) as { payload?: { errorMessage?: string } };
				return event.payload?.errorMessage ?? 'failed';
			} catch {
				return 'failed';
			}
		}
	}
	return undefined;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function tryOnce(home: N8nHome, sandbox: Sandbox, major: N8nMajor, rows: number, timeoutMs: number) {
	const taskId = await createTask(sandbox, rows);
	// Let the sandbox build the file before the clock starts: the try times n8n, not the sandbox.
	for (;;) {
		const answer = await fetch(`${sandbox.baseUrl}/wa/api/deep/tasks/${taskId}`, {
			headers: { 'X-API-Key': sandbox.apiKey },
		});
		const body = (await answer.json()) as { status?: string; result_url?: string };
		if (body.status === 'exported' && body.result_url) {
			const file = await fetch(body.result_url);
			if (!file.ok) throw new Error(`sandbox result answered ${file.status}`);
			await file.arrayBuffer();
			break;
		}
		await sleep(500);
	}
	const n8n: RunningN8n = await startN8n(home, undefined, 300_000);
	let peakRssMb = rssMb(n8n.pid);
	const before = await listExecutions(home, WORKFLOW_ID);
	const lastId = before.length > 0 ? Number(before[before.length - 1].id) : 0;
	const started = Date.now();
	const result: Try = { major, rows, outcome: '', finished: false, seconds: 0, peakRssMb: 0 };
	try {
		const answer = await callWebhook(n8n, HOOK, { task_id: taskId }, { timeoutMs: 120_000 });
		if (answer.status !== 200) throw new Error(`webhook answered ${answer.status}: ${answer.body.slice(0, 200)}`);
		let lastPoll = 0;
		let failSeenAt: number | undefined;
		for (;;) {
			peakRssMb = Math.max(peakRssMb, rssMb(n8n.pid));
			const elapsed = Date.now() - started;
			if (!alive(n8n.pid)) {
				result.outcome = `n8n exited: ${failureLines(n8n.output())}`;
				break;
			}
			if (elapsed > timeoutMs) {
				result.outcome = `not done in ${Math.round(timeoutMs / 60_000)} min: ${failureLines(n8n.output()) || 'no error printed'}`;
				break;
			}
			if (Date.now() - lastPoll > 5_000) {
				lastPoll = Date.now();
				const execution = (await listExecutions(home, WORKFLOW_ID)).find((e) => Number(e.id) > lastId);
				// n8n that fails to save an execution leaves it `running` in the database for good: read why from its
				// event log (n8n.workflow.failed) and stop waiting.
				const failed = execution ? failedEvent(home, execution.id) : undefined;
				if (execution?.status === 'running' && failed !== undefined) {
					failSeenAt ??= Date.now();
					if (Date.now() - failSeenAt > 15_000) {
						result.seconds = (failSeenAt - started) / 1000;
						result.outcome = `the node ran, then n8n failed: ${failed} (the execution stays "running" in the database)`;
						break;
					}
				}
				if (execution && ['success', 'error', 'crashed', 'canceled'].includes(execution.status)) {
					result.seconds = (Date.now() - started) / 1000;
					const chars = await storedExecutionChars(home, execution.id);
					result.storedMb = chars === undefined ? undefined : chars / 1e6;
					if (execution.status === 'success') {
						const stored = await countStoredItems(home, execution.id);
						result.finished = stored.items === rows;
						result.outcome = result.finished ? 'finished' : `saved, but ${stored.items} items read back`;
					} else {
						const stored = await countStoredItems(home, execution.id).catch((error: Error) => ({
							error: error.message,
						}));
						result.outcome = `${execution.status}: ${stored.error ?? failureLines(n8n.output())}`;
					}
					break;
				}
			}
			await sleep(500);
		}
	} catch (error) {
		result.outcome = `bench error: ${(error as Error).message}`;
	}
	if (!result.seconds) result.seconds = (Date.now() - started) / 1000;
	result.peakRssMb = peakRssMb;
	await n8n.stop(30_000);
	return result;
}

function line(t: Try): string {
	const stored = t.storedMb === undefined ? '-' : `${t.storedMb.toFixed(1)} MB`;
	return (
		`n8n ${t.major}  rows ${String(t.rows).padStart(9)}  ${t.seconds.toFixed(0).padStart(5)} s  stored ${stored.padStart(7)}` +
		`  peak RSS ${t.peakRssMb.toFixed(0).padStart(5)} MB  ${t.outcome}`
	);
}

async function measureMajor(major: N8nMajor, sizes: number[], timeoutMs: number): Promise<Try[]> {
	const sandbox = await startSandbox({
		timing: { pendingMs: 200, numbersPerSecond: 1e9, completedMs: 200 },
		resultFormat: 'xlsx-inline',
		urlTtlMs: 60 * 60_000,
	});
	const packageHome = await newPackageHome(repoRoot, major, {
		id: 'ekycpro-sandbox',
		name: 'eKYCPro sandbox',
		type: 'eKycProApi',
		data: { apiKey: sandbox.apiKey, baseUrl: sandbox.baseUrl },
	});
	const home = packageHome.home;
	const tries: Try[] = [];
	try {
		await importWorkflow(home, workflow());
		await activateWorkflow(home, WORKFLOW_ID);
		const run = async (rows: number) => {
			const t = await tryOnce(home, sandbox, major, rows, timeoutMs);
			tries.push(t);
			console.log(line(t));
			return t;
		};
		let largest = 0;
		let failedAt: number | undefined;
		for (const rows of sizes) {
			const t = await run(rows);
			if (!t.finished) {
				failedAt = rows;
				break;
			}
			largest = rows;
		}
		if (failedAt !== undefined) {
			const middle = Math.round((largest + failedAt) / 2 / 50_000) * 50_000;
			if (middle > largest && middle < failedAt) await run(middle);
		}
	} finally {
		await sandbox.close();
		packageHome.remove();
	}
	return tries;
}

async function main(): Promise<void> {
	const majors = (option('majors') ?? '1,2').split(',').map((m) => Number(m) as N8nMajor);
	const sizes = (option('sizes') ?? '500000,1000000,1500000,2000000,2500000').split(',').map(Number);
	const timeoutMs = Number(option('timeout-min') ?? 20) * 60_000;
	if (!fs.existsSync(path.join(repoRoot, 'dist', 'nodes', 'EKycPro', 'EKycPro.node.js'))) {
		throw new Error('dist/ is missing: run `npm run build` first');
	}
	const all: Try[] = [];
	for (const major of majors) {
		console.log(`--- n8n ${major}.x: sizes ${sizes.join(', ')} (then one try halfway at the first failure)`);
		all.push(...(await measureMajor(major, sizes, timeoutMs)));
	}
	console.log('\n--- summary');
	for (const t of all) console.log(line(t));
	for (const major of majors) {
		const finished = all.filter((t) => t.major === major && t.finished).map((t) => t.rows);
		const failed = all.filter((t) => t.major === major && !t.finished).map((t) => t.rows);
		console.log(
			`n8n ${major}.x: largest finished ${finished.length ? Math.max(...finished) : 'none'} rows; ` +
				`smallest failed ${failed.length ? Math.min(...failed) : 'none tried'}`,
		);
	}
}

main().catch((error: unknown) => {
	console.error(error);
	process.exit(1);
});
