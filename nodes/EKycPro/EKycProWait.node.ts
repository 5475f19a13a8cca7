import { NodeConnectionTypes } from 'n8n-workflow';
import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';

import { eKycProApiTest } from './methods/credentialTest';
import { waitProperties } from './wait/description';
import { waitForTasks } from './wait/waitForTasks';

const outputsOf = (names: string[]) => names.map((displayName) => ({ type: NodeConnectionTypes.Main, displayName }));

export class EKycProWait implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'eKYCPro Wait',
		name: 'eKycProWait',
		icon: { light: 'file:ekycproWait.svg', dark: 'file:ekycproWait.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle:
			'={{ ($parameter["mode"] === "enrich" ? "Enrich input items" : "Result rows") + ($parameter["betweenChecks"] === "park" ? ", parked between checks" : "") }}',
		description:
			'Polls eKYCPro tasks from Create Task until their results are exported, then outputs the rows or enriched items',
		defaults: { name: 'eKYCPro Wait' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		// Park mode adds Check Again in front: n8n resumes a parked execution by sending the items out on output 0.
		outputs: `={{ $parameter["betweenChecks"] === "park" ? ${JSON.stringify(outputsOf(['Check Again', 'Done', 'Not Finished']))} : ${JSON.stringify(outputsOf(['Done', 'Not Finished']))} }}`,
		credentials: [{ name: 'eKycProApi', required: true, testedBy: 'eKycProApiTest' }],
		properties: waitProperties,
	};

	methods = { credentialTest: { eKycProApiTest } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await waitForTasks.call(this);
	}
}
