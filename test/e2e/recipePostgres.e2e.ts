/**
 * The PostgreSQL recipes (examples/recipe-postgres.json and examples/recipe-batches.json) in real n8n 1.x and 2.x,
 * against the sandbox and a real PostgreSQL (Debian's package, on loopback, stopped after): the contacts live in a
 * database `crm` of their own, next to nothing of n8n's (n8n keeps SQLite here).
 *
 * - recipe-postgres: every due contact's row holds its own WhatsApp Avatar and Telegram results, rows not due are
 *   untouched and their numbers never sent, one charge per task, unusable numbers marked with the reason, written
 *   once each; run again at once it creates nothing; a 402 half-way leaves every row as it was and says what to do.
 * - recipe-batches: a list cut by Loop Over Items into tasks of `batch_size` (3 here): one charge per batch, every
 *   contact sent once and written once, and the upload size per number Create Task sends.
 *
 * A trigger on the table counts every UPDATE of a row (contact_writes), so "written once" is what PostgreSQL saw.
 * Runs with `n8n execute`: the sandbox's tasks end within seconds, so the Wait nodes (park mode) sleep in-process.
 *
 *   npm run build && npx jest -c test/e2e/jest.config.js test/e2e/recipePostgres.e2e.ts
 */
import * as path from 'node:path';

import { normalisePhoneNumber } from '../../nodes/EKycPro/numbers';
import { startSandbox } from '../sandbox';
import { EXAMPLES_CREDENTIAL } from './examplesHome';
import type { Sandbox } from '../sandbox';
import {
	e2eMajors,
	executeWorkflowWithOutput,
	readExample,
	runError,
	importCredentials,
	importWorkflows,
	type N8nCredentialImport,
	type N8nHome,
	type N8nWorkflowJson,
	type PackageHome,
	newPackageHome,
} from './n8n';
import { postgresDescribe, n8nPostgresCredential, psql, queryRows, startPostgres } from './services';
import type { PostgresService } from './services';

const repoRoot = path.resolve(__dirname, '..', '..');
const majors = e2eMajors();

/** The credentials the examples name. */
const EKYCPRO = EXAMPLES_CREDENTIAL;
const POSTGRES = { id: 'postgres-crm', name: 'CRM database (PostgreSQL)' };
/** A second eKYCPro credential, on a sandbox that refuses the second create with 402. */
const EKYCPRO_POOR = { id: 'ekycpro-poor', name: 'eKYCPro sandbox (balance 1)' };
const COUNTRY = 'CH';
const BATCH_SIZE = 3;

/** The table both recipes expect (their sticky notes), plus the write counter the test reads. */
const SCHEMA = `
CREATE TABLE contacts (
  id              integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name            text,
  phone           text,
  whatsapp        boolean,
  telegram        boolean,
  age             integer,
  gender          text,
  checked_at      timestamptz,
  checked_phone   text,
  not_sent_reason text
);
CREATE TABLE contact_writes (contact_id integer NOT NULL);
CREATE FUNCTION count_write() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN INSERT INTO contact_writes VALUES (NEW.id); RETURN NEW; END $$;
CREATE TRIGGER count_writes AFTER UPDATE ON contacts FOR EACH ROW EXECUTE FUNCTION count_write();
`;

interface ContactRow {
	id: number;
	name: string;
	phone: string | null;
	whatsapp: boolean | null;
	telegram: boolean | null;
	age: number | null;
	gender: string | null;
	checked_at: string | null;
	checked_phone: string | null;
	not_sent_reason: string | null;
}

/** A contact to insert: `checkedDaysAgo` (with old values) makes it checked before. */
interface Seed {
	name: string;
	phone: string | null;
	checkedDaysAgo?: number;
	reason?: string;
}

const BOBBY = "+41 79 111 22 33'); DROP TABLE contacts; --";
/** recipe-postgres's contacts; Settings says recheck after 30 days. */
const SEEDS: Seed[] = [
	{ name: 'Anna Keller', phone: '079 828 46 51' },
	{ name: 'Jonas Weber', phone: '+49 151 1234 5678' },
	{ name: 'Maria Rossi', phone: '0041 79 555 12 34', checkedDaysAgo: 40 },
	{ name: 'Liam Smith (checked 5 days ago)', phone: '+1 (415) 555-2671', checkedDaysAgo: 5 },
	{ name: 'Sara Yilmaz (checked 29 days ago)', phone: '+90 532 123 45 67', checkedDaysAgo: 29 },
	{ name: 'Anna Keller (duplicate)', phone: '+41798284651' },
	{ name: 'No Phone Ltd', phone: '' },
	{ name: 'Typo Tom', phone: 'call me maybe' },
	{ name: 'Short Sam', phone: '12345' },
	{ name: 'Bobby Tables', phone: BOBBY },
	{ name: 'Nobody (marked 60 days ago)', phone: null, checkedDaysAgo: 60, reason: 'no phone number' },
];

