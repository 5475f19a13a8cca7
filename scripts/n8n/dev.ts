/**
 * Runs a real n8n with this package installed the way users get it (packed, in the community nodes folder), a local
 * eKYCPro sandbox with a credential "eKYCPro sandbox" pointing at it, and the example workflows, for trying the
 * nodes in the editor:
 *
 *   npm run build && npx tsx scripts/n8n/dev.ts [--n8n=1|2] [--port=5678] [--fresh] [--env=NAME=VALUE ...]
 *
 * The n8n user folder (workflows, credentials, the owner account you create on first visit) is kept between runs
 * in ${EKYCPRO_N8N_CACHE:-~/.cache/n8n-nodes-ekycpro}/dev-home-<major>; --fresh starts from an empty one.
 * The package is packed and reinstalled on every start, so a rebuild is picked up by restarting this script.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import {
	importCredential,
	importWorkflow,
	installPackedPackage,
	newN8nHome,
	packPackage,
	startN8n,
	type N8nMajor,
} from '../../test/e2e/n8n';
import { startSandbox } from '../../test/sandbox';

/** Fixed, so the credential stored in the kept dev user folder keeps pointing at the sandbox across restarts. */
const SANDBOX_PORT = 8787;

const repoRoot = path.resolve(__dirname, '..', '..');

function argValue(name: string): string | undefined {
	const prefix = `--${name}=`;
	return process.argv.find((arg) => arg.startsWith(prefix))?.slice(prefix.length);
}

async function main(): Promise<void> {
	const major = Number(argValue('n8n') ?? '1') as N8nMajor;
	if (major !== 1 && major !== 2) throw new Error('--n8n must be 1 or 2');
	const port = Number(argValue('port') ?? '5678');
	const extraEnv: Record<string, string> = {};
	for (const arg of process.argv.filter((value) => value.startsWith('--env='))) {
		const [name, ...rest] = arg.slice('--env='.length).split('=');
		extraEnv[name] = rest.join('=');
	}
	if (!fs.existsSync(path.join(repoRoot, 'dist', 'nodes', 'EKycPro', 'EKycPro.node.js'))) {
		throw new Error('dist/ is missing: run `npm run build` first');
	}

	const cacheRoot = process.env.EKYCPRO_N8N_CACHE ?? path.join(os.homedir(), '.cache', 'n8n-nodes-ekycpro');
	const homeDir = path.join(cacheRoot, `dev-home-${major}`);
	if (process.argv.includes('--fresh')) fs.rmSync(homeDir, { recursive: true, force: true });
	const home = await newN8nHome(major, { dir: homeDir, env: extraEnv });

	const packed = packPackage(repoRoot);
	try {
		const installed = await installPackedPackage(home, packed.tarball);
		console.log(`installed ${path.basename(packed.tarball)} into ${installed}`);
	} finally {
		fs.rmSync(packed.dir, { recursive: true, force: true });
	}

	// A sandbox with a credential pointing at it, and the examples, so the nodes can be tried at once.
	const sandbox = await startSandbox({
		port: SANDBOX_PORT,
		timing: { pendingMs: 5_000, numbersPerSecond: 5, completedMs: 5_000 },
	});
	await importCredential(home, {
		id: 'ekycpro-sandbox',
		name: 'eKYCPro sandbox',
		type: 'eKycProApi',
		data: { apiKey: sandbox.apiKey, baseUrl: sandbox.baseUrl },
	});
	for (const file of fs.readdirSync(path.join(repoRoot, 'examples')).filter((name) => name.endsWith('.json'))) {
		await importWorkflow(home, JSON.parse(fs.readFileSync(path.join(repoRoot, 'examples', file), 'utf8')));
	}
	console.log(`eKYCPro sandbox on ${sandbox.baseUrl}: credential "eKYCPro sandbox" and the examples are imported`);

	console.log(`starting n8n ${home.install.version} (user folder ${home.dir}) ...`);
	const n8n = await startN8n(home, port);
	console.log(`n8n ${home.install.version} is running at ${n8n.baseUrl} (Ctrl-C stops it)`);
	let stopping = false;
	const stop = async () => {
		if (stopping) return;
		stopping = true;
		console.log('stopping n8n ...');
		await n8n.stop();
		await sandbox.close();
		process.exit(0);
	};
	process.on('SIGINT', () => void stop());
	process.on('SIGTERM', () => void stop());
}

main().catch((error) => {
	console.error(error instanceof Error ? error.message : error);
	process.exit(1);
});
