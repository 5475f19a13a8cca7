import type { IHttpRequestOptions } from 'n8n-workflow';

import type { CheckDefinition } from '../checks';
import { apiError, apiReason } from './apiError';
import { describeNetworkError } from './networkErrors';
import { backoffDelay, waitBeforeRetry } from './retry';
import type { ApiSession } from './session';
import { getTask } from './tasks';
import { EXPORTED, FAILED } from '../taskStatus';
import type { EKycTask } from './types';

const DOWNLOAD_TIMEOUT_MS = 10 * 60_000;
/** Downloads of one URL, the first included; a cut-short body or a dropped connection is tried again. */
const DOWNLOAD_ATTEMPTS = 3;

export interface DownloadedResult {
	data: Buffer;
	/** The task as last read; its result_url is the one the file came from. */
	task: EKycTask;
	/** Status calls made to refresh an expired URL. */
	refreshes: number;
	downloads: number;
}

/** The error for a task whose file cannot be downloaded yet, with its status and progress. */
export function notExportedError(session: ApiSession, check: CheckDefinition, task: EKycTask, itemIndex: number) {
	const percent = Math.floor(task.progress * 100);
	return apiError(
		session.ctx,
		undefined,
		`Task ${task.task_id} is not exported yet: status "${task.status}", ${task.success + task.failure} of ${task.total} numbers done (${percent}%)`,
		task.status === FAILED
			? "The task failed on eKYCPro's side and has no result file. Create a new task."
			: `The ${check.name} result can be downloaded once the status is "exported". Use the eKYCPro Wait node to wait for it, or try again later.`,
		itemIndex,
		{
			task_id: task.task_id,
			status: task.status,
			total: task.total,
			success: task.success,
			failure: task.failure,
			progress: task.progress,
		},
	);
}

function headerValue(headers: Record<string, unknown> | undefined, name: string): string | undefined {
	const value = headers?.[name];
	if (Array.isArray(value)) return String(value[0]);
	return value === undefined ? undefined : String(value);
}

/** S3 and similar hosts answer an expired presigned URL with 403 (AccessDenied / Request has expired). */
function looksExpired(status: number, body: unknown): boolean {
	if (status === 403 || status === 410) return true;
	if (status === 400 || status === 404) return /expired|AccessDenied/i.test(apiReason(body) ?? '');
	return false;
}

/**
 * Downloads the result file of an exported task from the URL exactly as eKYCPro gave it, WITHOUT the API key
 * (the file is on a third-party host). An expired URL is refreshed with one status call and tried once more.
 */
export async function downloadResultFile(
	session: ApiSession,
	check: CheckDefinition,
	exportedTask: EKycTask,
	itemIndex: number,
): Promise<DownloadedResult> {
	const { ctx } = session;
	let task = exportedTask;
	let refreshes = 0;
	let downloads = 0;
	let failures = 0;
	for (;;) {
		if (task.status !== EXPORTED || task.result_url === undefined)
			throw notExportedError(session, check, task, itemIndex);
		const options: IHttpRequestOptions = {
			method: 'GET',
			url: task.result_url,
			encoding: 'arraybuffer',
			json: false,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			timeout: DOWNLOAD_TIMEOUT_MS,
		};
		downloads++;
		let response: { body: unknown; headers: Record<string, unknown>; statusCode: number };
		try {
			response = (await ctx.helpers.httpRequest(options)) as typeof response;
		} catch (error) {
			// A download is free and idempotent: any failure (including a body cut short mid-stream) is tried again.
			failures++;
			if (failures >= DOWNLOAD_ATTEMPTS) {
				throw apiError(
					ctx,
					undefined,
					`Downloading the result file of task ${task.task_id} failed: ${describeNetworkError(error)}`,
					'The result host did not answer in full. The task is paid and exported: run Download Result again later with the same task ID.',
					itemIndex,
					{ task_id: task.task_id },
				);
			}
			await waitBeforeRetry(ctx, backoffDelay(failures, session.retry));
			continue;
		}
		const status = response.statusCode;
		if (status >= 200 && status < 300) {
			const data = Buffer.from(response.body as ArrayBuffer);
			const declared = Number(headerValue(response.headers, 'content-length'));
			if (Number.isFinite(declared) && declared > 0 && data.length < declared) {
				failures++;
				if (failures >= DOWNLOAD_ATTEMPTS) {
					throw apiError(
						ctx,
						status,
						`The result file of task ${task.task_id} arrived cut short (${data.length} of ${declared} bytes), ${failures} times`,
						'The task is paid and exported: run Download Result again later with the same task ID.',
						itemIndex,
						{ task_id: task.task_id },
					);
				}
				continue;
			}
			return { data, task, refreshes, downloads };
		}
		if (looksExpired(status, response.body) && refreshes === 0) {
			// Each status call hands out a fresh URL.
			refreshes++;
			task = await getTask(session, check, task.task_id, itemIndex);
			continue;
		}
		throw apiError(
			ctx,
			status,
			`The result host answered HTTP ${status} for the file of task ${task.task_id}`,
			looksExpired(status, response.body)
				? 'The download link had expired and a fresh one failed too. Run Download Result again with the same task ID.'
				: `The task is paid and exported: run Download Result again later with the same task ID. ${apiReason(response.body) ?? ''}`.trim(),
			itemIndex,
			{ task_id: task.task_id },
		);
	}
}
