/**
 * Workflow harness: loads this package from `dist` through n8n-core's own PackageDirectoryLoader (as n8n loads a
 * community package) and runs workflows with n8n-core's WorkflowExecute, with real execution contexts, a credentials
 * helper that applies the credential type's generic `authenticate` as n8n's CLI does, and binary data in memory.
 *
 * Run `npx tsc -p tsconfig.build.json && npx gulp build:icons` first: the harness loads what is in dist.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import { Logger } from '@n8n/backend-common';
import { GlobalConfig, InstanceSettingsConfig } from '@n8n/config';
import { Container } from '@n8n/di';
import {
	BinaryDataConfig,
	BinaryDataService,
	ErrorReporter,
	ExecutionLifecycleHooks,
	ExternalSecretsProxy,
	InstanceSettings,
	PackageDirectoryLoader,
	WorkflowExecute,
} from 'n8n-core';
// Not re-exported by n8n-core's index; the harness needs the class to tame its timer (see prepareServices).
import { SSHClientsManager } from 'n8n-core/dist/execution-engine/ssh-clients-manager';
import { createRunExecutionData, ICredentialsHelper, NodeHelpers, Workflow } from 'n8n-workflow';
import type {
	ExecutionBaseError,
	ICredentialDataDecryptedObject,
	ICredentials,
	ICredentialsExpressionResolveValues,
	ICredentialType,
	ICredentialTypes,
	IDataObject,
	IExecuteData,
	IHttpRequestHelper,
	IHttpRequestOptions,
	INode,
	INodeCredentialsDetails,
	INodeExecutionData,
	INodeProperties,
	INodeType,
	INodeTypes,
	IConnections,
	IRequestOptionsSimplified,
	IRun,
	IRunData,
	IVersionedNodeType,
	IWorkflowBase,
	IWorkflowExecuteAdditionalData,
	WorkflowExecuteMode,
} from 'n8n-workflow';

/** The package root: package.json with its `n8n` block, and dist/. */
export const PACKAGE_DIR = path.resolve(__dirname, '..', '..');

export const PACKAGE_NAME = 'n8n-nodes-ekycpro';

/** The full node type name n8n gives a community node, e.g. `n8n-nodes-ekycpro.eKycPro`. */
export function nodeTypeName(name: string): string {
	return `${PACKAGE_NAME}.${name}`;
}

// ---------------------------------------------------------------------------------------------------------------
// n8n-core services

let servicesReady: Promise<void> | undefined;
let n8nFolder: string | undefined;

/**
 * Registers the few services n8n-core takes from its DI container: instance settings in a throw-away folder (so
 * nothing is written to ~/.n8n), a quiet logger, and the binary data service in memory mode (mode `default` with no
 * manager: prepareBinaryData keeps the base64 data on the item, as n8n does without N8N_DEFAULT_BINARY_DATA_MODE).
 */
async function prepareServices(): Promise<void> {
	const globalConfig = Container.get(GlobalConfig);
	// Errors the tests provoke on purpose would otherwise be logged at error level by n8n.
	if (process.env.N8N_LOG_LEVEL === undefined) globalConfig.logging.level = 'silent';

	n8nFolder = mkdtempSync(path.join(tmpdir(), 'ekycpro-n8n-'));
	const settingsConfig = Container.get(InstanceSettingsConfig);
	// The config's fields are read-only in its type; n8n fills them from the environment, the harness sets them.
	Object.assign(settingsConfig, {
		n8nFolder,
		userHome: path.dirname(n8nFolder),
		encryptionKey: 'workflow-test-encryption-key',
	});
	const logger = Container.get(Logger);
	const instanceSettings = new InstanceSettings(settingsConfig, logger);
	Container.set(InstanceSettings, instanceSettings);

	const binaryDataConfig = new BinaryDataConfig(instanceSettings);
	binaryDataConfig.mode = 'default';
	binaryDataConfig.availableModes = [];
	const binaryDataService = new BinaryDataService(binaryDataConfig, Container.get(ErrorReporter), logger);
	await binaryDataService.init();
	Container.set(BinaryDataConfig, binaryDataConfig);
	Container.set(BinaryDataService, binaryDataService);

	// Every execute context asks the container for the SSH tunnel manager, whose constructor starts a one-minute
	// cleanup interval that is never cleared before process exit: it would keep jest from exiting. Unref it.
	const sshClients = Container.get(SSHClientsManager);
	(sshClients as unknown as { cleanupTimer?: NodeJS.Timeout }).cleanupTimer?.unref();
}

