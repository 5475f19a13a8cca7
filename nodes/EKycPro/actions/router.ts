import { NodeOperationError } from 'n8n-workflow';
import type { IExecuteFunctions, INodeExecutionData, INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import * as createTask from './createTask.operation';
import * as downloadResult from './downloadResult.operation';
import * as getStatus from './getStatus.operation';
import { CHECK_OPTIONS, CUSTOM_API_CALL, CUSTOM_API_CALL_OPTION } from './check';
import type { CheckOption } from './check';

const OPERATIONS = { createTask, getStatus, downloadResult };

export const OPERATION_LABELS: Record<keyof typeof OPERATIONS, string> = {
	createTask: 'Create Task',
	getStatus: 'Get Status',
	downloadResult: 'Download Result',
};

/** The operations of one check, each with the action the nodes panel lists and new nodes are named after. */
function operationOptions(check: CheckOption): INodePropertyOptions[] {
	return [
		{
			name: OPERATION_LABELS.createTask,
			value: 'createTask',
			description: 'Upload numbers as one task (charged)',
			action: `Create ${/^[aeiou]/i.test(check.actionName) ? 'an' : 'a'} ${check.actionName} task`,
		},
		{
			name: OPERATION_LABELS.getStatus,
			value: 'getStatus',
			description: "Read a task's status and progress",
			action: 'Get the status of a task',
		},
		{
			name: OPERATION_LABELS.downloadResult,
			value: 'downloadResult',
			description: 'Download and read the result file of an exported task',
			action: 'Download the result of a task',
		},
		CUSTOM_API_CALL_OPTION,
	];
}

const customApiCallOnly: INodePropertyOptions[] = [CUSTOM_API_CALL_OPTION];

/**
 * One Operation property per check: n8n's nodes panel lists a resource's actions only from an `operation` property
 * whose `displayOptions.show.resource` names it, and names a new node after the chosen action.
 */
export const operationPropertiesByCheck: INodeProperties[] = [
	...CHECK_OPTIONS.map(
		(check): INodeProperties => ({
			displayName: 'Operation',
			name: 'operation',
			type: 'options',
			noDataExpression: true,
			displayOptions: { show: { resource: [check.value] } },
			options: operationOptions(check),
			default: 'createTask',
		}),
	),
	// With Custom API Call as the check, the only operation (so that the node is named after its action, too).
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: [CUSTOM_API_CALL] } },
		options: customApiCallOnly,
		default: CUSTOM_API_CALL,
	},
];

/**
 * The canvas subtitle, with labels instead of values ("Create Task: WhatsApp Avatar"). An expression, so it follows
 * the parameters; the labels come from the same tables as the options.
 */
export function subtitleExpression(): string {
	const operations = JSON.stringify(OPERATION_LABELS);
	const checks = JSON.stringify(Object.fromEntries(CHECK_OPTIONS.map((check) => [check.value, check.name])));
	const custom = JSON.stringify(CUSTOM_API_CALL);
	return (
		`={{ $parameter["resource"] === ${custom} || $parameter["operation"] === ${custom} ? "Custom API Call" : ` +
		`(${operations}[$parameter["operation"]] || $parameter["operation"]) + ": " + ` +
		`(${checks}[$parameter["resource"]] || $parameter["resource"]) }}`
	);
}

export const operationProperties: INodeProperties[] = [
	...createTask.description,
	...getStatus.description,
	...downloadResult.description,
];

export async function route(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const operation = this.getNodeParameter('operation', 0) as string;
	if (operation === CUSTOM_API_CALL) {
		throw new NodeOperationError(this.getNode(), 'Custom API Call is made with the HTTP Request node, not here', {
			description:
				'Add an HTTP Request node, set Authentication to Predefined Credential Type and pick eKYCPro API: it sends ' +
				'your key in the X-API-Key header. In this node pick a check and one of its operations.',
		});
	}
	const handler = OPERATIONS[operation as keyof typeof OPERATIONS];
	if (handler === undefined) {
		throw new NodeOperationError(this.getNode(), `The operation "${operation}" is not supported`);
	}
	return await handler.execute.call(this, items);
}
