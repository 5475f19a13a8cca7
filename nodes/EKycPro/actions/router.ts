import { NodeOperationError } from 'n8n-workflow';
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import * as createTask from './createTask.operation';
import * as downloadResult from './downloadResult.operation';
import * as getStatus from './getStatus.operation';

const OPERATIONS = { createTask, getStatus, downloadResult };

export const operationProperty: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	options: [
		{
			name: 'Create Task',
			value: 'createTask',
			description: 'Upload numbers as one task (charged)',
			action: 'Create a task',
		},
		{
			name: 'Get Status',
			value: 'getStatus',
			description: "Read a task's status and progress",
			action: 'Get the status of a task',
		},
		{
			name: 'Download Result',
			value: 'downloadResult',
			description: 'Download and read the result file of an exported task',
			action: 'Download the result of a task',
		},
	],
	default: 'createTask',
};

export const operationProperties: INodeProperties[] = [
	...createTask.description,
	...getStatus.description,
	...downloadResult.description,
];

export async function route(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const operation = this.getNodeParameter('operation', 0) as keyof typeof OPERATIONS;
	const handler = OPERATIONS[operation];
	if (handler === undefined) {
		throw new NodeOperationError(this.getNode(), `The operation "${operation}" is not supported`);
	}
	return await handler.execute.call(this, items);
}
