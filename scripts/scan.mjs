// Runs n8n's community-package scanner (@n8n/scan-community-package) on the source and on the packed tarball,
// the two things n8n checks before it verifies a package. Exits non-zero on any finding.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { analyzePackage, SOURCE_FILE_PATTERNS } from '@n8n/scan-community-package/scanner/scanner.mjs';

const root = process.cwd();
let failed = false;

async function scan(label, dir, patterns) {
	const result = await analyzePackage(dir, patterns);
	if (result.passed) {
		console.log(`scan ${label}: clean${result.message ? ` (${result.message})` : ''}`);
		return;
	}
	failed = true;
	console.error(`scan ${label}: ${result.message}\n${result.details ?? result.error ?? ''}`);
}

await scan('source', root, SOURCE_FILE_PATTERNS);

const work = mkdtempSync(join(tmpdir(), 'ekycpro-scan-'));
try {
	execFileSync('npm', ['pack', '--pack-destination', work, '--silent'], {
		cwd: root,
		stdio: ['ignore', 'ignore', 'inherit'],
	});
	const tarball = readdirSync(work).find((name) => name.endsWith('.tgz'));
	if (!tarball) throw new Error('npm pack produced no tarball');
	const unpacked = join(work, 'package');
	execFileSync('tar', ['-xzf', join(work, tarball), '-C', work]);
	const files = readdirSync(join(unpacked, 'dist'), { recursive: true }).filter((f) => String(f).endsWith('.js'));
	if (files.length === 0) throw new Error('the tarball has no compiled code: run npm run build first');
	await scan(`tarball ${tarball}`, unpacked);
} finally {
	rmSync(work, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
