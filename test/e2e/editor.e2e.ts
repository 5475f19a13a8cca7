/**
 * The editor as a new user meets it, in a real headless Chromium against `n8n start` (1.x and 2.x) with the packed
 * package and the sandbox: the nodes panel lists each check's actions; a node added from one gets a readable name and
 * subtitle; Custom API Call leads to n8n's HTTP Request notice under a readable name; the credential's Test passes
 * against the sandbox and fails with a clear message for a wrong key; the enrich example runs from the Execute button
 * and the Wait node shows its item counts on Done and Not Finished. The same run saves the README's screenshots
 * (into EKYCPRO_SCREENSHOTS, default a temp folder; `npm run screenshots` points it at docs/).
 *
 *   npm run build && npx jest -c test/e2e/jest.config.js test/e2e/editor.e2e.ts
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import type { Page } from 'puppeteer-core';

import type { Sandbox } from '../sandbox';
import { newExamplesHome } from './examplesHome';
import {
	clickText,
	find,
	launchBrowser,
	screenshotCanvas,
	screenshotClip,
	setUpOwner,
	testId,
	texts,
	waitFor,
	type EditorBrowser,
} from './browser';
import {
	e2eMajors,
	importWorkflow,
	importWorkflows,
	readExample,
	startN8n,
	type PackageHome,
	type RunningN8n,
} from './n8n';

const repoRoot = path.resolve(__dirname, '..', '..');
const majors = e2eMajors();

/** Where the screenshots go: the README's pictures when `npm run screenshots` sets it to docs/. */
function screenshotDir(major: number): string {
	return process.env.EKYCPRO_SCREENSHOTS ?? path.join(os.tmpdir(), 'ekycpro-editor-screenshots', `n8n-${major}`);
}

const ENRICH = readExample('enrich-contacts.json');
const ENRICH_PARKED = readExample('enrich-contacts-parked.json');
/** The recipes (examples/recipe-*.json), each pictured on the canvas for the README's Recipes section. */
const RECIPES = fs
	.readdirSync(path.join(repoRoot, 'examples'))
	.filter((file) => /^recipe-.*\.json$/.test(file))
	.map((file) => ({ picture: file.replace(/\.json$/, '.png'), workflow: readExample(file) }));
const CREATE_NODE = 'eKYCPro: create task';
const WAIT_NODE = 'eKYCPro: wait for results';
const CONTACTS = (
	JSON.parse(
		String(
			(ENRICH.nodes as Array<{ type: string; parameters: { jsonOutput?: string } }>).find(
				(node) => node.type === 'n8n-nodes-base.set',
			)?.parameters.jsonOutput,
		),
	) as { contacts: unknown[] }
).contacts.length;

const CHECK_ACTIONS: Record<string, string> = {
	'WhatsApp Avatar': 'Create a WhatsApp Avatar task',
	'Telegram Avatar': 'Create a Telegram Avatar task',
	Telegram: 'Create a Telegram task',
	Facebook: 'Create a Facebook task',
	Instagram: 'Create an Instagram task',
	'Custom Check': 'Create a custom check task',
};

/** The editor's pages load slowly on a busy 2-core machine: a first visit compiles nothing, but parses megabytes. */
const PAGE_TIMEOUT = 180_000;

async function openEditor(page: Page, url: string): Promise<void> {
	await page.goto(url, { waitUntil: 'domcontentloaded', timeout: PAGE_TIMEOUT });
	await page.waitForSelector(`${testId('canvas-plus-button')}, ${testId('canvas-node')}`, {
		visible: true,
		timeout: PAGE_TIMEOUT,
	});
}

/** What the user sees in an element (innerText: hidden banners and tooltips left out), whitespace collapsed. */
async function visibleText(page: Page, selector: string): Promise<string> {
	return await page.$eval(selector, (element) => (element as HTMLElement).innerText.replace(/\s+/g, ' ').trim());
}

async function clearAndType(page: Page, selector: string, text: string): Promise<void> {
	const input = await find(page, selector);
	await input.click({ count: 3 });
	await page.keyboard.down('Control');
	await page.keyboard.press('KeyA');
	await page.keyboard.up('Control');
	await page.keyboard.press('Backspace');
	await page.keyboard.type(text);
	// n8n applies a typed value after a short debounce; a click on Save before it would save the old one.
	await new Promise((resolve) => setTimeout(resolve, 1_000));
}

