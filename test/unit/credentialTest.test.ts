/**
 * The credential test as n8n runs it: n8n's credential-test context offers only `request`, which is n8n-core's
 * proxyRequestToAxios; here it talks to the sandbox over real HTTP.
 */
import type { ICredentialTestFunctions } from 'n8n-workflow';
import { proxyRequestToAxios } from 'n8n-core/dist/execution-engine/node-execution-context/utils/request-helper-functions';

import { findCheck } from '../../nodes/EKycPro/checks';
import { eKycProApiTest } from '../../nodes/EKycPro/methods/credentialTest';
import { startSandbox } from '../sandbox';
import type { Sandbox } from '../sandbox';

const context = {
	helpers: {
		request: async (uriOrObject: string | object, options?: object) =>
			await proxyRequestToAxios(undefined, undefined, undefined, uriOrObject, options),
	},
} as unknown as ICredentialTestFunctions;

function test_(data: Record<string, unknown>) {
	return eKycProApiTest.call(context, { id: 'c1', name: 'eKYCPro', type: 'eKycProApi', data } as never);
}

describe('credential test', () => {
	let sandbox: Sandbox;
	beforeAll(async () => {
		sandbox = await startSandbox({ apiKey: 'right-key-123' });
	});
	afterAll(async () => await sandbox.close());

	it('accepts a key the API accepts, without creating or charging anything', async () => {
		await expect(test_({ apiKey: 'right-key-123', baseUrl: sandbox.baseUrl })).resolves.toEqual({
			status: 'OK',
			message: 'Connection successful: eKYCPro accepted the API key',
		});
		expect(sandbox.charges).toBe(0);
		expect(sandbox.tasks()).toHaveLength(0);
	});

	it('probes the Facebook status path of the catalogue, at the base URL cleaned as the nodes clean it', async () => {
		const before = sandbox.requests.length;
		const result = await test_({ apiKey: 'right-key-123', baseUrl: `  ${sandbox.baseUrl}//  ` });
		expect(result.status).toBe('OK');
		const probes = sandbox.requests.slice(before);
		expect(probes.map((request) => [request.method, request.path])).toEqual([
			['GET', `${findCheck('facebook')?.path}/tasks/n8n-credential-test`],
		]);
		expect(probes[0].path).toBe('/fb/api/simple/tasks/n8n-credential-test');
	});

	it('says so when the API rejects the key, without echoing it', async () => {
		const result = await test_({ apiKey: 'wrong-key-456', baseUrl: `${sandbox.baseUrl}/` });
		expect(result).toEqual({ status: 'Error', message: 'eKYCPro rejected the API key (HTTP 401). Check the key.' });
	});

	it('tells a base URL that is not the API from a rejected key', async () => {
		const result = await test_({ apiKey: 'right-key-123', baseUrl: sandbox.resultBaseUrl });
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(
			/not in the eKYCPro API's form: the key was rejected or the base URL is not the API/,
		);
		const unreachable = await test_({ apiKey: 'right-key-123', baseUrl: 'http://127.0.0.1:9' });
		expect(unreachable).toMatchObject({
			status: 'Error',
			message: expect.stringMatching(/Could not reach http:\/\/127.0.0.1:9/),
		});
	});

	it('asks for a key when there is none', async () => {
		await expect(test_({ apiKey: ' ', baseUrl: sandbox.baseUrl })).resolves.toEqual({
			status: 'Error',
			message: 'Enter the API key',
		});
	});
});