async function ensureServices(): Promise<void> {
	servicesReady ??= prepareServices();
	await servicesReady;
}

/** Stops the SSH manager's timer and removes the throw-away n8n folder; call it from afterAll. */
export function cleanupHarness(): void {
	Container.get(SSHClientsManager).onShutdown();
	if (n8nFolder !== undefined) rmSync(n8nFolder, { recursive: true, force: true });
}

// ---------------------------------------------------------------------------------------------------------------
// The package, loaded as n8n loads it

/** Node types by their full name (`n8n-nodes-ekycpro.eKycPro`), as n8n's own NodeTypes service answers. */
export class PackageNodeTypes implements INodeTypes {
	constructor(private readonly loader: PackageDirectoryLoader) {}

	private shortName(fullName: string): string {
		const prefix = `${this.loader.packageName}.`;
		if (!fullName.startsWith(prefix)) {
			throw new Error(
				`Unknown node type "${fullName}": only ${this.loader.packageName} is loaded (n8n-nodes-base is not installed here)`,
			);
		}
		return fullName.slice(prefix.length);
	}

	getByName(nodeType: string): INodeType | IVersionedNodeType {
		return this.loader.getNode(this.shortName(nodeType)).type;
	}

	getByNameAndVersion(nodeType: string, version?: number): INodeType {
		return NodeHelpers.getVersionedNodeType(this.getByName(nodeType), version);
	}

	getKnownTypes(): IDataObject {
		return Object.fromEntries(
			Object.entries(this.loader.known.nodes).map(([name, details]) => [`${this.loader.packageName}.${name}`, details]),
		) as IDataObject;
	}
}

export class PackageCredentialTypes implements ICredentialTypes {
	constructor(private readonly loader: PackageDirectoryLoader) {}

	recognizes(credentialType: string): boolean {
		return credentialType in this.loader.known.credentials;
	}

	getByName(credentialType: string): ICredentialType {
		return this.loader.getCredential(credentialType).type;
	}

	getSupportedNodes(type: string): string[] {
		return (this.loader.known.credentials[type]?.supportedNodes ?? []).map(
			(name) => `${this.loader.packageName}.${name}`,
		);
	}

	/** Every type this one extends, nearest first, as n8n's CredentialTypes does. */
	getParentTypes(typeName: string): string[] {
		const extendsTypes = this.loader.known.credentials[typeName]?.extends ?? [];
		const parents: string[] = [];
		for (const parent of extendsTypes) parents.push(parent, ...this.getParentTypes(parent));
		return parents;
	}
}

export interface LoadedPackage {
	loader: PackageDirectoryLoader;
	nodeTypes: PackageNodeTypes;
	credentialTypes: PackageCredentialTypes;
}

const loadedPackages = new Map<string, Promise<LoadedPackage>>();

/**
 * Loads the package through n8n-core's PackageDirectoryLoader: package.json's `n8n` block names the files, every
 * node and credential class is instantiated, codex files are read and icon paths are checked to be in the package.
 * A broken `n8n` block or a missing dist file makes this reject.
 */
