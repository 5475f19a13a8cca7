/**
 * `npm run demo`: the contact-enrichment example (examples/enrich-contacts.json) in real n8n, headless.
 *
 * Builds and packs this package, installs the tarball into a fresh n8n user folder as a user would, starts the local
 * eKYCPro sandbox, runs the workflow with `n8n execute` and prints the contacts with their results.
 *
 *   npm run demo                          # against the sandbox (no key, no credits)
 *   npm run demo -- --n8n=2               # in n8n 2.x instead of 1.x
 *   EKYCPRO_API_KEY=... npm run demo -- numbers.txt
 *                                         # the same workflow against the real API, with the numbers of the file
 *                                         # (one per line): this creates a task and is charged
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { startSandbox } from '../test/sandbox';
import type { Sandbox } from '../test/sandbox';
import {
	ensureN8n,
	executeWorkflowWithOutput,
	importCredential,
	importWorkflow,
	installPackedPackage,
	newN8nHome,
	packPackage,
	nodeOutputItems,
	removeN8nHome,
	runError,
	type N8nMajor,
	type PackedPackage,
	type N8nWorkflowJson,
} from '../test/e2e/n8n';

const repoRoot = path.resolve(__dirname, '..');
const WORKFLOW_FILE = path.join(repoRoot, 'examples', 'enrich-contacts.json');
const CREATE_NODE = 'eKYCPro: create task';
const WAIT_NODE = 'eKYCPro: wait for results';
const CONTACTS_NODE = 'Sample contacts (replace with your CRM)';
const REAL_API = 'https://api.ekycpro.com';

function say(line: string): void {
	process.stdout.write(`${line}\n`);
}

function argValue(name: string): string | undefined {
	const prefix = `--${name}=`;
	return process.argv.find((arg) => arg.startsWith(prefix))?.slice(prefix.length);
}

function buildAndPack(): PackedPackage {
	say('Building and packing the package ...');
	execFileSync('npm', ['run', '-s', 'build'], { cwd: repoRoot, stdio: 'inherit' });
	return packPackage(repoRoot);
}

/** The example workflow; with a file of numbers, its sample contacts become one contact per number. */
function loadWorkflow(numbersFile: string | undefined): N8nWorkflowJson {
	const workflow = JSON.parse(fs.readFileSync(WORKFLOW_FILE, 'utf8')) as N8nWorkflowJson;
	if (numbersFile !== undefined) {
		const numbers = fs
			.readFileSync(numbersFile, 'utf8')
			.split(/\r?\n/)
			.map((line) => line.trim())
			.filter((line) => line !== '');
		const contacts = numbers.map((phone, index) => ({ name: `Number ${index + 1}`, phone }));
		for (const node of workflow.nodes as Array<{ name: string; parameters: Record<string, unknown> }>) {
			if (node.name === CONTACTS_NODE) node.parameters.jsonOutput = JSON.stringify({ contacts });
		}
	}
	return workflow;
}

function cell(value: unknown): string {
	if (value === null || value === undefined || value === '') return '-';
	return String(value);
}

function printTable(rows: string[][]): void {
	// Columns up to 32 characters wide; the last one (the note) in full.
	const last = rows[0].length - 1;
	const widths = rows[0].map((_, column) =>
		Math.min(column === last ? Infinity : 32, Math.max(...rows.map((row) => row[column].length))),
	);
	for (const [index, row] of rows.entries()) {
		say(row.map((value, column) => value.slice(0, widths[column]).padEnd(widths[column])).join('  '));
		if (index === 0) say(widths.map((width) => '-'.repeat(width)).join('  '));
	}
}

