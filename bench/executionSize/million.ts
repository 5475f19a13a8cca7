/**
 * The one-off proof of the million-numbers recipe:  npx tsx bench/executionSize/million.ts [--major 2]
 *   [--count 1000000] [--batch 50000]
 *
 * examples/recipe-million.json and its sub-workflow in real n8n (`n8n execute`, SQLite for n8n's own data) against
 * the sandbox (tasks exported within seconds) and a real PostgreSQL holding the numbers and the results. Prints the
 * minutes, the executions n8n stored (and the largest), the charges, n8n's peak RSS, and the check of every row in
 * PostgreSQL against the sandbox's row for its number.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { executeWorkflowWithOutput, listExecutions, runError, storedExecutionChars } from '../../test/e2e/n8n';
import type { N8nMajor } from '../../test/e2e/n8n';
import { checkResultTable, PARENT_ID, setUpMillion, TASK_WORKFLOW_ID } from '../../test/e2e/recipeMillion';
import { startPostgres } from '../../test/e2e/services';

const repoRoot = path.resolve(__dirname, '..', '..');

function option(name: string): string | undefined {
	const index = process.argv.indexOf(`--${name}`);
	return index >= 0 ? process.argv[index + 1] : undefined;
}

/** The largest RSS of the `n8n execute` process of the parent, sampled from /proc (MB). */
function sampleExecuteRss(peak: { mb: number }): () => void {
	const timer = setInterval(() => {
		for (const entry of fs.readdirSync('/proc')) {
			if (!/^\d+$/.test(entry)) continue;
			try {
				const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8');
				if (!cmdline.includes('execute') || !cmdline.includes(`--id=${PARENT_ID}`)) continue;
				const match = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${entry}/status`, 'utf8'));
				if (match) peak.mb = Math.max(peak.mb, Number(match[1]) / 1024);
			} catch {
				// The process ended while we looked.
			}
		}
	}, 2_000);
	return () => clearInterval(timer);
}

async function main(): Promise<void> {
	const major = Number(option('major') ?? 2) as N8nMajor;
	const count = Number(option('count') ?? 1_000_000);
	const batchSize = Number(option('batch') ?? 50_000);
	const postgres = await startPostgres();
	const began = Date.now();
	const setup = await setUpMillion(repoRoot, major, postgres, {
		count,
		batchSize,
		timing: { pendingMs: 1_000, numbersPerSecond: 1_000_000, completedMs: 1_000 },
	});
	try {
		console.log(
			`n8n ${major}: ${count} numbers in PostgreSQL, batch_size ${batchSize}; set up in ${Math.round((Date.now() - began) / 1000)} s`,
		);
		const peak = { mb: 0 };
		const stop = sampleExecuteRss(peak);
		const started = Date.now();
		const { run, exitCode, output } = await executeWorkflowWithOutput(setup.home, PARENT_ID, 4 * 60 * 60_000);
		stop();
		const minutes = (Date.now() - started) / 60_000;
		const error = runError(run);
		console.log(
			`parent: exit ${exitCode}, ${error ? `error: ${error.message}` : 'no error'}, ${minutes.toFixed(1)} min, ` +
				`n8n execute peak RSS ${peak.mb.toFixed(0)} MB`,
		);
		if (error) console.log(output.slice(-3000));

		const executions = await listExecutions(setup.home);
		const sizes = await Promise.all(executions.map(async (e) => (await storedExecutionChars(setup.home, e.id)) ?? 0));
		const sub = executions.filter((e) => e.workflowId === TASK_WORKFLOW_ID);
		const parent = executions.filter((e) => e.workflowId === PARENT_ID);
		const largest = Math.max(...sizes);
		const parentSize = sizes[executions.findIndex((e) => e.workflowId === PARENT_ID)] ?? 0;
		console.log(
			`executions: ${parent.length} parent (${(parentSize / 1e6).toFixed(2)} MB stored), ${sub.length} sub-workflow ` +
				`(${sub.map((e) => e.status).join(',')}); largest stored ${(largest / 1e6).toFixed(1)} MB`,
		);
		console.log(`charges ${setup.sandbox.charges}, tasks ${setup.sandbox.tasks().length}`);

		const checking = Date.now();
		const table = await checkResultTable(postgres, setup.database, setup.sandbox);
		console.log(
			`PostgreSQL: ${table.rows} rows, ${table.mismatchCount} differ from the sandbox's row, ${table.missing} numbers ` +
				`without a row (checked in ${Math.round((Date.now() - checking) / 1000)} s)`,
		);
		for (const mismatch of table.mismatches) console.log(JSON.stringify(mismatch));
	} finally {
		await setup.close();
		await postgres.stop();
	}
}

main().catch((error: unknown) => {
	console.error(error);
	process.exit(1);
});
