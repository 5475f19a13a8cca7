/**
 * The million-numbers recipe at small scale in real n8n (the last major of the run) with a real PostgreSQL: the
 * parent plans batches and calls the sub-workflow once per batch (Execute Workflow); each call creates one task,
 * waits, writes every row and returns one summary. 3 batches of 2,000 numbers: every row in PostgreSQL equals the
 * sandbox's row for its number, one charge per batch, run again at once sends nothing. And Max Rows as Items in
 * real n8n: a result over a tiny limit stops Download Result before anything is downloaded, saying what to do.
 * The same workflows ran at 1,000,000 numbers once: bench/executionSize/million.ts.
 *
 *   npm run build && npx jest -c test/e2e/jest.config.js test/e2e/recipeMillion.e2e.ts
 */
import * as path from 'node:path';

import { MILLION_RECIPE_URL } from '../../nodes/EKycPro/helpers/rowGuard';
import {
	e2eMajors,
	executeWorkflowWithOutput,
	listExecutions,
	node,
	nodeOutputJson,
	runError,
	storedExecutionChars,
	type N8nWorkflowJson,
} from './n8n';
import {
	checkResultTable,
	EKYCPRO,
	POSTGRES,
	numberAt,
	PARENT_ID,
	setUpMillion,
	TASK_WORKFLOW_ID,
} from './recipeMillion';
import type { MillionSetup } from './recipeMillion';
import { postgresDescribe, startPostgres } from './services';
import type { PostgresService } from './services';

const repoRoot = path.resolve(__dirname, '..', '..');
const major = e2eMajors().slice(-1)[0];
const BATCH_SIZE = 2_000;
const BATCHES = 3;
const COUNT = BATCH_SIZE * BATCHES;
const GUARD_ID = 'ekycproMillionGuard';
const GUARD_LIMIT = 1_000;

/** Manual -> the task of one written row (PostgreSQL) -> Download Result with a tiny Max Rows as Items. */
function guardWorkflow(): N8nWorkflowJson {
	return {
		id: GUARD_ID,
		name: 'million: Max Rows as Items',
		nodes: [
			node('Run now', 'n8n-nodes-base.manualTrigger', 1, {}),
			node(
				'A task of the recipe',
				'n8n-nodes-base.postgres',
				2.6,
				{
					operation: 'executeQuery',
					query: 'SELECT task_id FROM ekycpro_whatsapp_avatar ORDER BY number LIMIT 1',
					options: {},
				},
				{ credentials: { postgres: POSTGRES } },
			),
			node(
				'Download Result',
				'n8n-nodes-ekycpro.eKycPro',
				1,
				{
					resource: 'whatsappAvatar',
					operation: 'downloadResult',
					taskId: '={{ $json.task_id }}',
					resultOutput: 'rows',
					returnAll: true,
					simplify: true,
					maxRowsAsItems: GUARD_LIMIT,
				},
				{ credentials: { eKycProApi: EKYCPRO } },
			),
		],
		connections: {
			'Run now': { main: [[{ node: 'A task of the recipe', type: 'main', index: 0 }]] },
			'A task of the recipe': { main: [[{ node: 'Download Result', type: 'main', index: 0 }]] },
		},
	};
}

const seconds = (ms: number) => Math.round(ms / 1000);

const describeWithPostgres = major !== undefined ? postgresDescribe('recipeMillion.e2e') : describe.skip;

describeWithPostgres(`the million-numbers recipe in real n8n ${major}.x, at ${COUNT} numbers`, () => {
	let postgres: PostgresService;
	let setup: MillionSetup;
	const started = Date.now();

	beforeAll(async () => {
		postgres = await startPostgres();
		setup = await setUpMillion(repoRoot, major, postgres, {
			count: COUNT,
			batchSize: BATCH_SIZE,
			timing: { pendingMs: 500, numbersPerSecond: 5_000, completedMs: 500 },
			extraWorkflows: [guardWorkflow()],
		});
	}, 45 * 60_000);

	afterAll(async () => {
		await setup?.close();
		await postgres?.stop();
		console.log(`n8n ${major}: recipeMillion.e2e took ${seconds(Date.now() - started)} s`);
	});

	test('one sub-workflow execution per batch: every row written, one charge per batch, small summaries', async () => {
		const { home, sandbox } = setup;
		const begun = Date.now();
		const { run, output } = await executeWorkflowWithOutput(home, PARENT_ID, 10 * 60_000);
		if (runError(run)) console.log(output.slice(-4000));
		expect(runError(run)).toBeUndefined();
		console.log(`n8n ${major}: the recipe ran ${COUNT} numbers in ${seconds(Date.now() - begun)} s`);

		// One task per batch, each charged once, together every number once.
		expect(sandbox.charges).toBe(BATCHES);
		const tasks = sandbox.tasks();
		expect(tasks.map((task) => task.numbers.length)).toEqual([BATCH_SIZE, BATCH_SIZE, BATCH_SIZE]);
		const sent = tasks.flatMap((task) => [...task.numbers]).sort();
		expect(sent).toEqual(Array.from({ length: COUNT }, (_, index) => numberAt(index)));

		// The parent holds one small summary per batch, nothing of the rows.
		const summaries = nodeOutputJson(run, 'All batches done (one summary each)');
		expect(summaries).toEqual(
			tasks.map((task) => ({ task_id: task.id, numbers_sent: BATCH_SIZE, rows_written: BATCH_SIZE })),
		);

		// Every row in PostgreSQL is the sandbox's row for its number, from the task that held it.
		const table = await checkResultTable(postgres, setup.database, sandbox);
		expect(table.mismatches).toEqual([]);
		expect(table).toMatchObject({ rows: COUNT, mismatchCount: 0, missing: 0 });

		// One execution of the sub-workflow per batch; the figures for the README.
		const executions = await listExecutions(home);
		const subExecutions = executions.filter((execution) => execution.workflowId === TASK_WORKFLOW_ID);
		expect(subExecutions.map((execution) => execution.status)).toEqual(['success', 'success', 'success']);
		const sizes = await Promise.all(executions.map(async (e) => (await storedExecutionChars(home, e.id)) ?? 0));
		console.log(
			`n8n ${major}: executions ${executions.map((e, i) => `${e.workflowId} ${e.status} ${(sizes[i] / 1e6).toFixed(2)} MB`).join('; ')}`,
		);
	});

	test('run again at once: nothing is due, nothing is sent', async () => {
		const { home, sandbox } = setup;
		const { run } = await executeWorkflowWithOutput(home, PARENT_ID, 5 * 60_000);
		expect(runError(run)).toBeUndefined();
		expect(nodeOutputJson(run, 'Plan the batches')).toEqual([]);
		expect(sandbox.charges).toBe(BATCHES);
		expect(sandbox.tasks()).toHaveLength(BATCHES);
	});

	test('Max Rows as Items in real n8n: a result over it stops Download Result before the download', async () => {
		const { home, sandbox } = setup;
		// The first batch's task: the lowest number is in it.
		const task = sandbox.tasks()[0];
		const downloadsBefore = sandbox.requests.filter((request) => request.server === 'result').length;

		const { run } = await executeWorkflowWithOutput(home, GUARD_ID, 5 * 60_000);
		const error = runError(run);
		expect(error?.message).toBe(`The result of task ${task.id} has 2,000 rows, more than Max Rows as Items (1,000)`);
		expect(String(error?.description)).toContain(MILLION_RECIPE_URL);
		expect(String(error?.description)).toContain('Result As to File');
		expect(sandbox.requests.filter((request) => request.server === 'result').length).toBe(downloadsBefore);
	});
});
