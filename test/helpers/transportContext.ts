/**
 * A transport context for unit tests: n8n-core's own httpRequest (axios, as n8n sends it), with the credential's
 * generic authenticate applied and request errors wrapped the way n8n's httpRequestWithAuthentication does. Workflow tests use full n8n execution contexts instead.
 */
import { NodeApiError } from 'n8n-workflow';
import type { IHttpRequestOptions, INode, JsonObject } from 'n8n-workflow';
// n8n-core does not export httpRequest from its index; this is the function behind this.helpers.httpRequest.
import { httpRequest } from 'n8n-core/dist/execution-engine/node-execution-context/utils/request-helper-functions';

import { EKycProApi } from '../../credentials/EKycProApi.credentials';
import type { TransportContext } from '../../nodes/EKycPro/transport/session';

export interface TestCredentials {
	apiKey: string;
	baseUrl: string;
	userId?: string;
}

export const TEST_NODE: INode = {
	id: 'test-node',
	name: 'eKYCPro',
	type: 'n8n-nodes-ekycpro.eKycPro',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};

/** Resolves `={{$credentials.name}}` the way n8n's expression engine does for these simple references. */
function resolveCredentialExpression(value: string, credentials: TestCredentials): string {
	return value.replace(/^=\{\{\s*\$credentials\.(\w+)\s*\}\}$/, (_, key: keyof TestCredentials) =>
		String(credentials[key] ?? ''),
	);
}

export function transportContext(credentials: TestCredentials, signal?: AbortSignal) {
	const authenticate = new EKycProApi().authenticate;
	const sent: IHttpRequestOptions[] = [];
	const ctx = {
		getNode: () => TEST_NODE,
		getCredentials: async () => ({ ...credentials }),
		getExecutionCancelSignal: () => signal,
		helpers: {
			httpRequestWithAuthentication: async (_type: string, options: IHttpRequestOptions) => {
				const headers: Record<string, string> = {};
				for (const [name, value] of Object.entries(authenticate.properties.headers ?? {})) {
					headers[name] = resolveCredentialExpression(String(value), credentials);
				}
				const withAuth = { ...options, headers: { ...(options.headers ?? {}), ...headers } };
				sent.push(withAuth);
				try {
					return await httpRequest(withAuth);
				} catch (error) {
					// As n8n-core's httpRequestWithAuthentication does.
					throw new NodeApiError(TEST_NODE, error as JsonObject);
				}
			},
			httpRequest: async (options: IHttpRequestOptions) => {
				sent.push(options);
				return await httpRequest(options);
			},
		},
	} as unknown as TransportContext;
	return { ctx, sent };
}
