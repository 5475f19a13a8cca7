/**
 * The `ekycpro` item field: the one contract between the two nodes.
 *
 * Create Task (Output "Input Items With Their Numbers") writes it on every input item: which task and check the item's
 * numbers went into, the E.164 number(s) it gave, and the values that were rejected. The eKYCPro Wait node reads it
 * back (its Task ID and Check defaults are expressions on it) and merges the result into it.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { normalisePhoneNumber } from './numbers';
import type { ResultRow } from './results';

/** A value of the item that could not be sent, and why. */
export interface RejectedValue {
	value: string;
	reason: string;
}

/** What Create Task writes. */
export interface TaskField {
	/** null: none of the input items' numbers was usable, so no task was created (nothing to wait for). */
	task_id: string | null;
	check: string;
	/** The item's number, when it gave exactly one. */
	number?: string;
	/** The item's numbers, when it gave several. */
	numbers?: string[];
	rejected?: RejectedValue[];
}

/** What the Wait node adds once the task is exported (or has not finished, then the progress summary). */
export interface ResultField extends TaskField {
	found?: boolean;
	/** The row of the item's number (one number), or null when the file has none. */
	result?: ResultRow | null;
	/** One entry per number (several numbers). */
	results?: Array<{ number: string; result: ResultRow | null }>;
	/** Why a number has no result: not sent, or not in the result file. */
	reason?: string;
}

/** The Wait node's default Task ID and Check: read the field, or the Task output of Create Task. */
export const TASK_ID_FROM_CREATE_TASK = '={{ $json.ekycpro ? $json.ekycpro.task_id : $json.task_id }}';
export const CHECK_FROM_CREATE_TASK = '={{ $json.ekycpro ? $json.ekycpro.check : $json.check }}';

export const FIELD = 'ekycpro';

/** The field as the item carries it (an empty object when it carries none). */
export function readField(item: INodeExecutionData): Partial<ResultField> {
	const field = item.json[FIELD];
	return field !== null && typeof field === 'object' && !Array.isArray(field) ? (field as Partial<ResultField>) : {};
}

/**
 * A copy of the item with its field replaced; the item's other fields and binary data stay, but not the park
 * mode's wait state (an item with a result or a summary has left the loop).
 */
function withField(item: INodeExecutionData, itemIndex: number, field: object): INodeExecutionData {
	const json: IDataObject = { ...item.json, [FIELD]: field as IDataObject };
	delete json[WAIT_STATE_FIELD];
	return { json, binary: item.binary, pairedItem: { item: itemIndex } };
}

/** Create Task's writer: the task (task_id null when none was created) and what the item gave. */
export function writeTaskField(
	item: INodeExecutionData,
	itemIndex: number,
	task: { task_id: string | null; check: string },
	numbers: readonly string[],
	rejected: readonly RejectedValue[],
): INodeExecutionData {
	const field: TaskField = { task_id: task.task_id, check: task.check };
	if (numbers.length === 1) field.number = numbers[0];
	else if (numbers.length > 1) field.numbers = [...numbers];
	if (rejected.length > 0) field.rejected = [...rejected];
	return withField(item, itemIndex, field);
}

/** Create Task sent none of the numbers, so the item carries no task: the Wait node passes it on as it is. */
export function carriesNoTask(item: INodeExecutionData): boolean {
	const field = readField(item);
	return field.task_id === null && Array.isArray(field.rejected);
}

/** The E.164 numbers the item carries. */
export function numbersOfItem(item: INodeExecutionData): string[] {
	const field = readField(item);
	if (typeof field.number === 'string') return [field.number];
	if (Array.isArray(field.numbers)) return field.numbers.filter((n): n is string => typeof n === 'string');
	return [];
}

