import { NodeOperationError } from 'n8n-workflow';
import type { IExecuteFunctions, INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { CHECKS, CUSTOM_CHECK_ID, customCheck, findCheck } from '../checks';
import type { ApiStyle, CheckDefinition } from '../checks';

/** A value of the Check (resource) parameter, with its label and how an action names it. */
export interface CheckOption {
	value: string;
	name: string;
	description: string;
	/** Inside "Create a … task", as the nodes panel and new node names show it. */
	actionName: string;
}

/** One resource per check in the catalogue, then the custom check. */
export const CHECK_OPTIONS: readonly CheckOption[] = [
	...CHECKS.map((check) => ({ value: check.id, name: check.name, description: check.description, actionName: check.name })),
	{
		value: CUSTOM_CHECK_ID,
		name: 'Custom Check',
		description: 'Any other check of the eKYCPro API, by the task type or API path its documentation gives',
		actionName: 'custom check',
	},
];

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
const resourceOptions: INodePropertyOptions[] = CHECK_OPTIONS.map(({ name, value, description }) => ({ name, value, description }));
resourceOptions.push({ name: CUSTOM_API_CALL_OPTION.name, value: CUSTOM_API_CALL, description: CUSTOM_API_CALL_OPTION.description });

export const resourceProperty: INodeProperties = {
	displayName: 'Check',
	name: 'resource',
	type: 'options',
	noDataExpression: true,
	options: resourceOptions,
	default: 'whatsappAvatar',
};

export const customCheckProperties: INodeProperties[] = [
	{
		displayName: 'Check Given By',
		name: 'customApiStyle',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: [CUSTOM_CHECK_ID] } },
		options: [
			{
				name: 'Task Type',
				value: 'v1',
				description: 'The documentation names the check by a task type, such as ws_avatar or vk',
			},
			{
				name: 'API Path',
				value: 'legacy',
				description: 'The documentation gives the check an API path, such as /wa/api/simple',
			},
		],
		default: 'v1',
	},
	{
		displayName: 'Task Type',
		name: 'customTaskType',
		type: 'string',
		required: true,
		displayOptions: { show: { resource: [CUSTOM_CHECK_ID], customApiStyle: ['v1'] } },
		default: '',
		placeholder: 'ws_avatar',
		description: 'The task_type value from the eKYCPro documentation of the check',
	},
	{
		displayName: 'API Path',
		name: 'customPath',
		type: 'string',
		required: true,
		displayOptions: { show: { resource: [CUSTOM_CHECK_ID], customApiStyle: ['legacy'] } },
		default: '',
		placeholder: '/wa/api/simple',
		description: 'The path before /tasks in the eKYCPro documentation of the check',
	},
];

/** The check the node is set to, with a clear error when a custom check is mistyped. */
export function resolveCheck(ctx: IExecuteFunctions, itemIndex = 0): CheckDefinition {
	const resource = ctx.getNodeParameter('resource', itemIndex) as string;
	if (resource !== CUSTOM_CHECK_ID) {
		const check = findCheck(resource);
		if (!check) throw new NodeOperationError(ctx.getNode(), `Unknown check "${resource}"`, { itemIndex });
		return check;
	}
	const style = ctx.getNodeParameter('customApiStyle', itemIndex) as ApiStyle;
	const value = ctx.getNodeParameter(style === 'v1' ? 'customTaskType' : 'customPath', itemIndex, '') as string;
	const resolved = customCheck(style, value);
	if ('error' in resolved) {
		throw new NodeOperationError(ctx.getNode(), resolved.error, {
			itemIndex,
			description: 'Set the custom check\'s task type or API path as the eKYCPro documentation of the check gives it.',
		});
	}
	return resolved.check;
}
