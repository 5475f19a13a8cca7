/**
 * The package as n8n sees it: loaded from dist by n8n-core's PackageDirectoryLoader through package.json's `n8n`
 * block, with icons, codex files, credential and descriptions the editor will show.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import { NodeHelpers } from 'n8n-workflow';
import type { ICredentialType, INode, INodeProperties, INodeTypeDescription, Themed } from 'n8n-workflow';

import { cleanupHarness, loadPackage, nodeTypeName, PACKAGE_DIR, PACKAGE_NAME } from './harness';
import type { LoadedPackage } from './harness';

interface PackageJson {
	name: string;
	version: string;
	n8n: { credentials: string[]; nodes: string[] };
}

const packageJson = JSON.parse(readFileSync(path.join(PACKAGE_DIR, 'package.json'), 'utf8')) as PackageJson;

let loaded: LoadedPackage;

beforeAll(async () => {
	loaded = await loadPackage();
});

afterAll(() => cleanupHarness());

/** n8n serves `icons/<package>/<path in the package>`: the file behind such a URL. */
function iconFile(iconUrl: string): string {
	const prefix = `icons/${PACKAGE_NAME}/`;
	expect(iconUrl.startsWith(prefix)).toBe(true);
	return path.join(PACKAGE_DIR, iconUrl.slice(prefix.length));
}

function expectSvgIcons(iconUrl: Themed<string> | undefined): void {
	expect(iconUrl).toEqual({ light: expect.any(String), dark: expect.any(String) });
	const { light, dark } = iconUrl as { light: string; dark: string };
	for (const url of [light, dark]) {
		const file = iconFile(url);
		expect(existsSync(file)).toBe(true);
		expect(readFileSync(file, 'utf8')).toMatch(/^\s*(<\?xml[^>]*>\s*)?<svg[\s>]/);
	}
}

function nodeDescription(name: string): INodeTypeDescription {
	return loaded.nodeTypes.getByNameAndVersion(nodeTypeName(name)).description;
}

function loadedNodeNames(): string[] {
	return loaded.loader.types.nodes.map((description) => description.name);
}

describe("the package loads through n8n-core's PackageDirectoryLoader", () => {
	test('every node and credential of the n8n block is loaded from dist', () => {
		expect(loaded.loader.packageName).toBe(PACKAGE_NAME);
		const nodeSources = Object.values(loaded.loader.known.nodes).map((known) => known.sourcePath);
		expect(nodeSources.sort()).toEqual([...packageJson.n8n.nodes].sort());
		const credentialSources = Object.values(loaded.loader.known.credentials).map((known) => known.sourcePath);
		expect(credentialSources.sort()).toEqual([...packageJson.n8n.credentials].sort());
		expect(loadedNodeNames()).toContain('eKycPro');
		expect(Object.keys(loaded.loader.known.credentials)).toContain('eKycProApi');
	});

	test('node eKycPro: the action node, usable as an AI tool, with the eKYCPro API credential', () => {
		const description = nodeDescription('eKycPro');
		expect(description.displayName).toBe('eKYCPro');
		expect(description.usableAsTool).toBe(true);
		expect(description.communityNodePackageVersion).toBe(packageJson.version);
		expect(description.credentials).toEqual([expect.objectContaining({ name: 'eKycProApi', required: true })]);
		const resource = description.properties.find((property) => property.name === 'resource');
		expect(resource?.options?.map((option) => ('value' in option ? option.value : undefined))).toEqual([
			'whatsappAvatar',
			'telegramAvatar',
			'telegram',
			'facebook',
			'instagram',
			'custom',
			// n8n would add it anyway (test/workflow/editor.test.ts says why it is declared).
			'__CUSTOM_API_CALL__',
		]);
		const operation = description.properties.find((property) => property.name === 'operation');
		expect(operation?.options?.map((option) => ('value' in option ? option.value : undefined))).toEqual([
			'createTask',
			'getStatus',
			'downloadResult',
			'__CUSTOM_API_CALL__',
		]);
	});

	test.each(packageJson.n8n.nodes)('%s: icons present in dist and codex file loaded', (sourcePath) => {
		const known = Object.entries(loaded.loader.known.nodes).find(([, details]) => details.sourcePath === sourcePath);
		expect(known).toBeDefined();
		const description = nodeDescription(known![0]);
		expectSvgIcons(description.iconUrl as Themed<string> | undefined);

		// The codex sits next to the compiled node; the loader copies its fields into the description.
		const codexFile = path.join(PACKAGE_DIR, `${sourcePath}on`);
		expect(existsSync(codexFile)).toBe(true);
		const codex = JSON.parse(readFileSync(codexFile, 'utf8')) as {
			node: string;
			categories: string[];
			alias?: string[];
			resources: { primaryDocumentation: unknown[] };
		};
		expect(codex.node).toBe(nodeTypeName(description.name));
		expect(description.codex?.categories).toEqual(codex.categories);
		expect(description.codex?.alias).toEqual(codex.alias);
		expect(description.codex?.resources?.primaryDocumentation).toEqual(codex.resources.primaryDocumentation);
		expect(description.codex?.categories?.length).toBeGreaterThan(0);
	});

	test('credential eKycProApi: icons, fields, generic X-API-Key authentication, the nodes that use it', () => {
		const credential = loaded.credentialTypes.getByName('eKycProApi') as ICredentialType & {
			iconUrl?: Themed<string>;
			supportedNodes?: string[];
		};
		expect(credential.displayName).toBe('eKYCPro API');
		expectSvgIcons(credential.iconUrl);
		expect(credential.supportedNodes).toContain('eKycPro');
		const fields = Object.fromEntries(credential.properties.map((property) => [property.name, property]));
		expect(fields.apiKey?.typeOptions?.password).toBe(true);
		expect(fields.baseUrl?.default).toBe('https://api.ekycpro.com');
		expect(fields.userId?.required).not.toBe(true);
		expect(credential.authenticate).toEqual({
			type: 'generic',
			properties: { headers: { 'X-API-Key': '={{$credentials.apiKey}}' } },
		});
	});

	test.each(['eKycPro'])('%s: the credential test the node names exists', (name) => {
		const nodeType = loaded.nodeTypes.getByNameAndVersion(nodeTypeName(name));
		for (const credential of nodeType.description.credentials ?? []) {
			if (credential.testedBy === undefined) continue;
			expect(typeof nodeType.methods?.credentialTest?.[credential.testedBy as string]).toBe('function');
		}
	});
});

