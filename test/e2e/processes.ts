/** Child processes, ports and printed output: the plumbing the n8n drivers share. */
import { spawn } from 'node:child_process';
import * as net from 'node:net';

import type { N8nCommandResult } from './n8n';

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function findFreePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.unref();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const address = server.address();
			const port = typeof address === 'object' && address ? address.port : 0;
			server.close(() => (port ? resolve(port) : reject(new Error('could not find a free port'))));
		});
	});
}

export interface RunProcessOptions {
	env: NodeJS.ProcessEnv;
	cwd?: string;
	timeoutMs?: number;
	onOutput?: (chunk: Buffer) => void;
}

export function runProcess(command: string, args: string[], options: RunProcessOptions): Promise<N8nCommandResult> {
	return new Promise((resolve, reject) => {
		const child = spawn(command, args, { env: options.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
		const stdout: Buffer[] = [];
		const stderr: Buffer[] = [];
		child.stdout.on('data', (chunk: Buffer) => {
			stdout.push(chunk);
			options.onOutput?.(chunk);
		});
		child.stderr.on('data', (chunk: Buffer) => {
			stderr.push(chunk);
			options.onOutput?.(chunk);
		});
		let timer: NodeJS.Timeout | undefined;
		if (options.timeoutMs) {
			timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
		}
		child.once('error', (error) => {
			if (timer) clearTimeout(timer);
			reject(error);
		});
		child.once('close', (exitCode, signal) => {
			if (timer) clearTimeout(timer);
			resolve({
				exitCode,
				signal,
				stdout: Buffer.concat(stdout).toString('utf8'),
				stderr: Buffer.concat(stderr).toString('utf8'),
			});
		});
	});
}

/** process.env minus what `npx`/npm scripts export (npm_config_local_prefix, ignore_scripts, ...). */
export function withoutNpmSettings(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
	return Object.fromEntries(Object.entries(env).filter(([name]) => !/^npm_/i.test(name)));
}

export function delay(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

export function stripAnsi(text: string): string {
	// eslint-disable-next-line no-control-regex
	return text.replace(/\u001b\[[0-9;]*m/g, '');
}

export function tail(text: string, lines = 60): string {
	return text.split('\n').slice(-lines).join('\n');
}
