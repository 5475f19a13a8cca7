/**
 * Regenerates the pictures the README shows (docs/*.png: the example workflow on the canvas after a run, the Create
 * Task panel, the Wait node's output table, the parked loop, each recipe in examples/recipe-*.json) by running the editor end-to-end test with its screenshots pointed at
 * docs/. Needs Debian's chromium and installs n8n on first use, like the test.
 *
 *   npm run screenshots             # n8n 2.x
 *   npm run screenshots -- --n8n=1  # n8n 1.x
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const repoRoot = path.resolve(__dirname, '..');
const docs = path.join(repoRoot, 'docs');
const RECIPE_PICTURES = fs
	.readdirSync(path.join(repoRoot, 'examples'))
	.filter((file) => /^recipe-.*\.json$/.test(file))
	.map((file) => file.replace(/\.json$/, '.png'));
const PICTURES = ['workflow.png', 'create-task.png', 'wait-output.png', 'park-loop.png', ...RECIPE_PICTURES];
/** Pictures in the repository stay small: cropped to what they show. */
const MAX_BYTES = 150 * 1024;

const major = process.argv.find((arg) => arg.startsWith('--n8n='))?.slice('--n8n='.length) ?? '2';
if (major !== '1' && major !== '2') throw new Error('--n8n must be 1 or 2');

fs.mkdirSync(docs, { recursive: true });
const before = new Map(
	PICTURES.map((name) => [name, fs.existsSync(path.join(docs, name)) ? fs.statSync(path.join(docs, name)).mtimeMs : 0]),
);
const jest = spawnSync('npx', ['jest', '-c', 'test/e2e/jest.config.js', 'test/e2e/editor.e2e.ts'], {
	cwd: repoRoot,
	stdio: 'inherit',
	env: { ...process.env, EKYCPRO_E2E_N8N: major, EKYCPRO_SCREENSHOTS: docs },
});
if (jest.status !== 0) {
	console.error(`the editor test failed (exit ${jest.status}): the pictures in docs/ may be partly updated`);
	process.exit(jest.status ?? 1);
}
let tooBig = false;
for (const name of PICTURES) {
	const file = path.join(docs, name);
	const stat = fs.statSync(file);
	if (stat.mtimeMs === before.get(name)) throw new Error(`docs/${name} was not written`);
	const big = stat.size > MAX_BYTES;
	tooBig ||= big;
	console.log(
		`docs/${name}: ${Math.round(stat.size / 1024)} KB${big ? ` (over ${MAX_BYTES / 1024} KB: crop it tighter)` : ''}`,
	);
}
process.exit(tooBig ? 1 : 0);