describe('descriptions the editor can show', () => {
	function allProperties(properties: INodeProperties[]): INodeProperties[] {
		return properties.flatMap((property) => {
			const nested = (property.options ?? []).filter(
				(option): option is INodeProperties => 'type' in option && 'displayName' in option,
			);
			return [property, ...allProperties(nested)];
		});
	}

	test.each(packageJson.n8n.nodes.map((source) => path.basename(source, '.node.js')))(
		'%s: every displayOptions condition names a parameter that exists, every options default is an option',
		(className) => {
			const name = Object.entries(loaded.loader.known.nodes).find(([, known]) => known.className === className)?.[0];
			expect(name).toBeDefined();
			const description = nodeDescription(name!);
			const topLevel = new Set(description.properties.map((property) => property.name));
			const problems: string[] = [];
			for (const property of description.properties) {
				for (const rule of [property.displayOptions?.show, property.displayOptions?.hide]) {
					for (const key of Object.keys(rule ?? {})) {
						if (key.startsWith('@') || key.startsWith('/')) continue;
						if (!topLevel.has(key)) problems.push(`${property.name} depends on unknown parameter "${key}"`);
					}
				}
			}
			for (const property of allProperties(description.properties)) {
				if (property.type !== 'options' || typeof property.default !== 'string' || property.default.startsWith('='))
					continue;
				const values = (property.options ?? []).map((option) => ('value' in option ? option.value : undefined));
				if (!values.includes(property.default))
					problems.push(`${property.name} defaults to "${property.default}", not one of its options`);
			}
			expect(problems).toEqual([]);
		},
	);

	test('eKycPro dropped into a workflow: defaults fill in and no parameter shows an issue', () => {
		const description = nodeDescription('eKycPro');
		const node: INode = {
			id: 'n1',
			name: 'eKYCPro',
			type: nodeTypeName('eKycPro'),
			typeVersion: 1,
			position: [0, 0],
			parameters: {},
		};
		node.parameters = NodeHelpers.getNodeParameters(description.properties, {}, true, false, node, description) ?? {};
		expect(node.parameters).toMatchObject({
			resource: 'whatsappAvatar',
			operation: 'createTask',
			numbersSource: 'field',
			phoneField: 'phone',
			output: 'task',
		});
		expect(NodeHelpers.getNodeParametersIssues(description.properties, node, description)).toBeNull();
	});
	test('eKycProWait dropped into a workflow: no issue with the default Check expression; polling bounds kept without a Schedule', () => {
		const description = nodeDescription('eKycProWait');
		const node: INode = {
			id: 'n2',
			name: 'eKYCPro Wait',
			type: nodeTypeName('eKycProWait'),
			typeVersion: 1,
			position: [0, 0],
			parameters: {},
		};
		const given = { betweenChecks: 'park', polling: { minIntervalSeconds: 70, maxIntervalSeconds: 900 } };
		node.parameters =
			NodeHelpers.getNodeParameters(description.properties, given, true, false, node, description) ?? {};
		// The custom check's fields stay hidden while Check is the default expression (n8n shows every field whose
		// `show` condition reads an expression: they use `hide`).
		expect(node.parameters).not.toHaveProperty('customTaskType');
		// The adaptive bounds apply without adding Schedule (adaptive is its default); n8n drops hidden options.
		expect(node.parameters.polling).toEqual({ minIntervalSeconds: 70, maxIntervalSeconds: 900 });
		expect(NodeHelpers.getNodeParametersIssues(description.properties, node, description)).toBeNull();
	});
});

describe('a broken package does not load', () => {
	let directory: string;

	beforeEach(() => {
		directory = mkdtempSync(path.join(tmpdir(), 'ekycpro-broken-'));
		symlinkSync(path.join(PACKAGE_DIR, 'dist'), path.join(directory, 'dist'), 'dir');
	});

	afterEach(() => rmSync(directory, { recursive: true, force: true }));

	function writePackage(n8n: PackageJson['n8n']): void {
		writeFileSync(
			path.join(directory, 'package.json'),
			JSON.stringify({ ...packageJson, n8n: { n8nNodesApiVersion: 1, ...n8n } }),
		);
	}

	test('an n8n block that names a file missing from dist', async () => {
		writePackage({ credentials: packageJson.n8n.credentials, nodes: ['dist/nodes/EKycPro/EKycPro.nodes.js'] });
		await expect(loadPackage(directory)).rejects.toThrow(/Cannot find module/);
	});

	test('an n8n block that lists a credential as a node', async () => {
		writePackage({ credentials: [], nodes: packageJson.n8n.credentials });
		await expect(loadPackage(directory)).rejects.toThrow();
	});
});
