/**
 * Proves the real-n8n harness (test/e2e/n8n.ts) on n8n 1 and n8n 2: a workflow of n8n's own nodes is imported and
 * executed headless, a credential round-trips through n8n's encryption, `n8n start` serves, and the packed
 * n8n-nodes-ekycpro package (once `npm run build` produced dist/) installs into the community nodes folder and loads.
 *
 *   npx jest -c test/e2e/jest.config.js test/e2e/n8nHarness.e2e.ts
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';

import {
	activateWorkflow,
	e2eMajors,
	callWebhook,
	importCredential,
	importWorkflow,
	installPackedPackage,
	listNodeTypes,
	newN8nHome,
	packPackage,
	nodeOutputJson,
	nodeRuns,
	removeN8nHome,
	runError,
	runN8nCommand,
	startN8n,
	waitForExecution,
	executeWorkflow,
	type N8nHome,
	type N8nMajor,
	type N8nWorkflowJson,
	type PackedPackage,
} from './n8n';

const repoRoot = path.resolve(__dirname, '..', '..');
const majors = e2eMajors();

const pinnedVersion = (major: N8nMajor): string =>
	(
		JSON.parse(
			fs.readFileSync(path.join(repoRoot, 'scripts', 'n8n', 'envs', `n8n-${major}`, 'package.json'), 'utf8'),
		) as {
			dependencies: Record<string, string>;
		}
	).dependencies.n8n;

const packageBuilt = fs.existsSync(path.join(repoRoot, 'dist', 'nodes', 'EKycPro', 'EKycPro.node.js'));
const waitNodeBuilt = fs.existsSync(path.join(repoRoot, 'dist', 'nodes', 'EKycPro', 'EKycProWait.node.js'));

const INSTALL_TIMEOUT = 45 * 60_000;

function manualTrigger(): Record<string, unknown> {
	return {
		id: '9b5a6c0e-0000-4000-8000-000000000001',
		name: 'When clicking Execute',
		type: 'n8n-nodes-base.manualTrigger',
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
	};
}

function setFieldsWorkflow(id: string, greeting: string): N8nWorkflowJson {
	return {
		id,
		name: `harness set fields ${id}`,
		nodes: [
			manualTrigger(),
			{
				id: '9b5a6c0e-0000-4000-8000-000000000002',
				name: 'Edit Fields',
				type: 'n8n-nodes-base.set',
				typeVersion: 3.4,
				position: [220, 0],
				parameters: {
					assignments: {
						assignments: [
							{ id: 'a1', name: 'greeting', value: greeting, type: 'string' },
							// An expression, so the expression engine of each n8n is exercised too.
							{ id: 'a2', name: 'answer', value: '={{ 6 * 7 }}', type: 'number' },
						],
					},
					options: {},
				},
			},
		],
		connections: {
			'When clicking Execute': { main: [[{ node: 'Edit Fields', type: 'main', index: 0 }]] },
		},
	};
}

function httpRequest(method: string, url: string, body?: unknown): Promise<{ status: number; body: string }> {
	return new Promise((resolve, reject) => {
		const payload = body === undefined ? undefined : JSON.stringify(body);
		const request = http.request(
			url,
			{
				method,
				headers: payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {},
			},
			(response) => {
				const chunks: Buffer[] = [];
				response.on('data', (chunk: Buffer) => chunks.push(chunk));
				response.on('end', () =>
					resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
				);
			},
		);
		request.on('error', reject);
		request.end(payload);
	});
}

let packed: PackedPackage | undefined;

beforeAll(() => {
	if (packageBuilt) packed = packPackage(repoRoot);
}, 120_000);

afterAll(() => {
	if (packed) fs.rmSync(packed.dir, { recursive: true, force: true });
});

describe.each(majors)('real n8n %i', (major) => {
	let home: N8nHome;

	beforeAll(async () => {
		home = await newN8nHome(major);
	}, INSTALL_TIMEOUT);

	afterAll(() => {
		if (home && !process.env.EKYCPRO_E2E_KEEP) removeN8nHome(home);
	});

	it('runs the pinned n8n version on the right Node', async () => {
		const printed = await runN8nCommand(home, ['--version']);
		expect(printed.stdout.trim()).toContain(pinnedVersion(major));
		const nodeVersion = execFileSync(home.install.nodeBin, ['--version'], { encoding: 'utf8' }).trim();
		expect(nodeVersion).toMatch(major === 1 ? /^v20\./ : /^v24\./);
	});

	it('imports and executes a workflow of n8n own nodes and returns its output', async () => {
		const greeting = `hello from n8n ${major}`;
		const id = await importWorkflow(home, setFieldsWorkflow(`harnessSetFlds${major}`, greeting));

		const run = await executeWorkflow(home, id);

		expect(runError(run)).toBeUndefined();
		expect(nodeRuns(run, 'When clicking Execute')).toHaveLength(1);
		expect(nodeOutputJson(run, 'Edit Fields')).toEqual([{ greeting, answer: 42 }]);
	});

	it('runs a Code node (JavaScript) through the task runner', async () => {
		const id = await importWorkflow(home, {
			id: `harnessCodeNod${major}`,
			name: 'harness code node',
			nodes: [
				manualTrigger(),
				{
					id: '9b5a6c0e-0000-4000-8000-000000000021',
					name: 'Code',
					type: 'n8n-nodes-base.code',
					typeVersion: 2,
					position: [220, 0],
					parameters: { jsCode: `return [{ json: { sum: [1, 2, 3].reduce((a, b) => a + b, 0), major: ${major} } }];` },
				},
			],
			connections: { 'When clicking Execute': { main: [[{ node: 'Code', type: 'main', index: 0 }]] } },
		});

		const run = await executeWorkflow(home, id);

		expect(runError(run)).toBeUndefined();
		expect(nodeOutputJson(run, 'Code')).toEqual([{ sum: 6, major }]);
	});

	it('imports a credential with plain data, encrypted with the home key, and decrypts it again', async () => {
		await importCredential(home, {
			id: `harnessCred000${major}`,
			name: 'Harness credential',
			type: 'httpHeaderAuth',
			data: { name: 'X-Test', value: `secret-${major}` },
		});
		const exported = await runN8nCommand(home, ['export:credentials', `--id=harnessCred000${major}`, '--decrypted']);
		const encrypted = await runN8nCommand(home, ['export:credentials', `--id=harnessCred000${major}`]);
		expect(exported.exitCode).toBe(0);
		expect(exported.stdout).toContain(`secret-${major}`);
		// Stored encrypted: the plain value must not appear without --decrypted.
		expect(encrypted.stdout).toContain('Harness credential');
		expect(encrypted.stdout).not.toContain(`secret-${major}`);
	});

	it('starts n8n on 127.0.0.1, runs an active workflow from its webhook, and the stored execution reads back', async () => {
		const workflowId = await importWorkflow(home, {
			id: `harnessWebhook${major}0`,
			name: 'harness webhook',
			nodes: [
				{
					id: '9b5a6c0e-0000-4000-8000-000000000011',
					name: 'Webhook',
					type: 'n8n-nodes-base.webhook',
					typeVersion: 2,
					position: [0, 0],
					webhookId: '9b5a6c0e-0000-4000-8000-0000000000aa',
					parameters: { httpMethod: 'POST', path: `harness-hook-${major}`, responseMode: 'onReceived', options: {} },
				},
				{
					id: '9b5a6c0e-0000-4000-8000-000000000012',
					name: 'Edit Fields',
					type: 'n8n-nodes-base.set',
					typeVersion: 3.4,
					position: [220, 0],
					parameters: {
						assignments: { assignments: [{ id: 'a1', name: 'got', value: '={{ $json.body.hello }}', type: 'string' }] },
						options: {},
					},
				},
			],
			connections: { Webhook: { main: [[{ node: 'Edit Fields', type: 'main', index: 0 }]] } },
		});
		await activateWorkflow(home, workflowId);

		const n8n = await startN8n(home);
		try {
			const health = await httpRequest('GET', `${n8n.baseUrl}/healthz`);
			expect(health.status).toBe(200);
			expect(JSON.parse(health.body)).toEqual({ status: 'ok' });

			const sent = await callWebhook(n8n, `harness-hook-${major}`, { hello: `world ${major}` });
			expect(sent.status).toBe(200);

			const execution = await waitForExecution(home, workflowId, { timeoutMs: 120_000 });
			expect(execution.status).toBe('success');
			expect(execution.mode).toBe('webhook');
			expect(nodeOutputJson({ data: execution.data }, 'Edit Fields')).toEqual([{ got: `world ${major}` }]);
		} finally {
			await n8n.stop();
		}
		await expect(httpRequest('GET', `${n8n.baseUrl}/healthz`)).rejects.toThrow();
	});

	(packageBuilt ? describe : describe.skip)('packed n8n-nodes-ekycpro', () => {
		let installedDir: string;

		beforeAll(async () => {
			installedDir = await installPackedPackage(home, (packed as PackedPackage).tarball);
		}, 120_000);

		it('installs into the community nodes folder and n8n loads n8n-nodes-ekycpro.eKycPro', async () => {
			expect(fs.existsSync(path.join(installedDir, 'dist', 'nodes', 'EKycPro', 'EKycPro.node.js'))).toBe(true);
			const nodesManifest = JSON.parse(fs.readFileSync(path.join(home.nodesDir, 'package.json'), 'utf8')) as {
				dependencies: Record<string, string>;
			};
			expect(Object.keys(nodesManifest.dependencies)).toEqual(['n8n-nodes-ekycpro']);
			// Installed without its peer dependency: it must run against the host's n8n-workflow.
			expect(fs.existsSync(path.join(home.nodesDir, 'node_modules', 'n8n-workflow'))).toBe(false);

			await importCredential(home, {
				id: `harnessEkyc000${major}`,
				name: 'eKYCPro (nowhere)',
				type: 'eKycProApi',
				// A refused loopback port: the node must run, its request fails at once without leaving the machine.
				data: { apiKey: 'e2e-key', baseUrl: 'http://127.0.0.1:9', userId: '' },
			});
			const id = await importWorkflow(home, {
				id: `harnessEkycNod${major}`,
				name: 'harness eKYCPro loads',
				nodes: [
					manualTrigger(),
					{
						id: '9b5a6c0e-0000-4000-8000-000000000003',
						name: 'eKYCPro',
						type: 'n8n-nodes-ekycpro.eKycPro',
						typeVersion: 1,
						position: [220, 0],
						parameters: {},
						credentials: { eKycProApi: { id: `harnessEkyc000${major}`, name: 'eKYCPro (nowhere)' } },
						// Whatever the default operation does without input, the run goes on and is printed.
						onError: 'continueRegularOutput',
					},
				],
				connections: {
					'When clicking Execute': { main: [[{ node: 'eKYCPro', type: 'main', index: 0 }]] },
				},
			});

			const run = await executeWorkflow(home, id);

			const problem = JSON.stringify(runError(run) ?? null);
			expect(problem).not.toMatch(/Unrecognized node type|is not known|not installed/i);
			// The node ran: n8n found its type in the installed package and executed it.
			expect(nodeRuns(run, 'eKYCPro')).toHaveLength(1);
		});

		it('lists the package nodes, with their credential, among the node types n8n loads', async () => {
			const types = await listNodeTypes(home);
			const ours = types.filter((type) => type.name.startsWith('n8n-nodes-ekycpro.'));
			const expected = ['n8n-nodes-ekycpro.eKycPro'];
			if (waitNodeBuilt) expected.push('n8n-nodes-ekycpro.eKycProWait');
			expect(ours.map((type) => type.name)).toEqual(expect.arrayContaining(expected));
			// Sanity: the list is n8n's full one, not just ours.
			expect(types.some((type) => type.name === 'n8n-nodes-base.set')).toBe(true);
			const action = ours.find((type) => type.name === 'n8n-nodes-ekycpro.eKycPro');
			expect(action?.credentials?.map((credential) => credential.name)).toContain('eKycProApi');
		});
	});
});