export async function loadPackage(directory = PACKAGE_DIR): Promise<LoadedPackage> {
	let loaded = loadedPackages.get(directory);
	if (loaded === undefined) {
		loaded = (async () => {
			await ensureServices();
			const loader = new PackageDirectoryLoader(directory);
			await loader.loadAll();
			return {
				loader,
				nodeTypes: new PackageNodeTypes(loader),
				credentialTypes: new PackageCredentialTypes(loader),
			};
		})();
		loadedPackages.set(directory, loaded);
		// A failed load is not cached, so a test that fixes dist can try again.
		loaded.catch(() => loadedPackages.delete(directory));
	}
	return await loaded;
}

// ---------------------------------------------------------------------------------------------------------------
// Credentials

/**
 * The credentials helper n8n's CLI would give: decrypted data (here: the test's plain objects) with the credential
 * type's defaults applied and expressions resolved, and the type's generic `authenticate` applied to each request.
 */
export class TestCredentialsHelper extends ICredentialsHelper {
	/** Every credential type a node asked for, in order (tests can assert which credentials were used). */
	readonly requested: string[] = [];

	constructor(
		private readonly credentialTypes: PackageCredentialTypes,
		private readonly credentials: Record<string, ICredentialDataDecryptedObject>,
	) {
		super();
	}

	getParentTypes(name: string): string[] {
		return this.credentialTypes.getParentTypes(name);
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions | IRequestOptionsSimplified,
		workflow: Workflow,
		node: INode,
	): Promise<IHttpRequestOptions> {
		const credentialType = this.credentialTypes.getByName(typeName);
		const { authenticate } = credentialType;
		if (authenticate === undefined) return requestOptions as IHttpRequestOptions;
		if (typeof authenticate === 'function') {
			return await authenticate(credentials, requestOptions as IHttpRequestOptions);
		}
		if (authenticate.type !== 'generic') return requestOptions as IHttpRequestOptions;
		const target = requestOptions as unknown as Record<string, Record<string, unknown> | undefined>;
		target.headers ??= {};
		for (const [section, entries] of Object.entries(authenticate.properties)) {
			if (entries === undefined) continue;
			const resolvedSection = (target[section] ??= {});
			for (const [key, value] of Object.entries(entries as Record<string, unknown>)) {
				const resolvedKey = this.resolveValue(key, credentials, workflow, node);
				resolvedSection[resolvedKey] = this.resolveValue(value, credentials, workflow, node);
			}
		}
		return requestOptions as IHttpRequestOptions;
	}

	/** `={{$credentials.apiKey}}` -> the key; anything that is not an expression stays as it is. */
	private resolveValue(
		value: unknown,
		credentials: ICredentialDataDecryptedObject,
		workflow: Workflow,
		node: INode,
	): string {
		if (typeof value !== 'string' || !value.startsWith('=')) return String(value);
		const resolved = workflow.expression.getSimpleParameterValue(
			node,
			value,
			'internal',
			{ $credentials: credentials },
			undefined,
			'',
		);
		return resolved === undefined || resolved === null ? '' : String(resolved);
	}

	async preAuthentication(
		_helpers: IHttpRequestHelper,
		_credentials: ICredentialDataDecryptedObject,
		_typeName: string,
		_node: INode,
		_credentialsExpired: boolean,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		return undefined;
	}

	async getCredentials(_nodeCredentials: INodeCredentialsDetails, _type: string): Promise<ICredentials> {
		throw new Error('The workflow harness keeps no encrypted credentials');
	}

