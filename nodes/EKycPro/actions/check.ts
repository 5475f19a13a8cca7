import { NodeOperationError } from 'n8n-workflow';
import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { CUSTOM_CHECK_ID, findCheck } from '../checks';
import type { CheckDefinition } from '../checks';
import {
	checkOptions,
	customCheckProperties as customCheckPropertiesFor,
	readCustomCheck,
} from '../common.descriptions';

export const resourceProperty: INodeProperties = {
	displayName: 'Check',
	name: 'resource',
	type: 'options',
	noDataExpression: true,
	options: checkOptions,
	default: 'whatsappAvatar',
};

export const customCheckProperties: INodeProperties[] = customCheckPropertiesFor({
	show: { resource: [CUSTOM_CHECK_ID] },
});

/** The check the node is set to, with a clear error when a custom check is mistyped. */
export function resolveCheck(ctx: IExecuteFunctions, itemIndex = 0): CheckDefinition {
	const resource = ctx.getNodeParameter('resource', itemIndex) as string;
	if (resource === CUSTOM_CHECK_ID) return readCustomCheck(ctx, itemIndex);
	const check = findCheck(resource);
	if (!check) throw new NodeOperationError(ctx.getNode(), `Unknown check "${resource}"`, { itemIndex });
	return check;
}
