import { NodeOperationError } from 'n8n-workflow';
import type { IExecuteFunctions, INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { CUSTOM_CHECK_ID, findCheck } from '../checks';
import type { CheckDefinition } from '../checks';
import {
	checkOptions,
	customCheckProperties as customCheckPropertiesFor,
	readCustomCheck,
} from '../common.descriptions';

/** A value of the Check (resource) parameter, with its label and how an action names it. */
export interface CheckOption {
	value: string;
	name: string;
	description: string;
	/** Inside "Create a … task", as the nodes panel and new node names show it. */
	actionName: string;
}

/** One resource per check in the catalogue, then the custom check (the same list as the Wait node's Check picker). */
export const CHECK_OPTIONS: readonly CheckOption[] = checkOptions.map((option) => ({
	value: String(option.value),
	name: option.name,
	description: option.description ?? '',
	actionName: option.value === CUSTOM_CHECK_ID ? 'custom check' : option.name,
}));

/**
 * n8n adds a "Custom API Call" option to `resource` and every `operation` of a node whose credential authenticates
 * generically, unless the last option already is one (there is no opt-out). Picking it, the editor hides the other
 * parameters and points to the HTTP Request node, which sends this credential's key. Declared here so that it is the
 * same option n8n would add, with an action: a node set to it is named "Make a custom API call", not after the value.
 */
export const CUSTOM_API_CALL = '__CUSTOM_API_CALL__';
export const CUSTOM_API_CALL_OPTION = {
	name: 'Custom API Call',
	value: CUSTOM_API_CALL,
	description: 'Call any eKYCPro endpoint with the HTTP Request node and this credential',
	action: 'Make a custom API call',
};

/**
 * The check is n8n's `resource` (its name is what n8n's nodes panel and node naming key on); labelled Check, since
 * that is what the user picks.
 */
const resourceOptions: INodePropertyOptions[] = [
	...CHECK_OPTIONS.map(({ name, value, description }) => ({ name, value, description })),
	{ name: CUSTOM_API_CALL_OPTION.name, value: CUSTOM_API_CALL, description: CUSTOM_API_CALL_OPTION.description },
];

export const resourceProperty: INodeProperties = {
	displayName: 'Check',
	name: 'resource',
	type: 'options',
	noDataExpression: true,
	options: resourceOptions,
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