function sqlText(value: string | null): string {
	return value === null ? 'NULL' : `'${value.replace(/'/g, "''")}'`;
}

/** INSERTs for the seeds; a checked one carries values the recipe must overwrite (or, not due, keep). */
function insertSql(seeds: Seed[]): string {
	const rows = seeds.map((seed) => {
		const checked = seed.checkedDaysAgo !== undefined;
		const at = checked ? `now() - interval '${seed.checkedDaysAgo} days'` : 'NULL';
		const old = checked && !seed.reason ? "true, true, 99, 'old'" : 'NULL, NULL, NULL, NULL';
		return `(${sqlText(seed.name)}, ${sqlText(seed.phone)}, ${old}, ${at}, ${checked ? sqlText(seed.phone) : 'NULL'}, ${sqlText(seed.reason ?? null)})`;
	});
	return (
		'INSERT INTO contacts (name, phone, whatsapp, telegram, age, gender, checked_at, checked_phone, not_sent_reason) ' +
		`VALUES ${rows.join(', ')}`
	);
}

/** The values a row gets from the sandbox's row for its number (simplified: yes/no to booleans, age a number). */
function expectedValues(sandbox: Sandbox, e164: string) {
	const flag = (value: string | undefined) => (value === 'yes' ? true : value === 'no' ? false : null);
	const wa = lowerKeys(sandbox.expectedRow('whatsappAvatar', e164));
	const tg = lowerKeys(sandbox.expectedRow('telegram', e164));
	return {
		whatsapp: flag(wa.whatsapp),
		age: wa.age ? Number(wa.age) : null,
		gender: wa.gender ? wa.gender : null,
		telegram: flag(tg.telegram),
	};
}

function lowerKeys(row: Record<string, string>): Record<string, string> {
	return Object.fromEntries(Object.entries(row).map(([key, value]) => [key.trim().toLowerCase(), value]));
}

function e164Of(phone: string | null): string | undefined {
	if (!phone) return undefined;
	const normalised = normalisePhoneNumber(phone, COUNTRY);
	return normalised.ok ? normalised.e164 : undefined;
}

type WorkflowNode = {
	name: string;
	type: string;
	parameters: Record<string, unknown>;
	credentials?: Record<string, unknown>;
};

function withSetting(workflow: N8nWorkflowJson, name: string, value: unknown): N8nWorkflowJson {
	const copy = JSON.parse(JSON.stringify(workflow)) as N8nWorkflowJson;
	const settings = (copy.nodes as WorkflowNode[]).find((node) => node.name === 'Settings');
	const assignment = (
		(settings?.parameters.assignments as { assignments: Array<{ name: string; value: unknown }> }).assignments ?? []
	).find((entry) => entry.name === name);
	if (!assignment) throw new Error(`Settings has no ${name}`);
	assignment.value = value;
	return copy;
}

const seconds = (ms: number) => Math.round(ms / 1000);

const describeWithPostgres = postgresDescribe('recipePostgres.e2e');

