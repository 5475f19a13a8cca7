/**
 * What the editor makes of the eKYCPro node's description, computed with n8n-workflow's own helpers on the package
 * as n8n loads it: the actions its nodes panel lists per check (the rule of n8n's `useActionsGeneration`), the name
 * a node added from an action gets (`NodeHelpers.makeNodeName`), the canvas subtitle, and what Custom API Call does.
 * test/e2e/editor.e2e.ts checks the same in a real browser.
 */
import { NodeHelpers } from 'n8n-workflow';
import type { INodeProperties, INodePropertyOptions, INodeTypeDescription } from 'n8n-workflow';

import { cleanupHarness, loadPackage, nodeTypeName, packageNode, runWorkflow } from './harness';

let description: INodeTypeDescription;

beforeAll(async () => {
	description = (await loadPackage()).nodeTypes.getByNameAndVersion(nodeTypeName('eKycPro')).description;
});

afterAll(() => cleanupHarness());

const CHECK_LABELS: Record<string, string> = {
	whatsappAvatar: 'WhatsApp Avatar',
	telegramAvatar: 'Telegram Avatar',
	telegram: 'Telegram',
	facebook: 'Facebook',
	instagram: 'Instagram',
	custom: 'Custom Check',
};
const CUSTOM_API_CALL = '__CUSTOM_API_CALL__';

function optionsOf(property: INodeProperties | undefined): INodePropertyOptions[] {
	return (property?.options ?? []) as INodePropertyOptions[];
}

/** The nodes panel's rule: per resource option, the first `operation` property whose show.resource names it. */
function panelActions(): Record<string, string[]> {
	const resource = description.properties.find((property) => property.name === 'resource');
	const actions: Record<string, string[]> = {};
	for (const option of optionsOf(resource)) {
		if (option.value === CUSTOM_API_CALL) continue; // n8n leaves it out of the panel
		const operations = description.properties.find(
			(property) => property.name === 'operation' && property.displayOptions?.show?.resource?.includes(option.value),
		);
		actions[option.name] = optionsOf(operations)
			.filter((operation) => operation.value !== CUSTOM_API_CALL)
			.map((operation) => operation.action ?? `${option.name} ${operation.name}`);
	}
	return actions;
}

/** The canvas subtitle for these parameters: the expression's JavaScript run with `$parameter`. */
function subtitle(parameters: Record<string, unknown>): string {
	const match = /^=\{\{([\s\S]*)\}\}$/.exec(String(description.subtitle));
	expect(match).not.toBeNull();
	// eslint-disable-next-line @typescript-eslint/no-implied-eval
	return String(new Function('$parameter', `return (${match![1]});`)(parameters));
}

describe("the nodes panel lists every check's actions", () => {
	test('per check: create a task of that check, get the status of a task, download the result of a task', () => {
		expect(panelActions()).toEqual({
			'WhatsApp Avatar': ['Create a WhatsApp Avatar task', 'Get the status of a task', 'Download the result of a task'],
			'Telegram Avatar': ['Create a Telegram Avatar task', 'Get the status of a task', 'Download the result of a task'],
			Telegram: ['Create a Telegram task', 'Get the status of a task', 'Download the result of a task'],
			Facebook: ['Create a Facebook task', 'Get the status of a task', 'Download the result of a task'],
			Instagram: ['Create an Instagram task', 'Get the status of a task', 'Download the result of a task'],
			'Custom Check': ['Create a custom check task', 'Get the status of a task', 'Download the result of a task'],
		});
	});

	test('every operation property offers the same values, so saved workflows keep working', () => {
		const operations = description.properties.filter((property) => property.name === 'operation');
		expect(operations).toHaveLength(Object.keys(CHECK_LABELS).length + 1);
		for (const property of operations) {
			const values = optionsOf(property).map((option) => option.value);
			const checks = property.displayOptions?.show?.resource ?? [];
			expect(checks).toHaveLength(1);
			expect(values).toEqual(
				checks[0] === CUSTOM_API_CALL
					? [CUSTOM_API_CALL]
					: ['createTask', 'getStatus', 'downloadResult', CUSTOM_API_CALL],
			);
		}
	});
});

