import type { IDataObject, IExecuteFunctions, IHttpRequestMethods, IHttpRequestOptions } from 'n8n-workflow';

import { errorForCancelled, errorForNetworkFailure, errorForNonJsonAnswer, errorForStatus } from './errorMessages';
import {
	backoffDelay,
	rememberRetryAfter,
	retryDelayAfterStatus,
	shouldRetryNetworkError,
	shouldRetryStatus,
	waitBeforeRetry,
} from './retry';
import type { RetryPolicy } from './retry';
import { CREDENTIAL_TYPE } from './session';
import type { ApiSession } from './session';

// Callers outside transport/ import these from here; each has its own home in this folder.
export { apiError } from './apiError';
export { isTransientApiError } from './networkErrors';
export { retryAfterOf } from './retry';
export { openSession } from './session';
export type { ApiSession, TransportContext } from './session';

export interface ApiCall {
	method: IHttpRequestMethods;
	path: string;
	body?: FormData;
	qs?: IDataObject;
	timeoutMs: number;
	policy: RetryPolicy;
	itemIndex: number;
	/** Shown in messages: "creating a Telegram task", "reading the status of task abc". */
	action: string;
	/** For 404 messages. */
	taskId?: string;
	checkName: string;
	/** Attempts in all for this call, when it is not the session's: the Wait node sends each status request once. */
	maxAttempts?: number;
}

export interface FullResponse {
	body: unknown;
	headers: Record<string, string | string[] | undefined>;
	statusCode: number;
}

/** A 2xx body as a JSON object, or undefined when it is not one. */
function jsonObjectOf(body: unknown): IDataObject | undefined {
	if (body && typeof body === 'object' && !Array.isArray(body)) return body as IDataObject;
	if (typeof body === 'string') {
		try {
			const parsed: unknown = JSON.parse(body);
			if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as IDataObject;
		} catch {
			// Not JSON: the caller reports it.
		}
	}
	return undefined;
}

/**
 * The only place that talks to the eKYCPro API. Authentication comes from the credential through n8n's
 * httpRequestWithAuthentication; status and body are read here so errors are built without the request.
 */
export async function callApi(session: ApiSession, call: ApiCall): Promise<IDataObject> {
	const { ctx } = session;
	const maxAttempts = call.maxAttempts ?? session.retry.maxAttempts;
	const retry = { ...session.retry, maxAttempts };
	const options: IHttpRequestOptions = {
		method: call.method,
		url: `${session.baseUrl}${call.path}`,
		qs: call.qs,
		body: call.body,
		json: true,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		timeout: call.timeoutMs,
		// The key is a custom header, which redirect-following would carry to any host: redirects are not followed.
		disableFollowRedirect: true,
		sendCredentialsOnCrossOriginRedirect: false,
	};
	if (call.body === undefined) delete options.body;
	if (call.qs === undefined) delete options.qs;

	for (let attempt = 1; ; attempt++) {
		let response: FullResponse;
		try {
			response = (await ctx.helpers.httpRequestWithAuthentication.call(
				ctx as IExecuteFunctions,
				CREDENTIAL_TYPE,
				options,
			)) as FullResponse;
		} catch (error) {
			// n8n aborts the request in flight when the execution is cancelled: that is no network failure.
			if (ctx.getExecutionCancelSignal?.()?.aborted) throw errorForCancelled(session, call);
			if (!shouldRetryNetworkError(call.policy, error) || attempt >= retry.maxAttempts) {
				throw errorForNetworkFailure(session, call, error, attempt);
			}
			if (!(await waitBeforeRetry(ctx, backoffDelay(attempt, retry)))) throw errorForCancelled(session, call);
			continue;
		}
		const status = response.statusCode;
		if (status >= 200 && status < 300) {
			const body = jsonObjectOf(response.body);
			if (body === undefined) throw errorForNonJsonAnswer(session, call, status, response.body);
			return body;
		}
		const delay = retryDelayAfterStatus(status, response.headers, attempt, retry);
		if (!shouldRetryStatus(call.policy, status) || attempt >= retry.maxAttempts) {
			const error = errorForStatus(session, call, response, attempt);
			if (status === 429) rememberRetryAfter(error, delay);
			throw error;
		}
		if (!(await waitBeforeRetry(ctx, delay))) throw errorForCancelled(session, call);
	}
}