	async getDecrypted(
		_additionalData: IWorkflowExecuteAdditionalData,
		nodeCredentials: INodeCredentialsDetails,
		type: string,
		mode: WorkflowExecuteMode,
		_executeData?: IExecuteData,
		raw?: boolean,
		expressionResolveValues?: ICredentialsExpressionResolveValues,
	): Promise<ICredentialDataDecryptedObject> {
		this.requested.push(type);
		const stored = this.credentials[type];
		if (stored === undefined) {
			throw new Error(`Credential with ID "${nodeCredentials.id ?? ''}" does not exist for type "${type}"`);
		}
		const data = structuredClone(stored);
		if (raw === true) return data;
		// Defaults of the credential's fields, as the CLI fills them before a node sees the data.
		const withDefaults = (NodeHelpers.getNodeParameters(
			this.getCredentialsProperties(type),
			data as never,
			true,
			false,
			null,
			null,
		) ?? {}) as ICredentialDataDecryptedObject;
		if (expressionResolveValues === undefined) return withDefaults;
		const { workflow, runExecutionData, runIndex, itemIndex, node, connectionInputData } = expressionResolveValues;
		return workflow.expression.getParameterValue(
			withDefaults as never,
			runExecutionData,
			runIndex,
			itemIndex,
			node.name,
			connectionInputData,
			mode,
			{},
			undefined,
			false,
			withDefaults,
		) as ICredentialDataDecryptedObject;
	}

	async updateCredentials(): Promise<void> {}

	async updateCredentialsOauthTokenData(): Promise<void> {}

	/** The type's fields, those of the types it extends first. */
	getCredentialsProperties(type: string): INodeProperties[] {
		const credentialType = this.credentialTypes.getByName(type);
		const inherited = (credentialType.extends ?? []).flatMap((parent) => this.getCredentialsProperties(parent));
		const own = credentialType.properties;
		return [...inherited.filter((property) => !own.some((o) => o.name === property.name)), ...own];
	}
}

// ---------------------------------------------------------------------------------------------------------------
// Running a workflow

export interface WorkflowDefinition {
	nodes: INode[];
	connections: IConnections;
}

export interface RunOptions {
	/** Decrypted credential data by credential type, e.g. `{ eKycProApi: { apiKey, baseUrl } }`. */
	credentials?: Record<string, ICredentialDataDecryptedObject>;
	/** Items fed to the start node, standing in for "Manual Trigger -> items". Default: one empty item. */
	input?: IDataObject[] | INodeExecutionData[];
	/** Node to start from; default: the first node without a main input connection. */
	startNode?: string;
	/** Cancels the execution after this long, as n8n's execution timeout does. */
	timeoutMs?: number;
	/** Receives a function that cancels the running execution (as the editor's Stop button does). */
	onStart?: (cancel: () => void) => void;
	/** Default 'manual'. */
	mode?: WorkflowExecuteMode;
	/** Default 'workflow-test'; '' stands for a workflow that was never saved. */
	workflowId?: string;
	/**
	 * Resumes a parked execution as n8n does: called with the time it waits for (a test on the simulated clock
	 * sleeps until then), then the stored execution (a JSON copy, as the database holds it) runs on. Without it a
	 * parked run ends as it is, `waiting`.
	 */
	onPark?: (waitTill: Date) => Promise<void>;
}

/** One park of an execution: when, until when, and how large the stored execution was. */
export interface ParkRecord {
	at: number;
	until: number;
	/** Length of the execution data as JSON: what n8n writes to its database. */
	storedChars: number;
}

export interface WorkflowRunResult {
	run: IRun;
	runData: IRunData;
	/** Items of a node's output from its last run; [] when the node did not run or sent nothing there. */
	output(nodeName: string, outputIndex?: number): INodeExecutionData[];
	/** Items of a node's output from all its runs, in order (a node in a loop runs once per pass). */
	outputOfAllRuns(nodeName: string, outputIndex?: number): INodeExecutionData[];
	/** The error that stopped the execution (a plain copy of the thrown error: message, description, node, ...). */
	error?: ExecutionBaseError;
	/** Errors recorded per node, including those of nodes that continued on fail. */
	nodeErrors: Record<string, ExecutionBaseError>;
	lastNodeExecuted?: string;
	credentialsRequested: string[];
	/** Whether the test cancelled the execution or its timeout did. */
	cancelled: boolean;
	timedOut: boolean;
	/** Every park, in order (with `onPark`; otherwise at most one, the run's end). */
	parks: ParkRecord[];
}