describeWithPostgres('PostgreSQL recipes in real n8n', () => {
	let postgres: PostgresService;

	beforeAll(async () => {
		postgres = await startPostgres();
	}, 5 * 60_000);

	afterAll(async () => {
		await postgres?.stop();
	});

	describe.each(majors)('n8n %i.x', (major) => {
		let sandbox: Sandbox;
		let poorSandbox: Sandbox;
		let packageHome: PackageHome | undefined;
		let home: N8nHome;
		const database = `crm${major}`;
		const started = Date.now();
		const rows = () => queryRows<ContactRow>(postgres, 'SELECT * FROM contacts ORDER BY id', database);
		const writes = async () =>
			(
				await queryRows<{ contact_id: number; writes: number }>(
					postgres,
					'SELECT contact_id, count(*)::int AS writes FROM contact_writes GROUP BY contact_id ORDER BY contact_id',
					database,
				)
			).map((row) => [row.contact_id, row.writes]);
		const run = async (workflowId: string) => {
			const begun = Date.now();
			const outcome = await executeWorkflowWithOutput(home, workflowId, 8 * 60_000);
			console.log(`n8n ${major}: ${workflowId} ran in ${seconds(Date.now() - begun)} s`);
			return outcome;
		};

		beforeAll(async () => {
			const timing = { pendingMs: 1_000, numbersPerSecond: 20, completedMs: 1_000 };
			sandbox = await startSandbox({ timing });
			poorSandbox = await startSandbox({ timing, balance: 1 });
			packageHome = await newPackageHome(repoRoot, major, {
				...EKYCPRO,
				type: 'eKycProApi',
				data: { apiKey: sandbox.apiKey, baseUrl: sandbox.baseUrl },
			});
			home = packageHome.home;
			await psql(postgres, `CREATE DATABASE ${database}`, 'postgres');
			await psql(postgres, SCHEMA, database);
			const credentials: N8nCredentialImport[] = [
				n8nPostgresCredential(postgres, database, POSTGRES),
				{ ...EKYCPRO_POOR, type: 'eKycProApi', data: { apiKey: poorSandbox.apiKey, baseUrl: poorSandbox.baseUrl } },
			];
			await importCredentials(home, credentials);

			const recipe = readExample('recipe-postgres.json');
			// The same workflow on the sandbox that answers the second create with 402.
			const poor = JSON.parse(
				JSON.stringify(recipe).replace(/"ekycpro-sandbox"/g, `"${EKYCPRO_POOR.id}"`),
			) as N8nWorkflowJson;
			poor.id = `${recipe.id}Poor`;
			await importWorkflows(home, [
				recipe,
				poor,
				withSetting(readExample('recipe-batches.json'), 'batch_size', BATCH_SIZE),
			]);
		}, 45 * 60_000);

		afterAll(async () => {
			await sandbox?.close();
			await poorSandbox?.close();
			packageHome?.remove();
			console.log(`n8n ${major}: recipePostgres.e2e took ${seconds(Date.now() - started)} s`);
		});

		test('recipe-postgres: each due contact gets its own WhatsApp and Telegram results, one charge per task', async () => {
			await psql(postgres, insertSql(SEEDS), database);
			const before = await rows();
			const { run: result } = await run('ekycproRecipePostgres');
			expect(runError(result)).toBeUndefined();

			// Two tasks, two charges: the numbers of the due contacts that can be used, each sent once.
			expect(sandbox.charges).toBe(2);
			const tasks = sandbox.tasks();
			expect(tasks.map((task) => task.check).sort()).toEqual(['telegram', 'whatsappAvatar']);
			const due = before.filter((row) => row.checked_at === null || ['Maria Rossi'].includes(row.name));
			const sendable = [...new Set(due.map((row) => e164Of(row.phone)).filter((e164) => e164 !== undefined))];
			for (const task of tasks) expect([...task.numbers].sort()).toEqual([...sendable].sort());

			const after = await rows();
			const byName = new Map(after.map((row) => [row.name, row]));
			for (const row of before) {
				const now = byName.get(row.name) as ContactRow;
				const e164 = e164Of(row.phone);
				if (!due.includes(row)) {
					// Not due: the row as it was, its number in no task.
					expect(now).toEqual(row);
					if (e164) for (const task of tasks) expect(task.numbers).not.toContain(e164);
					continue;
				}
				expect(now.checked_at).not.toBeNull();
				expect(now.checked_phone).toBe(row.phone);
				if (e164) {
					expect({ ...now, name: row.name }).toMatchObject({ ...expectedValues(sandbox, e164), not_sent_reason: null });
				} else {
					expect(now).toMatchObject({ whatsapp: null, telegram: null, age: null, gender: null });
					expect(now.not_sent_reason).toEqual(expect.any(String));
				}
			}
			// The reasons: empty or letter-only phones are marked by SQL; the node says why the others were not sent.
			expect(byName.get('No Phone Ltd')?.not_sent_reason).toBe('no phone number');
			expect(byName.get('Typo Tom')?.not_sent_reason).toBe('no phone number');
			expect(byName.get('Short Sam')?.not_sent_reason).toMatch(/^The number was not sent: Too short/);
			expect(byName.get('Bobby Tables')?.not_sent_reason).toMatch(/^The number was not sent: .*letters/);
			// Contact data went in as parameters: the table stands and the phone is stored verbatim.
			expect(byName.get('Bobby Tables')?.checked_phone).toBe(BOBBY);
			// Every due contact written exactly once (the trigger's count), nobody else.
			expect(await writes()).toEqual(due.map((row) => [row.id, 1]));
			const flags = after.filter((row) => due.some((d) => d.id === row.id) && e164Of(row.phone));
			console.log(
				`n8n ${major}: ${due.length} due of ${before.length}, ${sendable.length} numbers per task; ` +
					`whatsapp ${JSON.stringify(flags.map((row) => row.whatsapp))}, telegram ${JSON.stringify(flags.map((row) => row.telegram))}`,
			);
		});

		test('recipe-postgres: run again at once, nothing is due, nothing is created', async () => {
			const before = await rows();
			const writesBefore = await writes();
			const { run: result } = await run('ekycproRecipePostgres');
			expect(runError(result)).toBeUndefined();
			expect(sandbox.charges).toBe(2);
			expect(sandbox.tasks()).toHaveLength(2);
			// The run stopped at the empty SELECT: no create node ran.
			expect(Object.keys(result.data.resultData.runData)).not.toContain('eKYCPro: WhatsApp Avatar task');
			expect(await rows()).toEqual(before);
			expect(await writes()).toEqual(writesBefore);
		});

		test('recipe-postgres: a 402 half-way leaves every row as it was and says to top up', async () => {
			await psql(
				postgres,
				insertSql([
					{ name: 'New 1', phone: '079 444 55 66' },
					{ name: 'New 2', phone: '+41 (0) 79 333 44 55' },
				]),
				database,
			);
			const before = await rows();
			const writesBefore = await writes();
			const { run: result, exitCode } = await run('ekycproRecipePostgresPoor');
			expect(exitCode).not.toBe(0);
			const error = runError(result);
			expect(error?.message).toBe('Your eKYCPro balance is too low to create this task');
			expect(error?.description).toMatch(/Top up your eKYCPro balance/);
			// The first task was created and charged; the second was refused; nothing was written.
			expect(poorSandbox.charges).toBe(1);
			expect(Object.keys(result.data.resultData.runData)).not.toContain('Write results');
			expect(await rows()).toEqual(before);
			expect(await writes()).toEqual(writesBefore);
		});

		test('recipe-batches: one task and one charge per batch, every contact written once', async () => {
			await psql(postgres, 'TRUNCATE contacts, contact_writes RESTART IDENTITY', database);
			const phones = [
				'079 100 00 01',
				'079 100 00 02',
				'+49 151 2000 0003',
				'079 100 00 04',
				'+1 (415) 555-0105',
				'079 100 00 06',
				'079 100 00 07',
				'079 100 00 08',
			];
			await psql(
				postgres,
				insertSql(phones.map((phone, index) => ({ name: `Batch contact ${index + 1}`, phone }))),
				database,
			);
			const chargesBefore = sandbox.charges;
			const tasksBefore = new Set(sandbox.tasks().map((task) => task.id));
			const { run: result } = await run('ekycproRecipeBatches');
			expect(runError(result)).toBeUndefined();

			const batches = Math.ceil(phones.length / BATCH_SIZE);
			expect(sandbox.charges - chargesBefore).toBe(batches);
			const tasks = sandbox.tasks().filter((task) => !tasksBefore.has(task.id));
			expect(tasks.map((task) => task.numbers.length)).toEqual([3, 3, 2]);
			// Every number in exactly one task.
			const sent = tasks.flatMap((task) => [...task.numbers]);
			expect(sent.sort()).toEqual(phones.map((phone) => e164Of(phone) as string).sort());

			const after = await rows();
			expect(await writes()).toEqual(after.map((row) => [row.id, 1]));
			for (const row of after) {
				const e164 = e164Of(row.phone) as string;
				const { whatsapp, age, gender } = expectedValues(sandbox, e164);
				expect(row).toMatchObject({
					whatsapp,
					age,
					gender,
					telegram: null,
					not_sent_reason: null,
					checked_phone: row.phone,
				});
				expect(row.checked_at).not.toBeNull();
			}

			// What one number costs in the upload Create Task sends (multipart: the file of E.164 numbers, one a line).
			const creates = sandbox.requests.filter(
				(request) => request.server === 'api' && request.method === 'POST' && request.status === 200,
			);
			const sizes = creates.slice(-batches).map((request) => Number(request.headers['content-length']));
			const text = tasks.map((task) => task.numbers.reduce((sum, e164) => sum + e164.length + 1, 0));
			console.log(
				`n8n ${major}: ${batches} batches of ${BATCH_SIZE}; create uploads ${JSON.stringify(sizes)} bytes, ` +
					`of which numbers (E.164 + newline) ${JSON.stringify(text)}`,
			);
		});
	});
});
