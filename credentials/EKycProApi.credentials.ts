import type { IAuthenticateGeneric, Icon, ICredentialType, INodeProperties } from 'n8n-workflow';

export const DEFAULT_BASE_URL = 'https://api.ekycpro.com';

/**
 * The key travels only in the `X-API-Key` header, added by n8n's generic authenticate to requests made with
 * httpRequestWithAuthentication, so it never reaches the third-party host that serves result files.
 * The credential test lives on the nodes (`testedBy`): telling an accepted key from a rejected one needs a 404 to
 * count as success, which a declarative test cannot express.
 */
export class EKycProApi implements ICredentialType {
	name = 'eKycProApi';

	displayName = 'eKYCPro API';

	icon: Icon = { light: 'file:../nodes/EKycPro/ekycpro.svg', dark: 'file:../nodes/EKycPro/ekycpro.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-ekycpro/n8n-nodes-ekycpro#credential';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'Your eKYCPro API key. It is sent only to the base URL below, in the X-API-Key header.',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: DEFAULT_BASE_URL,
			required: true,
			description:
				'Leave as is for the live API; point it at a sandbox (for example http://127.0.0.1:8787) to try the nodes without spending credits',
		},
		{
			displayName: 'User ID',
			name: 'userId',
			type: 'string',
			default: '',
			description: 'Optional. Sent as user_id on the checks whose API takes it (WhatsApp Avatar, Facebook, Instagram).',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				'X-API-Key': '={{$credentials.apiKey}}',
			},
		},
	};
}