function isExecutionData(item: IDataObject | INodeExecutionData): item is INodeExecutionData {
	return typeof item === 'object' && item !== null && 'json' in item && typeof item.json === 'object';
}

function toItems(input: RunOptions['input']): INodeExecutionData[] {
	if (input === undefined) return [{ json: {} }];
	return input.map((item) => (isExecutionData(item) ? item : { json: item }));
}

function startNodeOf(workflow: Workflow, nodes: INode[], startNode: string | undefined): INode {
	if (startNode !== undefined) {
		const node = workflow.getNode(startNode);
		if (node === null) throw new Error(`The workflow has no node "${startNode}"`);
		return node;
	}
	const fed = new Set(Object.keys(workflow.connectionsByDestinationNode));
	const first = nodes.find((node) => !fed.has(node.name) && node.disabled !== true);
	if (first === undefined) throw new Error('Every node has an input: name the start node');
	return workflow.getNode(first.name) as INode;
}

/** Attaches a stand-in credential reference to nodes whose type needs a credential the test supplies. */
function withCredentialReferences(
	nodes: INode[],
	nodeTypes: INodeTypes,
	credentials: Record<string, unknown>,
): INode[] {
	return nodes.map((original) => {
		const node = structuredClone(original);
		const description = nodeTypes.getByNameAndVersion(node.type, node.typeVersion).description;
		for (const { name } of description.credentials ?? []) {
			if (!(name in credentials) || node.credentials?.[name] !== undefined) continue;
			node.credentials = { ...node.credentials, [name]: { id: `test-${name}`, name: `Test ${name}` } };
		}
		return node;
	});
}

let executionCounter = 0;

