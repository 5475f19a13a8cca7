import type { IDataObject } from 'n8n-workflow';

import { EXPORTED, PENDING } from '../taskStatus';
import type { EKycTask } from './types';

function toCount(value: unknown): number {
	const n = typeof value === 'string' ? Number(value) : value;
	return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? n : 0;
}

function toText(value: unknown): string | undefined {
	if (typeof value === 'string' && value !== '') return value;
	if (typeof value === 'number') return String(value);
	return undefined;
}

/**
 * Turns a create or status answer of either API style into the one task shape.
 * Returns undefined when the answer carries no task id (the caller then reports what came back).
 */
export function taskFromAnswer(body: IDataObject, checkId: string, knownTaskId?: string): EKycTask | undefined {
	const taskId = toText(body.task_id) ?? toText(body.id) ?? knownTaskId;
	if (taskId === undefined) return undefined;
	const total = toCount(body.total);
	const success = toCount(body.success);
	const failure = toCount(body.failure);
	// Lower-cased but not trimmed as normaliseStatus does: the status users see in the output stays as it was.
	const status = (toText(body.status) ?? PENDING).toLowerCase();
	const task: EKycTask = {
		task_id: taskId,
		check: checkId,
		status,
		total,
		success,
		failure,
		progress: total > 0 ? Math.min(1, (success + failure) / total) : status === EXPORTED ? 1 : 0,
	};
	const createdAt = toText(body.created_at);
	if (createdAt !== undefined) task.created_at = createdAt;
	const updatedAt = toText(body.updated_at);
	if (updatedAt !== undefined) task.updated_at = updatedAt;
	const userId = toText(body.user_id);
	if (userId !== undefined) task.user_id = userId;
	const resultUrl = toText(body.result_url);
	if (resultUrl !== undefined) task.result_url = resultUrl;
	const message = toText(body.message);
	if (message !== undefined) task.message = message;
	return task;
}
