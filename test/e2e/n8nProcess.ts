/**
 * Long-running n8n processes for end-to-end tests: `n8n start` (and its webhooks), `n8n worker` for queue mode, and
 * killing n8n the hard way (SIGKILL, children included) to prove a restart.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';

import type { N8nHome } from './n8n';
import { delay, findFreePort, stripAnsi, tail } from './processes';

export interface RunningN8n {
	port: number;
	/** `http://127.0.0.1:<port>` */
	baseUrl: string;
	pid: number;
	/** Everything n8n printed so far (stdout and stderr interleaved). */
	output(): string;
	/** Resolves once n8n printed a line matching `pattern` (checked against output already seen, too). */
	waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<void>;
	/** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
	stop(graceMs?: number): Promise<void>;
}

/**
 * Starts `n8n start` on 127.0.0.1:port and resolves once it printed that the editor is up (active workflows and
 * their webhooks are registered by then) and /healthz answers. Only this process (not `n8n execute`)
 * serves webhooks and resumes executions that wait (it looks for due ones every 60 s).
 */
/** A long-running n8n process (`n8n start`, `n8n worker`): what it printed, waiting for a line, stopping it. */
interface N8nProcess {
	child: ChildProcess;
	output(): string;
	exited(): boolean;
	waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<void>;
	/** SIGTERM, then SIGKILL after `graceMs`; resolves when it is gone. */
	stop(graceMs?: number): Promise<void>;
}

