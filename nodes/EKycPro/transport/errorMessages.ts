/**
 * The error-message catalogue: what a user reads when a call to the API fails, by HTTP status or network failure,
 * and what was charged. The wording is tested (test/unit/transport.test.ts, test/workflow/faults.test.ts).
 */

import type { NodeApiError } from 'n8n-workflow';

import { apiError, apiReason } from './apiError';
import type { ApiCall, FullResponse } from './http';
import { describeNetworkError, networkErrorCode, wasNotSent } from './networkErrors';
import type { ApiSession } from './session';

function headerText(value: string | string[] | undefined): string | undefined {
	return Array.isArray(value) ? value[0] : value;
}

function hostOf(url: string): string {
	const match = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]+)/i.exec(url);
	return match ? match[1] : url.slice(0, 100);
}

/** The error for an answer that is not a success, after `attempts` tries. */
export function errorForStatus(
	session: ApiSession,
	call: ApiCall,
	response: FullResponse,
	attempts: number,
): NodeApiError {
	const status = response.statusCode;
	const rawReason = apiReason(response.body);
	const reason = rawReason === undefined ? undefined : session.redact(rawReason);
	const said = reason ? ` eKYCPro said: "${reason}".` : '';
	const ctx = session.ctx;
	const i = call.itemIndex;
	const free = call.policy === 'create' ? ' No task was created and nothing was charged.' : '';
	switch (status) {
		case 400:
			return apiError(
				ctx,
				status,
				`eKYCPro refused the request while ${call.action}: ${reason ?? 'bad request'}`,
				call.policy === 'create'
					? `The API rejected the parameters or the file of numbers.${free} Check the numbers (one E.164 number per line), the check's task type or path, and the minimum batch size of this check.`
					: 'Check that the task ID is right and belongs to the chosen check.',
				i,
				{ reason: reason ?? null },
			);
		case 401:
		case 403:
			return apiError(
				ctx,
				status,
				`eKYCPro rejected the API key (HTTP ${status}) while ${call.action}`,
				`Open the eKYCPro API credential and check the API key and the base URL (${session.baseUrl}).${free}${said}`,
				i,
			);
		case 402:
			return apiError(
				ctx,
				status,
				'Your eKYCPro balance is too low to create this task',
				`No task was created and nothing was charged. Top up your eKYCPro balance, or send fewer numbers.${said}`,
				i,
			);
		case 404:
			return apiError(
				ctx,
				status,
				call.taskId === undefined
					? `eKYCPro has no such endpoint (HTTP 404) while ${call.action}`
					: `Task "${call.taskId}" was not found for the ${call.checkName} check`,
				call.taskId === undefined
					? `Check the base URL in the credential (${session.baseUrl}) and, for a custom check, its task type or path.${said}`
					: `Check the task ID, and that the node's resource is the check the task was created with (a task of one check cannot be read through another).${said}`,
				i,
			);
		case 413:
			return apiError(
				ctx,
				status,
				'The file of numbers is too large for eKYCPro',
				`Split the numbers into smaller batches (for example with a Loop Over Items node in front of this one) and create one task per batch.${free}${said}`,
				i,
			);
		case 429:
			return apiError(
				ctx,
				status,
				`eKYCPro is rate limiting requests (HTTP 429) while ${call.action}, and kept doing so after ${attempts} attempts`,
				`Wait a few minutes before running again, or poll less often.${free}${said}`,
				i,
			);
		default:
			if (status >= 500 && call.policy === 'create' && status !== 500) {
				// A gateway's 502/503/504 does not say whether the server behind it created the task.
				return apiError(
					ctx,
					status,
					`eKYCPro answered HTTP ${status} while ${call.action}`,
					`A gateway answered, so eKYCPro may have created the task and charged for it; it was not sent again. Look for the task in your eKYCPro account before creating it again.${said}`,
					i,
					{ possiblyCharged: true },
				);
			}
			if (status >= 500) {
				return apiError(
					ctx,
					status,
					`eKYCPro answered with a server error (HTTP ${status}) while ${call.action}${attempts > 1 ? `, ${attempts} times in a row` : ''}`,
					`The eKYCPro service has a problem; server errors are not charged. Try again later.${said}`,
					i,
				);
			}
			if (status >= 300 && status < 400) {
				const location = headerText(response.headers.location);
				return apiError(
					ctx,
					status,
					`eKYCPro answered with a redirect (HTTP ${status})${location ? ` to ${hostOf(location)}` : ''} while ${call.action}`,
					`The API key is not sent on to another address. Check the base URL in the credential (${session.baseUrl}); use the address the API answers on directly, with https.`,
					i,
				);
			}
			return apiError(
				ctx,
				status,
				`eKYCPro answered HTTP ${status} while ${call.action}`,
				`This answer was not expected.${said}`,
				i,
			);
	}
}

/** The error for a 2xx answer whose body is not a JSON object. */
export function errorForNonJsonAnswer(session: ApiSession, call: ApiCall, status: number, body: unknown): NodeApiError {
	return apiError(
		session.ctx,
		status,
		`eKYCPro answered without the expected JSON while ${call.action}`,
		`The answer began with: ${session.redact(apiReason(body) ?? '(empty)')}. Check the base URL in the credential.` +
			(call.policy === 'create' ? ' The task may have been created and charged: look it up before trying again.' : ''),
		call.itemIndex,
	);
}

/** The error for a request that got no answer, after `attempts` tries. */
export function errorForNetworkFailure(
	session: ApiSession,
	call: ApiCall,
	error: unknown,
	attempts: number,
): NodeApiError {
	const code = networkErrorCode(error) ?? 'unknown';
	const words = describeNetworkError(error);
	const ctx = session.ctx;
	if (wasNotSent(code)) {
		return apiError(
			ctx,
			undefined,
			`Could not reach eKYCPro at ${session.baseUrl} while ${call.action}: ${words}`,
			`The request never reached the server, so nothing was charged. Check the base URL in the eKYCPro API credential and this machine's network.`,
			call.itemIndex,
			{ networkCode: code },
		);
	}
	if (call.policy === 'create') {
		return apiError(
			ctx,
			undefined,
			`The request to create the task was sent, but no answer came back: ${words}`,
			'eKYCPro may have created the task and charged for it. It was not sent again, because a second try could charge twice. ' +
				'Look for the task in your eKYCPro account (or run Get Status with its task ID) before creating it again.',
			call.itemIndex,
			{ networkCode: code, possiblyCharged: true },
		);
	}
	return apiError(
		ctx,
		undefined,
		`The connection to eKYCPro failed while ${call.action}, ${attempts} times in a row: ${words}`,
		`Check this machine's network and the base URL (${session.baseUrl}). Reading a status can be retried safely.`,
		call.itemIndex,
		{ networkCode: code },
	);
}

/** The error for a call stopped because the execution was cancelled. */
export function errorForCancelled(session: ApiSession, call: ApiCall): NodeApiError {
	return apiError(
		session.ctx,
		undefined,
		`The execution was cancelled while ${call.action}`,
		call.policy === 'create'
			? 'The create request may have reached eKYCPro and been charged: look the task up (Get Status) before creating it again.'
			: 'Nothing more was sent.',
		call.itemIndex,
	);
}
