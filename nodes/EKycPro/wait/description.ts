/** The eKYCPro Wait node's panel: which task, how the result comes out, and how to poll. */
import type { INodeProperties } from 'n8n-workflow';

import { CUSTOM_CHECK_ID } from '../checks';
import {
	checkOptions,
	customCheckProperties,
	resultOutputProperties,
	SIMPLIFY_DESCRIPTION,
	taskIdProperty,
} from '../common.descriptions';
import { CHECK_FROM_CREATE_TASK, TASK_ID_FROM_CREATE_TASK } from '../ekycproField';
import { DEFAULT_MAX_WAIT_MINUTES } from './parameters';

export const waitProperties: INodeProperties[] = [
	taskIdProperty({
		default: TASK_ID_FROM_CREATE_TASK,
		description:
			"The task to wait for. The default reads it from eKYCPro Create Task's output, in either of its output modes.",
	}),
	{
		displayName: 'Check',
		name: 'check',
		type: 'options',
		required: true,
		options: checkOptions,
		default: CHECK_FROM_CREATE_TASK,
		description:
			"The check the task was created with. The default reads it from Create Task's output; pick a check to set it by hand.",
	},
	...customCheckProperties({ hide: { check: [{ _cnd: { not: CUSTOM_CHECK_ID } }] } }),
	{
		displayName: 'Between Checks',
		name: 'betweenChecks',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'Keep the Execution Running',
				value: 'keepRunning',
				description: 'Sleep inside the execution until the task is done: simplest, for short tasks',
			},
			{
				name: 'Park the Execution',
				value: 'park',
				description:
					'Store the execution while the task runs and resume it for each status check: holds no worker slot, survives n8n restarts (connect Check Again back to this node)',
			},
		],
		default: 'keepRunning',
	},
	{
		displayName:
			'Connect the "Check Again" output back to this node\'s own input. n8n stores the execution between status checks and sends the waiting items out on "Check Again" to check again; finished tasks leave on "Done" and "Not Finished". The workflow must be saved.',
		name: 'parkNotice',
		type: 'notice',
		displayOptions: { show: { betweenChecks: ['park'] } },
		default: '',
	},
	{
		displayName: 'Items to Output',
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
		description: SIMPLIFY_DESCRIPTION,
	},
	{
		displayName: 'Polling',
		name: 'polling',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Check Schedule',
				name: 'schedule',
				type: 'options',
				options: [
					{
						name: 'Adaptive',
						value: 'adaptive',
						description:
							'Ask rarely while the end is far and closely near it, from the rate of progress (fewest status calls)',
					},
					{ name: 'Fixed Interval', value: 'fixed', description: 'Ask every Fixed Interval seconds' },
				],
				default: 'adaptive',
			},
			{
				displayName: 'Checks No Closer Than (Seconds)',
				name: 'minIntervalSeconds',
				type: 'number',
				typeOptions: { minValue: 1 },
				displayOptions: { hide: { schedule: ['fixed'] } },
				default: 5,
				description: 'Adaptive schedule: at least this long between two status calls',
			},
			{
				displayName: 'Checks No Further Apart Than (Seconds)',
				name: 'maxIntervalSeconds',
				type: 'number',
				typeOptions: { minValue: 1 },
				displayOptions: { hide: { schedule: ['fixed'] } },
				default: 600,
				description: 'Adaptive schedule: at most this long between two status calls',
			},
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
				displayName: 'Max Wait (Minutes)',
				name: 'maxWaitMinutes',
				type: 'number',
				typeOptions: { minValue: 0.1 },
				default: DEFAULT_MAX_WAIT_MINUTES,
				description: 'Stop waiting after this long; the task goes on at eKYCPro and can be collected later by its ID',
			},
			{
				displayName: 'When Not Finished',
				name: 'onTimeout',
				type: 'options',
				options: [
					{
						name: 'Output on "Not Finished"',
						value: 'output',
						description:
							'Tasks that ran out of time or failed come out on the second output with their ID and progress',
					},
					{ name: 'Stop With an Error', value: 'error', description: 'The error carries the task ID and progress' },
				],
				default: 'output',
			},
		],
	},
];
