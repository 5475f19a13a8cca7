import type { CheckDefinition } from '../checks';
import { apiError } from './apiError';
import { callApi } from './http';
import type { ApiSession } from './session';
import { taskFromAnswer } from './taskFromAnswer';
import type { EKycTask } from './types';

const CREATE_TIMEOUT_MS = 5 * 60_000;
const STATUS_TIMEOUT_MS = 60_000;
const UPLOAD_FILE_NAME = 'numbers.txt';
const TASK_ID_PATTERN = /^[A-Za-z0-9_.:-]{1,128}$/;

/** Checks a task id before it goes into a path or a form, so a typo fails here, not as a confusing 404. */
export function validateTaskId(session: ApiSession, raw: unknown, itemIndex: number): string {
	const taskId = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : '';
	if (!TASK_ID_PATTERN.test(taskId)) {
		const shown = raw === undefined || raw === null || raw === '' ? 'empty' : `"${String(raw).slice(0, 80)}"`;
		throw apiError(
			session.ctx,
			undefined,
			`The task ID is ${shown}, which is not a task ID`,
			'Give the task_id that Create Task returned (for example with the expression {{ $json.task_id }}). It is made of letters and digits, like "cs9viu7i61pkfs4oavvg".',
			itemIndex,
		);
	}
	return taskId;
}

/**
 * Uploads the numbers (one E.164 number per line) as a new task. Charged once it succeeds.
 * Legacy checks also send user_id when the credential has one; v1 checks send their task_type.
 */
export async function createTask(
	session: ApiSession,
	check: CheckDefinition,
	numbersText: string,
	itemIndex: number,
): Promise<EKycTask> {
	const form = new FormData();
	form.append('file', new Blob([numbersText], { type: 'text/plain' }), UPLOAD_FILE_NAME);
	let path: string;
	if (check.style === 'v1') {
		form.append('task_type', check.taskType ?? '');
		path = '/v1/tasks';
	} else {
		if (session.userId !== undefined) form.append('user_id', session.userId);
		path = `${check.path}/tasks`;
	}
	const body = await callApi(session, {
		method: 'POST',
		path,
		body: form,
		timeoutMs: CREATE_TIMEOUT_MS,
		policy: 'create',
		itemIndex,
		action: `creating a ${check.name} task`,
		checkName: check.name,
	});
	const task = taskFromAnswer(body, check.id);
	if (task === undefined) {
		throw apiError(
			session.ctx,
			200,
			'eKYCPro answered the create without a task ID',
			'The task may have been created and charged. Look for it in your eKYCPro account before creating it again.',
			itemIndex,
			{ possiblyCharged: true },
		);
	}
	return task;
}

/** Reads a task's status. Legacy: GET {path}/tasks/{id}; v1: POST /v1/gettasks with a task_id form field. */
export async function getTask(
	session: ApiSession,
	check: CheckDefinition,
	taskId: string,
	itemIndex: number,
	/** `once`: no retries here (the Wait node's loop retries on its own schedule, within Max Wait, counting each). */
	attempts: 'retry' | 'once' = 'retry',
): Promise<EKycTask> {
	const common = {
		maxAttempts: attempts === 'once' ? 1 : undefined,
		timeoutMs: STATUS_TIMEOUT_MS,
		policy: 'idempotent' as const,
		itemIndex,
		action: `reading the status of task ${taskId}`,
		taskId,
		checkName: check.name,
	};
	let body;
	if (check.style === 'v1') {
		const form = new FormData();
		form.append('task_id', taskId);
		body = await callApi(session, { ...common, method: 'POST', path: '/v1/gettasks', body: form });
	} else {
		body = await callApi(session, {
			...common,
			method: 'GET',
			path: `${check.path}/tasks/${encodeURIComponent(taskId)}`,
			qs: session.userId === undefined ? undefined : { user_id: session.userId },
		});
	}
	// With the id known, the answer always makes a task.
	return taskFromAnswer(body, check.id, taskId) as EKycTask;
}
