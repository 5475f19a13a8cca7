import { NodeConnectionTypes } from 'n8n-workflow';
import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';

import { customCheckProperties, resourceProperty } from './actions/check';
import { operationProperties, operationPropertiesByCheck, route, subtitleExpression } from './actions/router';
import { eKycProApiTest } from './methods/credentialTest';

export class EKycPro implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'eKYCPro',
		name: 'eKycPro',
		icon: { light: 'file:ekycpro.svg', dark: 'file:ekycpro.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: subtitleExpression(),
		description:
			'Check thousands of phone numbers at once for WhatsApp, Telegram, Facebook and Instagram accounts and profile pictures',
		defaults: { name: 'eKYCPro' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'eKycProApi', required: true, testedBy: 'eKycProApiTest' }],
		properties: [resourceProperty, ...customCheckProperties, ...operationPropertiesByCheck, ...operationProperties],
	};

	methods = { credentialTest: { eKycProApiTest } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await route.call(this);
	}
}
