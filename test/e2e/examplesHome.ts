/**
 * What the tests that run example workflows share: the credential the examples name, a sandbox whose tasks finish in
 * seconds, an n8n home with the packed package and that credential pointing at the sandbox, and the result row a user
 * sees for a number.
 */
import { simplifyRow } from '../../nodes/EKycPro/results';
import type { ResultRow } from '../../nodes/EKycPro/results';
import { startSandbox } from '../sandbox';
import type { Sandbox } from '../sandbox';
import { newPackageHome } from './n8n';
import type { N8nMajor, PackageHome } from './n8n';

/** The eKYCPro credential every example workflow names (examples/*.json). */
export const EXAMPLES_CREDENTIAL = { id: 'ekycpro-sandbox', name: 'eKYCPro sandbox' };

/** Tasks exported within a few seconds: the Wait node sleeps in-process, even in park mode (it parks from 65 s). */
export const QUICK_TASKS = { pendingMs: 1_000, numbersPerSecond: 20, completedMs: 1_000 };

/** A quick sandbox and an n8n home (packed package installed) whose examples' credential points at it. */
export async function newExamplesHome(
	repoRoot: string,
	major: N8nMajor,
): Promise<{ sandbox: Sandbox; packageHome: PackageHome }> {
	const sandbox = await startSandbox({ timing: QUICK_TASKS });
	try {
		const packageHome = await newPackageHome(repoRoot, major, {
			...EXAMPLES_CREDENTIAL,
			type: 'eKycProApi',
			data: { apiKey: sandbox.apiKey, baseUrl: sandbox.baseUrl },
		});
		return { sandbox, packageHome };
	} catch (error) {
		await sandbox.close();
		throw error;
	}
}

/** The result row a user sees for a number: the sandbox's row, header keys normalised, simplified. */
export function expectedUserRow(sandbox: Sandbox, check: string, e164: string): ResultRow {
	const row: ResultRow = {};
	for (const [key, value] of Object.entries(sandbox.expectedRow(check, e164))) row[key.trim().toLowerCase()] = value;
	return simplifyRow(row);
}