async function main(): Promise<void> {
	const numbersFile = process.argv.slice(2).find((arg) => !arg.startsWith('--'));
	const apiKey = process.env.EKYCPRO_API_KEY;
	const live = apiKey !== undefined && apiKey !== '' && numbersFile !== undefined;
	if (numbersFile !== undefined && !live)
		throw new Error('A file of numbers runs against the real API: set EKYCPRO_API_KEY too.');
	const major = Number(argValue('n8n') ?? '1') as N8nMajor;
	if (major !== 1 && major !== 2) throw new Error('--n8n must be 1 or 2');

	const packed = buildAndPack();
	say(`Preparing n8n ${major}.x (the first time this installs n8n into ~/.cache/n8n-nodes-ekycpro: a few minutes) ...`);
	const install = await ensureN8n(major);

	let sandbox: Sandbox | undefined;
	if (!live) {
		// A sped-up lifecycle: the demo's task is pending, processing, completed and exported within about 15 s.
		sandbox = await startSandbox({ timing: { pendingMs: 3_000, numbersPerSecond: 2, completedMs: 3_000 } });
		say(`eKYCPro sandbox on ${sandbox.baseUrl} (result files on ${sandbox.resultBaseUrl})`);
	} else {
		say(`Using the real eKYCPro API at ${REAL_API} with the numbers of ${numbersFile}: this task is charged.`);
	}

	const home = await newN8nHome(major);
	try {
		await installPackedPackage(home, packed.tarball);
		await importCredential(home, {
			id: 'ekycpro-sandbox',
			name: live ? 'eKYCPro' : 'eKYCPro sandbox',
			type: 'eKycProApi',
			data: live ? { apiKey, baseUrl: REAL_API } : { apiKey: sandbox!.apiKey, baseUrl: sandbox!.baseUrl },
		});
		const workflow = loadWorkflow(live ? numbersFile : undefined);
		const workflowId = await importWorkflow(home, workflow);
		say(`Running "${workflow.name}" in n8n ${install.version} ...`);
		const started = Date.now();
		const outcome = await executeWorkflowWithOutput(home, workflowId, 45 * 60_000);
		const seconds = ((Date.now() - started) / 1000).toFixed(1);
		const error = runError(outcome.run);
		if (error)
			throw new Error(
				`The workflow failed in "${error.node?.name ?? '?'}": ${error.message}\n${error.description ?? ''}`,
			);

		const contacts = nodeOutputItems(outcome.run, WAIT_NODE);
		const notFinished = nodeOutputItems(outcome.run, WAIT_NODE, { output: 1 });
		const created = nodeOutputItems(outcome.run, CREATE_NODE);
		say('');
		const rows: string[][] = [
			['contact', 'phone as given', 'E.164 sent', 'whatsapp', 'age', 'gender', 'picture', 'note'],
		];
		for (const item of contacts) {
			const ekycpro = (item.json.ekycpro ?? {}) as Record<string, unknown>;
			const result = (ekycpro.result ?? {}) as Record<string, unknown>;
			rows.push([
				cell(item.json.name),
				cell(item.json.phone),
				cell(ekycpro.number),
				cell(result.whatsapp),
				cell(result.age),
				cell(result.gender),
				cell(result.category),
				ekycpro.found === true ? '' : cell(ekycpro.reason),
			]);
		}
		printTable(rows);
		say('');
		const sent = new Set(
			created.map((item) => (item.json.ekycpro as Record<string, unknown> | undefined)?.number).filter(Boolean),
		);
		const rejected = created.filter(
			(item) => (item.json.ekycpro as Record<string, unknown> | undefined)?.rejected,
		).length;
		const taskId = (created[0]?.json.ekycpro as Record<string, unknown> | undefined)?.task_id;
		say(
			`Task ${cell(taskId)}: ${created.length} contacts in, ${sent.size} distinct numbers submitted, ${rejected} rejected before upload.`,
		);
		if (sandbox)
			say(
				`Charges: ${sandbox.charges} create; status calls: ${sandbox.statusCalls}; result downloads: ${sandbox.requests.filter((r) => r.server === 'result').length}.`,
			);
		if (notFinished.length > 0)
			say(`${notFinished.length} item(s) came out on "Not Finished": collect the task later by its id.`);
		say(`Workflow run time: ${seconds} s.`);
	} finally {
		await sandbox?.close();
		removeN8nHome(home);
		fs.rmSync(packed.dir, { recursive: true, force: true });
	}
}

main().catch((error: unknown) => {
	process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
	process.exit(1);
});