export async function runWorkflow(
	definition: WorkflowDefinition,
	options: RunOptions = {},
): Promise<WorkflowRunResult> {
	const { nodeTypes, credentialTypes } = await loadPackage();
	const mode = options.mode ?? 'manual';
	const credentials = options.credentials ?? {};
	const executionId = `test-${++executionCounter}`;
	const nodes = withCredentialReferences(definition.nodes, nodeTypes, credentials);
	const workflowData: IWorkflowBase = {
		id: options.workflowId ?? 'workflow-test',
		name: 'Workflow test',
		active: false,
		activeVersionId: null,
		isArchived: false,
		nodes,
		connections: structuredClone(definition.connections),
		settings: { executionOrder: 'v1' },
		createdAt: new Date(),
		updatedAt: new Date(),
	};
	// Each resume loads the workflow anew, as n8n does from its database (a parked node's copy is marked disabled).
	const newWorkflow = () =>
		new Workflow({
			id: workflowData.id,
			name: workflowData.name,
			nodes: structuredClone(workflowData.nodes),
			connections: structuredClone(workflowData.connections),
			active: false,
			nodeTypes,
			settings: workflowData.settings,
		});
	const workflow = newWorkflow();
	const credentialsHelper = new TestCredentialsHelper(credentialTypes, credentials);
	const hooks = new ExecutionLifecycleHooks(mode, executionId, workflowData);
	const additionalData: IWorkflowExecuteAdditionalData = {
		credentialsHelper,
		hooks,
		executionId,
		currentNodeExecutionIndex: 0,
		restApiUrl: 'http://localhost:5678/rest',
		instanceBaseUrl: 'http://localhost:5678',
		formWaitingBaseUrl: 'http://localhost:5678/form-waiting',
		webhookBaseUrl: 'http://localhost:5678/webhook',
		webhookWaitingBaseUrl: 'http://localhost:5678/webhook-waiting',
		webhookTestBaseUrl: 'http://localhost:5678/webhook-test',
		variables: {},
		externalSecretsProxy: Container.get(ExternalSecretsProxy),
		executeWorkflow: async () => {
			throw new Error('Sub-workflows are not available in the workflow harness');
		},
		getRunExecutionData: async () => undefined,
		logAiEvent: () => {},
		startRunnerTask: async () => {
			throw new Error('Task runners are not available in the workflow harness');
		},
		executionTimeoutTimestamp: options.timeoutMs === undefined ? undefined : Date.now() + options.timeoutMs,
	};

	const startNode = startNodeOf(workflow, nodes, options.startNode);
	const runExecutionData = createRunExecutionData({
		executionData: {
			nodeExecutionStack: [{ node: startNode, data: { main: [toItems(options.input)] }, source: null }],
		},
	});
	const workflowExecute = new WorkflowExecute(additionalData, mode, runExecutionData);
	const execution = workflowExecute.processRunExecutionData(workflow);
	let cancelled = false;
	const cancel = () => {
		cancelled = true;
		execution.cancel();
	};
	// n8n's execution timeout cancels the running execution and marks it timed out.
	const timer =
		options.timeoutMs === undefined
			? undefined
			: setTimeout(() => {
					workflowExecute.timedOut = true;
					cancel();
				}, options.timeoutMs);
	options.onStart?.(cancel);
	let run: IRun;
	const parks: ParkRecord[] = [];
	try {
		run = await execution;
		while (run.waitTill !== undefined && run.waitTill !== null) {
			const until = new Date(run.waitTill);
			const stored = JSON.stringify(run.data);
			parks.push({ at: Date.now(), until: until.getTime(), storedChars: stored.length });
			if (options.onPark === undefined || cancelled) break;
			await options.onPark(until);
			const resumed = new WorkflowExecute(additionalData, mode, JSON.parse(stored) as IRun['data']);
			run = await resumed.processRunExecutionData(newWorkflow());
		}
	} finally {
		if (timer !== undefined) clearTimeout(timer);
	}

	const runData = run.data.resultData.runData;
	const nodeErrors: Record<string, ExecutionBaseError> = {};
	for (const [nodeName, tasks] of Object.entries(runData)) {
		const failed = [...tasks].reverse().find((task) => task.error !== undefined);
		if (failed?.error !== undefined) nodeErrors[nodeName] = failed.error;
	}
	return {
		run,
		runData,
		output(nodeName: string, outputIndex = 0): INodeExecutionData[] {
			const tasks = runData[nodeName];
			if (tasks === undefined || tasks.length === 0) return [];
			return tasks[tasks.length - 1].data?.main?.[outputIndex] ?? [];
		},
		outputOfAllRuns(nodeName: string, outputIndex = 0): INodeExecutionData[] {
			return (runData[nodeName] ?? []).flatMap((task) => task.data?.main?.[outputIndex] ?? []);
		},
		error: run.data.resultData.error,
		nodeErrors,
		lastNodeExecuted: run.data.resultData.lastNodeExecuted,
		credentialsRequested: credentialsHelper.requested,
		cancelled,
		timedOut: workflowExecute.timedOut,
		parks,
	};
}

// ---------------------------------------------------------------------------------------------------------------
// Building workflows in tests

let nodeCounter = 0;

/** A node of this package, e.g. `packageNode('Create', 'eKycPro', { resource: 'telegram', operation: 'createTask' })`. */
export function packageNode(
	name: string,
	type: string,
	parameters: INode['parameters'],
	extra: Partial<Omit<INode, 'name' | 'type' | 'parameters'>> = {},
): INode {
	nodeCounter++;
	return {
		id: `node-${nodeCounter}`,
		name,
		type: nodeTypeName(type),
		typeVersion: 1,
		position: [nodeCounter * 220, 0],
		parameters,
		...extra,
	};
}

/** Connects the nodes one after the other through their first output. */
export function chain(...nodeNames: string[]): IConnections {
	const connections: IConnections = {};
	for (let i = 0; i + 1 < nodeNames.length; i++) {
		connections[nodeNames[i]] = { main: [[{ node: nodeNames[i + 1], type: 'main', index: 0 }]] };
	}
	return connections;
}
