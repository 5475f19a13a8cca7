import { NodeOperationError } from 'n8n-workflow';
import type { IExecuteFunctions, INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { CHECKS, CUSTOM_CHECK_ID, customCheck, findCheck } from '../checks';
import type { ApiStyle, CheckDefinition } from '../checks';

/** One resource per check in the catalogue, then the custom check. */
const resourceOptions: INodePropertyOptions[] = CHECKS.map((check) => ({
	name: check.name,
	value: check.id,
	description: check.description,
}));
resourceOptions.push({
	name: 'Custom Check',
	value: CUSTOM_CHECK_ID,
	description: 'Any other check of the eKYCPro API, by its v1 task type or its API path',
});

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
		displayName: 'API Style',
		name: 'customApiStyle',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: [CUSTOM_CHECK_ID] } },
		options: [
			{ name: 'V1 Task Type', value: 'v1', description: 'POST /v1/tasks with a task_type, such as ws_avatar or vk' },
			{ name: 'API Path', value: 'legacy', description: 'POST {path}/tasks and GET {path}/tasks/{ID}, such as /wa/api/simple' },
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
