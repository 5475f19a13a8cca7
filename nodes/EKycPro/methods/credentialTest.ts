import type { ICredentialsDecrypted, ICredentialTestFunctions, INodeCredentialTestResult } from 'n8n-workflow';

import { findCheck } from '../checks';
import { apiReason } from '../transport/apiError';
import { cleanBaseUrl } from '../transport/session';

/** A task id no create can return, so the status read answers 404 (free) to an accepted key. */
const PROBE_TASK_ID = 'n8n-credential-test';
/** A legacy check, whose status read is a plain GET (v1's is a multipart POST): its path comes from the catalogue. */
const PROBE_CHECK_ID = 'facebook';

/** The status path of a task that cannot exist, on the probe check. */
function probePath(): string {
	return `${findCheck(PROBE_CHECK_ID)?.path ?? ''}/tasks/${PROBE_TASK_ID}`;
}

/**
 * Tells an accepted key from a rejected one without spending: the status of a task that cannot exist answers
 * 404 or 400 to an accepted key and 401 or 403 to a rejected one.
 */
export async function eKycProApiTest(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	const data = credential.data ?? {};
	const apiKey = String(data.apiKey ?? '');
	const baseUrl = cleanBaseUrl(data.baseUrl);
	if (apiKey.trim() === '') return { status: 'Error', message: 'Enter the API key' };
	// The credential test context of n8n 1.x and 2.x offers only `request` (no httpRequest).
	const { request } = this.helpers;
	let response: { statusCode: number; body: unknown };
	try {
		response = await request({
			method: 'GET',
			uri: `${baseUrl}${probePath()}`,
			headers: { 'X-API-Key': apiKey },
			json: true,
			simple: false,
			resolveWithFullResponse: true,
			timeout: 20_000,
		});
	} catch (error) {
		const code =
			(error as { code?: string; cause?: { code?: string } }).cause?.code ?? (error as { code?: string }).code;
		return { status: 'Error', message: `Could not reach ${baseUrl}${code ? ` (${code})` : ''}. Check the base URL.` };
	}
	const status = response.statusCode;
	const isJson = response.body !== null && typeof response.body === 'object';
	if (status === 401 || status === 403) {
		// The API answers in JSON; an HTML or XML refusal comes from some other server at that address.
		return isJson
			? { status: 'Error', message: `eKYCPro rejected the API key (HTTP ${status}). Check the key.` }
			: {
					status: 'Error',
					message: `${baseUrl} refused the request (HTTP ${status}), but not in the eKYCPro API's form: the key was rejected or the base URL is not the API. Check both.`,
				};
	}
	if ((status >= 200 && status < 300) || status === 404 || status === 400) {
		// Any web server answers 404; only the API answers it in JSON.
		if (!isJson) {
			return {
				status: 'Error',
				message: `${baseUrl} answered HTTP ${status} but not as the eKYCPro API does. Check the base URL.`,
			};
		}
		return { status: 'OK', message: 'Connection successful: eKYCPro accepted the API key' };
	}
	const reason = apiReason(response.body);
	return {
		status: 'Error',
		message: `eKYCPro answered HTTP ${status}${reason ? `: ${reason}` : ''}. Try again later, or check the base URL.`,
	};
}
