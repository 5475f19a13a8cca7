import type { IExecuteFunctions } from 'n8n-workflow';

import { DEFAULT_BASE_URL } from '../../../credentials/EKycProApi.credentials';
import { DEFAULT_RETRY } from './retry';
import type { RetryOptions } from './retry';

export const CREDENTIAL_TYPE = 'eKycProApi';

/** What the transport needs from n8n: both nodes' execute contexts fit. */
export type TransportContext = Pick<
	IExecuteFunctions,
	'getNode' | 'getCredentials' | 'helpers' | 'getExecutionCancelSignal'
>;

/** One set of credentials and retry rules for the calls of one node run. */
export interface ApiSession {
	ctx: TransportContext;
	baseUrl: string;
	userId?: string;
	retry: RetryOptions;
	/** Replaces the API key in text taken from an answer, should the API ever quote it back. */
	redact(text: string): string;
}

/** The credential's base URL as the requests use it: trimmed, without trailing slashes, the live API when empty. */
export function cleanBaseUrl(raw: unknown): string {
	return (
		String(raw ?? '')
			.trim()
			.replace(/\/+$/, '') || DEFAULT_BASE_URL
	);
}

export async function openSession(ctx: TransportContext, retry: RetryOptions = DEFAULT_RETRY): Promise<ApiSession> {
	const credentials = await ctx.getCredentials(CREDENTIAL_TYPE);
	const baseUrl = cleanBaseUrl(credentials.baseUrl);
	const userId = String(credentials.userId ?? '').trim();
	const apiKey = String(credentials.apiKey ?? '');
	const redact = (text: string) => (apiKey.length >= 4 ? text.split(apiKey).join('***') : text);
	return { ctx, baseUrl, userId: userId === '' ? undefined : userId, retry, redact };
}