function spawnN8nProcess(home: N8nHome, args: string[], env: NodeJS.ProcessEnv): N8nProcess {
	const child = spawn(home.install.nodeBin, [home.install.n8nBin, ...args], {
		env,
		cwd: home.dir,
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	let printed = '';
	const listeners = new Set<() => void>();
	const collect = (chunk: Buffer) => {
		printed += chunk.toString('utf8');
		// Keep memory bounded on long runs; tests only look at recent lines.
		if (printed.length > 4_000_000) printed = printed.slice(-2_000_000);
		for (const listener of listeners) listener();
	};
	child.stdout?.on('data', collect);
	child.stderr?.on('data', collect);
	let exited = false;
	// A test process that dies without stop() must not leave n8n running (it would hold its port and database).
	const killOnParentExit = () => {
		if (!exited) child.kill('SIGKILL');
	};
	process.once('exit', killOnParentExit);
	const exitPromise = new Promise<void>((resolve) => {
		child.once('exit', () => {
			exited = true;
			process.removeListener('exit', killOnParentExit);
			for (const listener of listeners) listener();
			resolve();
		});
	});

	const waitForOutput = (pattern: RegExp, timeoutMs = 60_000) =>
		new Promise<void>((resolve, reject) => {
			const timer = setTimeout(() => {
				listeners.delete(check);
				reject(new Error(`n8n did not print ${pattern} within ${timeoutMs} ms:\n${tail(printed)}`));
			}, timeoutMs);
			const check = () => {
				if (pattern.test(stripAnsi(printed))) {
					clearTimeout(timer);
					listeners.delete(check);
					resolve();
				} else if (exited) {
					clearTimeout(timer);
					listeners.delete(check);
					reject(new Error(`n8n exited (code ${child.exitCode}) before printing ${pattern}:\n${tail(printed)}`));
				}
			};
			listeners.add(check);
			check();
		});

	const stop = async (graceMs = 20_000) => {
		if (exited) return;
		child.kill('SIGTERM');
		const killTimer = setTimeout(() => child.kill('SIGKILL'), graceMs);
		await exitPromise;
		clearTimeout(killTimer);
	};
	return { child, output: () => printed, exited: () => exited, waitForOutput, stop };
}

export async function startN8n(home: N8nHome, port?: number, readyTimeoutMs = 180_000): Promise<RunningN8n> {
	const listenPort = port ?? (await findFreePort());
	const n8n = spawnN8nProcess(home, ['start'], { ...home.env, N8N_PORT: String(listenPort) });
	const baseUrl = `http://127.0.0.1:${listenPort}`;
	const deadline = Date.now() + readyTimeoutMs;
	try {
		for (;;) {
			if (n8n.exited()) {
				throw new Error(`n8n start exited (code ${n8n.child.exitCode}) before it was ready:\n${tail(n8n.output())}`);
			}
			// /healthz answers before active workflows and their webhooks are registered; this line comes after.
			const editorReady = /Editor is now accessible via/.test(stripAnsi(n8n.output()));
			if (editorReady && (await httpStatus(`${baseUrl}/healthz`)) === 200) break;
			if (Date.now() > deadline) {
				throw new Error(`n8n start not ready after ${readyTimeoutMs} ms:\n${tail(n8n.output())}`);
			}
			await delay(500);
		}
	} catch (error) {
		await n8n.stop(5_000);
		throw error;
	}
	const { output, waitForOutput, stop } = n8n;
	return { port: listenPort, baseUrl, pid: n8n.child.pid ?? -1, output, waitForOutput, stop };
}

export interface WebhookResponse {
	status: number;
	body: string;
	headers: http.IncomingHttpHeaders;
}

/**
 * Calls a production webhook of a running n8n (`<baseUrl>/webhook/<path>`) with a JSON body. n8n 2 may still be
 * registering active workflows after it printed that the editor is up, so a 404 is retried until `timeoutMs`.
 */
export async function callWebhook(
	n8n: RunningN8n,
	webhookPath: string,
	body?: unknown,
	options: { method?: string; timeoutMs?: number } = {},
): Promise<WebhookResponse> {
	const url = `${n8n.baseUrl}/webhook/${webhookPath.replace(/^\/+/, '')}`;
	const deadline = Date.now() + (options.timeoutMs ?? 60_000);
	for (;;) {
		const response = await httpRequest(options.method ?? 'POST', url, body);
		if (response.status !== 404 || Date.now() > deadline) return response;
		await delay(500);
	}
}

/** One HTTP request with an optional JSON body (and headers of the caller's, such as a cookie); never throws on a status. */
export function httpRequest(
	method: string,
	url: string,
	body?: unknown,
	extraHeaders: http.OutgoingHttpHeaders = {},
): Promise<WebhookResponse> {
	return new Promise((resolve, reject) => {
		const payload = body === undefined ? undefined : JSON.stringify(body);
		const headers: http.OutgoingHttpHeaders = payload
			? { ...extraHeaders, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }
			: { ...extraHeaders };
		const request = http.request(url, { method, headers, timeout: 60_000 }, (response) => {
			const chunks: Buffer[] = [];
			response.on('data', (chunk: Buffer) => chunks.push(chunk));
			response.on('end', () =>
				resolve({
					status: response.statusCode ?? 0,
					body: Buffer.concat(chunks).toString('utf8'),
					headers: response.headers,
				}),
			);
		});
		request.once('timeout', () => request.destroy(new Error(`${method} ${url} timed out`)));
		request.once('error', reject);
		request.end(payload);
	});
}

function httpStatus(url: string): Promise<number> {
	return new Promise((resolve) => {
		const request = http.get(url, { timeout: 2_000 }, (response) => {
			response.resume();
			resolve(response.statusCode ?? 0);
		});
		request.once('timeout', () => request.destroy());
		request.once('error', () => resolve(0));
	});
}

export interface RunningN8nWorker {
	pid: number;
	/** Everything the worker printed so far. */
	output(): string;
	/** SIGTERM (a worker finishes its jobs first), then SIGKILL after `graceMs`; resolves when it is gone. */
	stop(graceMs?: number): Promise<void>;
}

/**
 * Starts `n8n worker` (queue mode: the home's env must point at PostgreSQL and Redis, EXECUTIONS_MODE=queue) and
 * resolves once it printed that it is ready. `env` adds to the home's, for example a task runner broker port of its
 * own (each process on a machine needs one).
 */
export async function startN8nWorker(
	home: N8nHome,
	options: { concurrency?: number; env?: Record<string, string>; readyTimeoutMs?: number } = {},
): Promise<RunningN8nWorker> {
	const env: NodeJS.ProcessEnv = {
		...home.env,
		N8N_RUNNERS_BROKER_PORT: String(await findFreePort()),
		...(options.env ?? {}),
	};
	const worker = spawnN8nProcess(home, ['worker', `--concurrency=${options.concurrency ?? 5}`], env);
	try {
		await worker.waitForOutput(/n8n worker is now ready/, options.readyTimeoutMs ?? 180_000);
	} catch (error) {
		await worker.stop(5_000);
		throw new Error(`n8n worker did not get ready (exit ${worker.child.exitCode}): ${String(error)}`);
	}
	return { pid: worker.child.pid ?? -1, output: worker.output, stop: worker.stop };
}

/** The ids of a process's children, grandchildren, ... (from /proc; empty where there is none). */
export function descendantPids(pid: number): number[] {
	const children = new Map<number, number[]>();
	for (const entry of fs.existsSync('/proc') ? fs.readdirSync('/proc') : []) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			// Field 4 of /proc/<pid>/stat is the parent; the name (field 2) may hold spaces, so read after its ')'.
			const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
			const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
			children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
		} catch {
			// The process ended while we looked.
		}
	}
	const found: number[] = [];
	const queue = [pid];
	while (queue.length > 0) {
		for (const child of children.get(queue.shift() as number) ?? []) {
			found.push(child);
			queue.push(child);
		}
	}
	return found;
}

/**
 * SIGKILL, as a crash or an OOM kill would end n8n: no shutdown, nothing saved on the way out. Its own children (the
 * internal task runner) are killed by their ids too, as they would go with a container. Resolves when n8n is gone.
 */
export async function killN8n(n8n: RunningN8n): Promise<void> {
	const children = descendantPids(n8n.pid);
	process.kill(n8n.pid, 'SIGKILL');
	for (const child of children) {
		try {
			process.kill(child, 'SIGKILL');
		} catch {
			// Already gone.
		}
	}
	await n8n.stop(0);
}
