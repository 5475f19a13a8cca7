import { NodeConnectionTypes } from 'n8n-workflow';
import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';

import { resultOutputProperties } from './actions/downloadResult.operation';
import { eKycProApiTest } from './methods/credentialTest';
import { DEFAULT_MAX_WAIT_MINUTES, waitForTasks } from './wait/waitForTasks';

export class EKycProWait implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'eKYCPro Wait',
		name: 'eKycProWait',
		icon: { light: 'file:ekycpro.svg', dark: 'file:ekycpro.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["mode"] === "enrich" ? "Enrich input items" : "Result rows" }}',
		description:
			'Polls eKYCPro tasks from Create Task until their results are exported, then outputs the rows or enriched items',
		defaults: { name: 'eKYCPro Wait' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main],
		outputNames: ['Done', 'Not Finished'],
		credentials: [{ name: 'eKycProApi', required: true, testedBy: 'eKycProApiTest' }],
		properties: [
			{
				displayName: 'Task ID',
				name: 'taskId',
				type: 'string',
				required: true,
				default: '={{ $json.ekycpro ? $json.ekycpro.task_id : $json.task_id }}',
				description: 'The task to wait for. The default reads it from eKYCPro Create Task\'s output, in either of its output modes.',
			},
			{
				displayName: 'Check',
				name: 'check',
				type: 'string',
				required: true,
				default: '={{ $json.ekycpro ? $json.ekycpro.check : $json.check }}',
				description:
					'The check the task was created with (whatsappAvatar, telegramAvatar, telegram, facebook, instagram, or custom:v1:&lt;task type&gt; / custom:legacy:&lt;path&gt;). The default reads it from Create Task\'s output.',
			},
			{
				displayName: 'Output',
				name: 'mode',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Result Rows', value: 'rows', description: 'One item per row of the result file' },
					{
						name: 'Input Items With Their Results',
						value: 'enrich',
						description:
							'Every input item comes out with its own result in ekycpro.result, matched by its number (use after Create Task with Output "Input Items With Their Numbers")',
					},
				],
				default: 'rows',
			},
			...resultOutputProperties({ show: { mode: ['rows'] } }),
			{
				displayName: 'Simplify',
				name: 'simplify',
				type: 'boolean',
				displayOptions: { show: { mode: ['enrich'] } },
				default: true,
				description:
					'Whether to turn yes/no into true/false, age into a number and empty cells into null (other values, such as "ban", stay as they are)',
			},
			{
				displayName: 'Polling',
				name: 'polling',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					{
						displayName: 'Fixed Interval (Seconds)',
						name: 'fixedIntervalSeconds',
						type: 'number',
						typeOptions: { minValue: 1 },
						displayOptions: { show: { schedule: ['fixed'] } },
						default: 30,
						description: 'Seconds between status calls (each may be charged)',
					},
					{
						displayName: 'Max Interval (Seconds)',
						name: 'maxIntervalSeconds',
						type: 'number',
						typeOptions: { minValue: 1 },
						displayOptions: { show: { schedule: ['adaptive'] } },
						default: 600,
						description: 'Adaptive schedule: never wait longer than this between status calls',
					},
					{
						displayName: 'Max Wait (Minutes)',
						name: 'maxWaitMinutes',
						type: 'number',
						typeOptions: { minValue: 0.1 },
						default: DEFAULT_MAX_WAIT_MINUTES,
						description: 'Stop waiting after this long; the task goes on at eKYCPro and can be collected later by its ID',
					},
					{
						displayName: 'Min Interval (Seconds)',
						name: 'minIntervalSeconds',
						type: 'number',
						typeOptions: { minValue: 1 },
						displayOptions: { show: { schedule: ['adaptive'] } },
						default: 5,
						description: 'Adaptive schedule: never ask sooner than this after the previous status call',
					},
					{
						displayName: 'Schedule',
						name: 'schedule',
						type: 'options',
						options: [
							{
								name: 'Adaptive',
								value: 'adaptive',
								description: 'Ask rarely while the end is far and closely near it, from the rate of progress (fewest status calls)',
							},
							{ name: 'Fixed Interval', value: 'fixed', description: 'Ask every Fixed Interval seconds' },
						],
						default: 'adaptive',
					},
					{
						displayName: 'When Not Finished',
						name: 'onTimeout',
						type: 'options',
						options: [
							{
								name: 'Output on "Not Finished"',
								value: 'output',
								description: 'Tasks that ran out of time or failed come out on the second output with their ID and progress',
							},
							{ name: 'Stop With an Error', value: 'error', description: 'The error carries the task ID and progress' },
						],
						default: 'output',
					},
				],
			},
		],
	};

	methods = { credentialTest: { eKycProApiTest } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await waitForTasks.call(this);
	}
}