/** Closes n8n's toasts ("Workflow executed successfully"), which would sit on top of a screenshot. */
async function dismissToasts(page: Page): Promise<void> {
	for (const close of await page.$$('.el-notification__closeBtn')) await close.click().catch(() => undefined);
	await page.waitForSelector('.el-notification', { hidden: true, timeout: 5_000 }).catch(() => undefined);
}

/** Closes the node's panel: "Back to canvas" in n8n 1, a close button in n8n 2. */
async function backToCanvas(page: Page): Promise<void> {
	const close = await page.$(`${testId('back-to-canvas')}, ${testId('ndv-close-button')}`);
	if (close) await close.click();
	else await page.keyboard.press('Escape');
	await page.waitForSelector(testId('ndv'), { hidden: true });
}

describe.each(majors)('the editor of real n8n %i.x in a browser', (major) => {
	let sandbox: Sandbox;
	let packageHome: PackageHome | undefined;
	let n8n: RunningN8n | undefined;
	let browser: EditorBrowser | undefined;
	let page: Page;
	const shots = screenshotDir(major);

	beforeAll(async () => {
		({ sandbox, packageHome } = await newExamplesHome(repoRoot, major));
		await importWorkflow(packageHome.home, ENRICH);
		await importWorkflow(packageHome.home, ENRICH_PARKED);
		await importWorkflows(
			packageHome.home,
			RECIPES.map((recipe) => recipe.workflow),
		);
		n8n = await startN8n(packageHome.home);
		browser = await launchBrowser({ width: 1600, height: 1000 });
		page = browser.page;
		page.setDefaultTimeout(60_000);
		await setUpOwner(page, n8n.baseUrl);
	}, 45 * 60_000);

	afterAll(async () => {
		await browser?.close();
		await n8n?.stop();
		await sandbox?.close();
		packageHome?.remove();
	});

	test("the nodes panel lists each check's actions; one added gets a readable name and subtitle", async () => {
		await openEditor(page, `${n8n!.baseUrl}/workflow/new`);
		await (await find(page, testId('canvas-plus-button'))).click();
		await (await find(page, testId('node-creator-search-bar'))).type('eKYCPro');
		const items = `${testId('node-creator')} ${testId('item-iterator-item')}`;
		// n8n 2 shows each node's description under its name: read the names.
		const names = `${testId('node-creator')} ${testId('node-creator-item-name')}`;
		await waitFor('both nodes in the search', async () => {
			const found = await texts(page, names);
			return found.includes('eKYCPro') && found.includes('eKYCPro Wait') ? found : undefined;
		});
		await clickText(page, names, 'eKYCPro');

		// Per check, a heading and its three actions, in the catalogue's order (the list renders in steps: wait for all).
		const expected = Object.entries(CHECK_ACTIONS).flatMap(([check, create]) => [
			`${check} Actions`,
			create,
			'Get the status of a task',
			'Download the result of a task',
		]);
		const listed = await waitFor("every check's actions", async () => {
			const found = await texts(page, items);
			const from = found.indexOf(expected[0]);
			return from >= 0 && found.length - from >= expected.length ? found.slice(from) : undefined;
		});
		expect(listed).toEqual(expected);
		await clickText(page, items, 'Create a WhatsApp Avatar task');
		// The node's panel opens with the chosen check and operation, under the action's name.
		await waitFor('the node panel', async () =>
			/Create a WhatsApp Avatar task/.test(await visibleText(page, testId('node-title-container'))) ? true : undefined,
		);
		const resource = await page.$eval(
			`${testId('parameter-input-resource')} input`,
			(input) => (input as HTMLInputElement).value,
		);
		const operation = await page.$eval(
			`${testId('parameter-input-operation')} input`,
			(input) => (input as HTMLInputElement).value,
		);
		expect([resource, operation]).toEqual(['WhatsApp Avatar', 'Create Task']);
		await backToCanvas(page);

		const node = `${testId('canvas-node')}[data-node-name="Create a WhatsApp Avatar task"]`;
		await find(page, node);
		expect(await visibleText(page, node)).toContain('Create Task: WhatsApp Avatar');
		expect(await visibleText(page, `${testId('canvas')}`)).not.toMatch(/createTask|whatsappAvatar|__CUSTOM/);
	});

	test("Custom API Call: a readable name, and n8n's pointer to the HTTP Request node", async () => {
		await (
			await find(page, `${testId('canvas-node')}[data-node-name="Create a WhatsApp Avatar task"]`)
		).click({ count: 2 });
		await (await find(page, testId('parameter-input-operation'))).click();
		// Each option shows its name, then its description.
		await clickText(page, '.el-select-dropdown__item', /^Custom API Call/);
		await waitFor('the renamed node', async () =>
			/Make a custom API call/.test(await visibleText(page, testId('node-title-container'))) ? true : undefined,
		);
		expect(await visibleText(page, testId('node-parameters'))).toMatch(
			/Use the HTTP Request node to make a custom API call/,
		);
		await backToCanvas(page);
		const node = `${testId('canvas-node')}[data-node-name="Make a custom API call"]`;
		expect(await visibleText(page, node)).toContain('Custom API Call');
	});

	test("the credential's Test passes against the sandbox and names the problem for a wrong key", async () => {
		await openEditor(page, `${n8n!.baseUrl}/workflow/${ENRICH.id}`);
		await (await find(page, `${testId('canvas-node')}[data-node-name="${CREATE_NODE}"]`)).click({ count: 2 });
		await (await find(page, testId('credential-edit-button'))).click();
		const modal = testId('editCredential-modal');
		const modalText = () => visibleText(page, modal);
		await waitFor('the test to pass on opening', async () =>
			/Connection tested successfully/.test(await modalText()) ? true : undefined,
		);

		const apiKey = `${testId('parameter-input-apiKey')} input`;
		await clearAndType(page, apiKey, 'not-the-key');
		await clickText(page, `${modal} button`, 'Save');
		await waitFor('the failed test', async () =>
			/Couldn.t connect with these settings/.test(await modalText()) ? true : undefined,
		);
		await clickText(page, `${modal} a, ${modal} span`, 'More details');
		await waitFor('the reason', async () =>
			/eKYCPro rejected the API key \(HTTP 401\)\. Check the key\./.test(await modalText()) ? true : undefined,
		);

		await clearAndType(page, apiKey, sandbox.apiKey);
		await clickText(page, `${modal} button`, 'Save');
		await waitFor('the test to pass again', async () => {
			const text = await modalText();
			return /Connection tested successfully/.test(text) && !/Couldn.t connect|check the errors/.test(text)
				? true
				: undefined;
		});
		await page.keyboard.press('Escape');
		await page.waitForSelector(modal, { hidden: true });
		await backToCanvas(page);
	});

	test('the enrich example runs from the Execute button: Done has every contact, Not Finished none', async () => {
		const execute = await waitFor('the Execute button for the manual trigger', async () => {
			for (const selector of [testId('execute-workflow-button-Run now'), testId('execute-workflow-button')]) {
				const button = await page.$(selector);
				if (button && (await button.isVisible())) return button;
			}
			return undefined;
		});
		const charges = sandbox.charges;
		await execute.click();
		const done = `${testId('edge-label')}[data-source-node-name="${WAIT_NODE}"][data-target-node-name="Update CRM (replace with your CRM)"]`;
		const label = await waitFor(
			'items on the Done branch',
			async () => {
				const text = await page.$eval(done, (element) => (element.textContent ?? '').trim()).catch(() => '');
				return /item/.test(text) ? text : undefined;
			},
			180_000,
			500,
		);
		expect(label).toBe(`${CONTACTS} items`);
		expect(sandbox.charges - charges).toBe(1);

		// The canvas as the README shows it: the whole workflow, after the run, nothing selected.
		await dismissToasts(page);
		await page.mouse.click(700, 120);
		// Room for the labels under the nodes and the edges' item counts beyond the last ones.
		await screenshotCanvas(page, path.join(shots, 'workflow.png'), { left: 70, top: 30, right: 80, bottom: 80 });

		// The Wait node's output: the counts on both branches, and the table of enriched contacts.
		await (await find(page, `${testId('canvas-node')}[data-node-name="${WAIT_NODE}"]`)).click({ count: 2 });
		const output = testId('output-panel');
		const branches = await waitFor('the output branches', async () => {
			const found = await texts(page, `${output} ${testId('branches')} [data-test-id^="tab-"]`);
			return found.length === 2 ? found : undefined;
		});
		expect(branches).toEqual([`Done Branch (${CONTACTS} items)`, 'Not Finished Branch']);
		await (await find(page, `${output} ${testId('branches')} ${testId('tab-1')}`)).click();
		await waitFor('the empty Not Finished branch', async () =>
			/No output data in this branch/.test(await visibleText(page, output)) ? true : undefined,
		);
		await (await find(page, `${output} ${testId('branches')} ${testId('tab-0')}`)).click();
		await (await find(page, `${output} ${testId('radio-button-table')}`)).click();
		await waitFor('the table', async () => (/Anna Keller/.test(await visibleText(page, output)) ? true : undefined));
		await dismissToasts(page);
		// The panel settles after the switch to the table.
		await new Promise((resolve) => setTimeout(resolve, 1_000));
		// The branch tabs and the first contacts are what the picture is for.
		const table = await page.$eval(output, (element) => element.getBoundingClientRect().toJSON() as DOMRect);
		await screenshotClip(page, path.join(shots, 'wait-output.png'), {
			x: table.x,
			y: table.y,
			width: table.width,
			height: 620,
		});
		await backToCanvas(page);

		// The Create Task panel as the README shows it, with the input the run gave it.
		await (await find(page, `${testId('canvas-node')}[data-node-name="${CREATE_NODE}"]`)).click({ count: 2 });
		await find(page, testId('node-parameters'));
		const panel = await page.$eval('.node-settings', (element) => {
			const rect = element.getBoundingClientRect();
			const items = Array.from(element.querySelectorAll('[data-test-id="parameter-item"]'));
			const bottom = Math.max(...items.map((item) => item.getBoundingClientRect().bottom), rect.top + 200);
			return { x: rect.left, y: rect.top, width: rect.width, height: bottom - rect.top + 16 };
		});
		await screenshotClip(page, path.join(shots, 'create-task.png'), panel);
		await backToCanvas(page);
	});
	test('the parked example: the Wait node shows Check Again, Done and Not Finished, Check Again looping back to it', async () => {
		await openEditor(page, `${n8n!.baseUrl}/workflow/${String(ENRICH_PARKED.id)}`);
		const wait = `${testId('canvas-node')}[data-node-name="${WAIT_NODE}"]`;
		await find(page, wait);
		// The outputs come from the node's outputs expression on Between Checks: the editor evaluates it.
		const labels = await waitFor("the Wait node's output labels", async () => {
			const text = await page.$eval(`${wait}`, (element) => {
				const node = element.closest('.vue-flow__node') ?? element;
				return node.textContent ?? '';
			});
			return /Check Again/.test(text) && /Done/.test(text) && /Not Finished/.test(text) ? text : undefined;
		});
		expect(labels).toMatch(/Check Again[\s\S]*Done[\s\S]*Not Finished/);
		const loop = await page.$$(`[data-source-node-name="${WAIT_NODE}"][data-target-node-name="${WAIT_NODE}"]`);
		expect(loop.length).toBeGreaterThan(0);

		await dismissToasts(page);
		await screenshotCanvas(page, path.join(shots, 'park-loop.png'), { left: 70, top: 40, right: 100, bottom: 90 });
	});

	test('each recipe opens on the canvas with every node drawn', async () => {
		for (const { picture, workflow } of RECIPES) {
			await openEditor(page, `${n8n!.baseUrl}/workflow/${String(workflow.id)}`);
			const names = (workflow.nodes as Array<{ name: string; type: string }>)
				.filter((node) => node.type !== 'n8n-nodes-base.stickyNote')
				.map((node) => node.name);
			const drawn = await waitFor(`the nodes of ${picture} on the canvas`, async () => {
				const onCanvas = await page.$$eval(testId('canvas-node'), (elements) =>
					elements.map((element) => element.getAttribute('data-node-name')),
				);
				return names.every((name) => onCanvas.includes(name)) ? onCanvas : undefined;
			});
			expect(drawn).toEqual(expect.arrayContaining(names));
			await dismissToasts(page);
			await screenshotCanvas(page, path.join(shots, picture), { left: 70, top: 40, right: 100, bottom: 90 });
		}
	});
});