/** Result rows by E.164 number; the number column may read `number`, `phone` or be the first column. */
export function indexRowsByNumber(rows: readonly ResultRow[]): Map<string, ResultRow> {
	const byNumber = new Map<string, ResultRow>();
	for (const row of rows) {
		const raw = row.number ?? row.phone ?? Object.values(row)[0];
		if (raw === null || raw === undefined || raw === '') continue;
		// Result files hold E.164 numbers, sometimes without their "+".
		const text = String(raw).trim();
		const normalised = normalisePhoneNumber(text.startsWith('+') ? text : `+${text}`);
		if (normalised.ok && !byNumber.has(normalised.e164)) byNumber.set(normalised.e164, row);
	}
	return byNumber;
}

/** The Wait node's merge: the item's own result(s), found or not and why. */
export function mergeResult(
	item: INodeExecutionData,
	itemIndex: number,
	byNumber: ReadonlyMap<string, ResultRow>,
): INodeExecutionData {
	const field: ResultField = { ...(readField(item) as TaskField) };
	const numbers = numbersOfItem(item);
	if (numbers.length === 0) {
		field.found = false;
		field.reason = Array.isArray(field.rejected)
			? `The number was not sent: ${field.rejected.map((r) => r.reason).join('; ')}`
			: 'The item carries no number (connect Create Task with Output "Input Items With Their Numbers")';
	} else {
		const results = numbers.map((number) => byNumber.get(number));
		const found = results.filter((row): row is ResultRow => row !== undefined);
		field.found = found.length > 0;
		if (numbers.length === 1) field.result = found[0] ?? null;
		else field.results = numbers.map((number, i) => ({ number, result: results[i] ?? null }));
		if (found.length < numbers.length) {
			const missing = numbers.filter((_, i) => results[i] === undefined);
			field.reason = `Not in the result file: ${missing.join(', ')}`;
		}
	}
	return withField(item, itemIndex, field);
}

/** The Wait node's merge for a task that did not finish: the progress summary joins the field. */
export function mergeNotFinished(
	item: INodeExecutionData,
	itemIndex: number,
	summary: IDataObject,
): INodeExecutionData {
	return withField(item, itemIndex, { ...readField(item), ...summary });
}

/**
 * Park mode: what the wait for one task has seen so far, carried by the first item of each task on Check Again (so
 * nothing is kept in memory or static data between passes) and removed from every item that leaves the loop.
 */
export const WAIT_STATE_FIELD = 'ekycpro_wait';

export interface WaitStateField {
	/** When the wait began (ms since the epoch): Max Wait counts from here. */
	started_at: number;
	/** Status requests sent so far. */
	polls: number;
	/** Transient errors in a row. */
	transient_in_row: number;
	/** When the next status call is due (ms since the epoch). */
	next_check_at: number;
	/** The progress samples the adaptive schedule reads: [at, status, total, done]. */
	samples: Array<[number, string, number, number]>;
	/** The last status answer, for the Not Finished summary. */
	last_task?: IDataObject;
}

export function readWaitState(item: INodeExecutionData): WaitStateField | undefined {
	const state = item.json[WAIT_STATE_FIELD];
	if (state === null || typeof state !== 'object' || Array.isArray(state)) return undefined;
	const candidate = state as Partial<WaitStateField>;
	const valid =
		typeof candidate.started_at === 'number' &&
		typeof candidate.polls === 'number' &&
		typeof candidate.next_check_at === 'number' &&
		Array.isArray(candidate.samples);
	return valid ? (candidate as WaitStateField) : undefined;
}

/** The item with `state` on it, or without any (`undefined`): the item's other fields and binary data stay. */
export function withWaitState(
	item: INodeExecutionData,
	itemIndex: number,
	state: WaitStateField | undefined,
): INodeExecutionData {
	const json: IDataObject = { ...item.json };
	if (state === undefined) delete json[WAIT_STATE_FIELD];
	else json[WAIT_STATE_FIELD] = state as unknown as IDataObject;
	return { json, binary: item.binary, pairedItem: { item: itemIndex } };
}