describe('a new node is named after its action, as n8n names its own', () => {
	test.each([
		[{ resource: 'whatsappAvatar', operation: 'createTask' }, 'Create a WhatsApp Avatar task'],
		[{ resource: 'instagram', operation: 'createTask' }, 'Create an Instagram task'],
		[{ resource: 'custom', operation: 'createTask' }, 'Create a custom check task'],
		[{ resource: 'telegram', operation: 'getStatus' }, 'Get the status of a task'],
		[{ resource: 'facebook', operation: 'downloadResult' }, 'Download the result of a task'],
		[{ resource: 'whatsappAvatar', operation: CUSTOM_API_CALL }, 'Make a custom API call'],
		[{ resource: CUSTOM_API_CALL, operation: CUSTOM_API_CALL }, 'Make a custom API call'],
	])('%j: %s', (parameters, name) => {
		expect(NodeHelpers.makeNodeName(parameters, description)).toBe(name);
	});
});

describe('the canvas subtitle shows labels', () => {
	test.each(Object.entries(CHECK_LABELS))('%s', (resource, label) => {
		expect(subtitle({ resource, operation: 'createTask' })).toBe(`Create Task: ${label}`);
		expect(subtitle({ resource, operation: 'getStatus' })).toBe(`Get Status: ${label}`);
		expect(subtitle({ resource, operation: 'downloadResult' })).toBe(`Download Result: ${label}`);
	});

	test('Custom API Call, as the check or as the operation', () => {
		expect(subtitle({ resource: 'facebook', operation: CUSTOM_API_CALL })).toBe('Custom API Call');
		expect(subtitle({ resource: CUSTOM_API_CALL, operation: CUSTOM_API_CALL })).toBe('Custom API Call');
	});
});

describe('Custom API Call', () => {
	test('is the option n8n would add, last, so n8n adds no second one', () => {
		for (const property of description.properties.filter((p) => p.name === 'resource' || p.name === 'operation')) {
			const options = optionsOf(property);
			expect(options[options.length - 1]).toMatchObject({ name: 'Custom API Call', value: CUSTOM_API_CALL });
			expect(options.filter((option) => option.value === CUSTOM_API_CALL)).toHaveLength(1);
		}
	});

	test.each([
		{ resource: 'whatsappAvatar', operation: CUSTOM_API_CALL },
		{ resource: CUSTOM_API_CALL, operation: CUSTOM_API_CALL },
	])('run with %j: an error that says to use the HTTP Request node with this credential', async (parameters) => {
		const result = await runWorkflow(
			{ nodes: [packageNode('eKYCPro', 'eKycPro', parameters)], connections: {} },
			{ credentials: { eKycProApi: { apiKey: 'key', baseUrl: 'http://127.0.0.1:9' } } },
		);
		const error = result.error as unknown as { message: string; description: string };
		expect(error.message).toBe('Custom API Call is made with the HTTP Request node, not here');
		expect(error.description).toMatch(/HTTP Request node.*Predefined Credential Type.*eKYCPro API/);
	});
});

describe('the Create Task panel', () => {
	test('says that a run, also from the editor, creates a charged task', () => {
		const notice = description.properties.find(
			(property) => property.type === 'notice' && property.name === 'chargeNotice',
		);
		expect(notice?.displayOptions?.show?.operation).toEqual(['createTask']);
		expect(notice?.displayName).toMatch(/creates one eKYCPro task and is charged for it, also a run from the editor/);
	});

	test('offers no Output choice for a typed list (its numbers belong to no input item)', () => {
		const output = description.properties.find((property) => property.name === 'output');
		expect(output?.displayOptions?.hide?.numbersSource).toEqual(['list']);
	});
});
