/**
 * Drives n8n's editor in a real, headless Chromium (Debian's `chromium`, through puppeteer-core) for the editor
 * end-to-end test and the README screenshots. Selectors are n8n's own `data-test-id` attributes where it has them,
 * and visible text where a user would look for text.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import puppeteer from 'puppeteer-core';
import type { Browser, ElementHandle, Page } from 'puppeteer-core';

/** Debian's chromium package; `.ci/run` installs it when missing. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface EditorBrowser {
	browser: Browser;
	page: Page;
	close(): Promise<void>;
}

/** A headless Chromium with a fresh profile, offline apart from the addresses the page asks for. */
export async function launchBrowser(viewport = { width: 1440, height: 900 }): Promise<EditorBrowser> {
	if (!fs.existsSync(CHROMIUM_PATH)) {
		throw new Error(`no Chromium at ${CHROMIUM_PATH}: apt-get install chromium (or set CHROMIUM_PATH)`);
	}
	const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'ekycpro-chromium-'));
	const browser = await puppeteer.launch({
		executablePath: CHROMIUM_PATH,
		headless: true,
		userDataDir: profile,
		defaultViewport: { ...viewport, deviceScaleFactor: 1 },
		args: [
			'--no-sandbox',
			'--disable-gpu',
			'--disable-dev-shm-usage',
			'--disable-quic',
			'--no-first-run',
			'--disable-background-networking',
			'--disable-component-update',
			'--disable-sync',
			'--lang=en-US',
		],
	});
	const page = await browser.newPage();
	page.setDefaultTimeout(30_000);
	// "Leave this page? Changes you made may not be saved": a test that moves on has nothing left to save.
	page.on('dialog', (dialog) => void dialog.accept().catch(() => undefined));
	return {
		browser,
		page,
		close: async () => {
			await browser.close().catch(() => undefined);
			fs.rmSync(profile, { recursive: true, force: true });
		},
	};
}

export const OWNER = {
	email: 'owner@example.com',
	firstName: 'Erin',
	lastName: 'Editor',
	password: 'Ekycpro-e2e-2024',
};

/**
 * Sets up the instance owner the way the setup page does (`POST /rest/owner/setup`, allowed once and without a
 * session), from inside the page so that n8n's auth cookie is bound to this browser's id, then opens the editor.
 */
export async function setUpOwner(page: Page, baseUrl: string): Promise<void> {
	await page.goto(`${baseUrl}/`, { waitUntil: 'networkidle2' });
	const answer = await page.evaluate(async (owner) => {
		const headers: Record<string, string> = { 'content-type': 'application/json' };
		const browserId = window.localStorage.getItem('n8n-browserId');
		if (browserId) headers['browser-id'] = browserId;
		const response = await fetch('/rest/owner/setup', { method: 'POST', headers, body: JSON.stringify(owner) });
		return { status: response.status, body: await response.text() };
	}, OWNER);
	if (answer.status !== 200) throw new Error(`owner setup answered ${answer.status}: ${answer.body.slice(0, 300)}`);
}

export const testId = (id: string) => `[data-test-id="${id}"]`;

/** Waits for an element and returns it. */
export async function find(page: Page, selector: string, timeout?: number): Promise<ElementHandle<Element>> {
	const handle = await page.waitForSelector(selector, { visible: true, timeout });
	if (!handle) throw new Error(`${selector} not found`);
	return handle as ElementHandle<Element>;
}

/** The visible texts of every element matching the selector, trimmed and with whitespace collapsed. */
export async function texts(page: Page, selector: string): Promise<string[]> {
	return await page.$$eval(selector, (elements) =>
		elements
			.filter((element) => (element as HTMLElement).offsetParent !== null)
			.map((element) => (element.textContent ?? '').replace(/\s+/g, ' ').trim()),
	);
}

/** Polls until `probe` returns a value that is not undefined; throws with the last value seen on timeout. */
export async function waitFor<T>(
	what: string,
	probe: () => Promise<T | undefined>,
	timeoutMs = 30_000,
	intervalMs = 250,
): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	let lastError: unknown;
	for (;;) {
		try {
			const value = await probe();
			if (value !== undefined) return value;
		} catch (error) {
			lastError = error;
		}
		if (Date.now() > deadline) {
			throw new Error(`timed out waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
		}
		await new Promise((resolve) => setTimeout(resolve, intervalMs));
	}
}

/** Clicks the first visible element matching `selector` whose text equals (or matches) `text`. */
export async function clickText(
	page: Page,
	selector: string,
	text: string | RegExp,
	timeoutMs = 30_000,
): Promise<void> {
	const handle = await waitFor(
		`${selector} with text ${String(text)}`,
		async () => {
			for (const element of await page.$$(selector)) {
				const content = await element.evaluate((node) =>
					(node as HTMLElement).offsetParent === null ? null : (node.textContent ?? '').replace(/\s+/g, ' ').trim(),
				);
				if (content === null) continue;
				if (typeof text === 'string' ? content === text : text.test(content)) return element;
			}
			return undefined;
		},
		timeoutMs,
	);
	await handle.click();
}

/** Saves a PNG of one element (plus a margin), clipped to the page, and returns its size in bytes. */
export async function screenshotElement(page: Page, selector: string, file: string, margin = 0): Promise<number> {
	const handle = await find(page, selector);
	const box = await handle.boundingBox();
	if (!box) throw new Error(`${selector} has no box to screenshot`);
	return await screenshotClip(page, file, {
		x: box.x - margin,
		y: box.y - margin,
		width: box.width + 2 * margin,
		height: box.height + 2 * margin,
	});
}

export async function screenshotClip(
	page: Page,
	file: string,
	clip: { x: number; y: number; width: number; height: number },
): Promise<number> {
	const viewport = page.viewport() ?? { width: 1440, height: 900 };
	const x = Math.max(0, Math.floor(clip.x));
	const y = Math.max(0, Math.floor(clip.y));
	const width = Math.min(viewport.width - x, Math.ceil(clip.width));
	const height = Math.min(viewport.height - y, Math.ceil(clip.height));
	fs.mkdirSync(path.dirname(file), { recursive: true });
	await page.screenshot({ path: file as `${string}.png`, clip: { x, y, width, height } });
	return fs.statSync(file).size;
}

/**
 * The whole workflow on the canvas as the README shows it: fitted, one step zoomed out (room for the edges beyond the
 * last nodes), then cut to the nodes plus `margin` (labels under the nodes, item counts on the edges).
 */
export async function screenshotCanvas(
	page: Page,
	file: string,
	margin: { left: number; top: number; right: number; bottom: number },
): Promise<number> {
	await (await find(page, testId('zoom-to-fit'))).click();
	await new Promise((resolve) => setTimeout(resolve, 1_000));
	await (await find(page, testId('zoom-out-button'))).click();
	await new Promise((resolve) => setTimeout(resolve, 1_000));
	const box = await page.$$eval(`${testId('canvas-node')}, .vue-flow__node`, (nodes) => {
		const rects = nodes.map((node) => node.getBoundingClientRect()).filter((rect) => rect.width > 0);
		return {
			x: Math.min(...rects.map((rect) => rect.left)),
			y: Math.min(...rects.map((rect) => rect.top)),
			right: Math.max(...rects.map((rect) => rect.right)),
			bottom: Math.max(...rects.map((rect) => rect.bottom)),
		};
	});
	return await screenshotClip(page, file, {
		x: box.x - margin.left,
		y: box.y - margin.top,
		width: box.right - box.x + margin.left + margin.right,
		height: box.bottom - box.y + margin.top + margin.bottom,
	});
}
