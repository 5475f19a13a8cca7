/**
 * Fixtures shared by the Wait node's workflow tests: contacts in the shapes a CRM hands over, the rows the sandbox
 * promises for them, and what the sandbox saw.
 */
import type { IDataObject, INode } from 'n8n-workflow';

import type { Sandbox } from '../sandbox';
import { packageNode } from './harness';

export type CheckId = 'whatsappAvatar' | 'telegramAvatar' | 'telegram' | 'facebook' | 'instagram';

/** Create Task reading each contact's phone field (Swiss numbers without a country code are read as Swiss). */
export function createNode(check: CheckId, output: 'task' | 'inputItems'): INode {
	return packageNode('Create Task', 'eKycPro', {
		resource: check,
		operation: 'createTask',
		numbersSource: 'field',
		phoneField: 'phone',
		defaultCountry: 'CH',
		output,
	});
}

export function credentials(sandbox: Sandbox) {
	return { eKycProApi: { apiKey: sandbox.apiKey, baseUrl: sandbox.baseUrl } };
}

/** Distinct E.164 numbers, written as CRM contacts with a phone field. */
export function contactsFor(numbers: readonly string[]): IDataObject[] {
	return numbers.map((phone, index) => ({ name: `Contact ${index}`, phone }));
}

/** Distinct Swiss mobile numbers: +41 79 then seven digits. */
export function swissNumbers(count: number, seed = 0): string[] {
	return Array.from({ length: count }, (_, index) => `+4179${2_000_000 + seed * 100_000 + index * 37}`);
}

/**
 * What Simplify promises (README): keys trimmed and lower-cased, yes/no -> true/false, age -> a number, empty -> null,
 * anything else (such as "ban" or the number) as it is.
 */
export function simplified(row: Record<string, string>): IDataObject {
	const result: IDataObject = {};
	for (const [key, value] of Object.entries(row)) {
		const name = key.trim().toLowerCase();
		if (value.trim() === '') result[name] = null;
		else if (value.toLowerCase() === 'yes') result[name] = true;
		else if (value.toLowerCase() === 'no') result[name] = false;
		else if (name === 'age') result[name] = Number(value);
		else result[name] = value;
	}
	return result;
}

export function expectedRows(sandbox: Sandbox, check: CheckId, numbers: readonly string[]): IDataObject[] {
	return numbers.map((number) => simplified(sandbox.expectedRow(check, number)));
}

export function statusRequests(sandbox: Sandbox) {
	return sandbox.requests.filter(
		(request) => request.server === 'api' && (request.path === '/v1/gettasks' || /\/tasks\/[^/]+$/.test(request.path)),
	);
}

export function onlyTask(sandbox: Sandbox) {
	const tasks = sandbox.tasks();
	expect(tasks).toHaveLength(1);
	return tasks[0];
}
