/**
 * What n8n's verification reads from the package: MIT licence, one public GitHub repository named the same way by
 * every link (package.json, codex files, credential docs), no runtime dependencies, a tarball that holds only what
 * n8n loads, and releases that can only come from the provenance-signing release workflow.
 * The tarball checks read dist/: run `npm run build` first (`npm test` does).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..', '..');
const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');

interface PackageJson {
	name: string;
	version: string;
	license: string;
	homepage: string;
	bugs: { url: string };
	repository: { type: string; url: string };
	author: { name: string; email: string; url: string };
	files: string[];
	publishConfig?: { provenance?: boolean };
	scripts: Record<string, string>;
	dependencies?: Record<string, string>;
	optionalDependencies?: Record<string, string>;
	bundleDependencies?: unknown;
	bundledDependencies?: unknown;
	n8n: { nodes: string[]; credentials: string[] };
}

const pkg = JSON.parse(read('package.json')) as PackageJson;

/** Runs a command with GitHub Actions and provenance switched off, as on a developer's machine. */
function runOffCi(command: string, args: string[]) {
	const env = { ...process.env };
	for (const name of Object.keys(env)) {
		if (name === 'GITHUB_ACTIONS' || name.toLowerCase() === 'npm_config_provenance') delete env[name];
	}
	return spawnSync(command, args, { cwd: root, env, encoding: 'utf8', timeout: 120_000 });
}

describe('package metadata', () => {
	const repoUrl = /^git\+https:\/\/github\.com\/([\w.-]+)\/([\w.-]+)\.git$/.exec(pkg.repository.url);

	it('names one public GitHub repository in repository, homepage, bugs and author', () => {
		expect(pkg.repository.type).toBe('git');
		expect(repoUrl).not.toBeNull();
		const [, owner, repo] = repoUrl!;
		const github = `https://github.com/${owner}/${repo}`;
		expect(pkg.homepage).toBe(`${github}#readme`);
		expect(pkg.bugs.url).toBe(`${github}/issues`);
		expect(pkg.author.name).toBe(owner);
		expect(pkg.author.url).toBe(`https://github.com/${owner}`);
		expect(pkg.author.email).toMatch(/^[^@\s]+@[^@\s]+\.[a-z]+$/);
	});

	it('links to that same repository from the codex files, the credential and the README', () => {
		const [, owner, repo] = repoUrl!;
		const sources = [
			'nodes/EKycPro/EKycPro.node.json',
			'nodes/EKycPro/EKycProWait.node.json',
			'credentials/EKycProApi.credentials.ts',
			'README.md',
			'CHANGELOG.md',
		];
		const others: string[] = [];
		let links = 0;
		for (const file of sources) {
			for (const [, linkOwner, linkRepo] of read(file).matchAll(/https:\/\/github\.com\/([\w.-]+)\/([\w.-]+)/g)) {
				links++;
				const same = linkOwner === owner && linkRepo.replace(/\.git$/, '') === repo;
				if (!same) others.push(`${file}: ${linkOwner}/${linkRepo}`);
			}
		}
		expect(links).toBeGreaterThanOrEqual(5);
		expect(others).toEqual([]);
	});

	it('sends the documentation links of the codex files to sections the README has', () => {
		const slugs = new Set(
			[...read('README.md').matchAll(/^#{1,6} (.+)$/gm)].map(([, title]) =>
				title
					.trim()
					.toLowerCase()
					.replace(/[^\w\- ]/g, '')
					.replace(/ /g, '-'),
			),
		);
		for (const file of ['nodes/EKycPro/EKycPro.node.json', 'nodes/EKycPro/EKycProWait.node.json']) {
			const codex = JSON.parse(read(file)) as { resources: Record<string, Array<{ url: string }>> };
			for (const { url } of Object.values(codex.resources).flat()) {
				const anchor = url.split('#')[1];
				expect(`${file}: #${anchor}`).toBe(`${file}: #${slugs.has(anchor) ? anchor : '(no such README heading)'}`);
			}
		}
	});

	it('is MIT licensed, with the licence text in LICENSE', () => {
		expect(pkg.license).toBe('MIT');
		const licence = read('LICENSE');
		expect(licence.split('\n')[0]).toBe('MIT License');
		expect(licence).toContain('Permission is hereby granted, free of charge');
	});

	it('has no runtime dependencies', () => {
		expect(pkg.dependencies ?? {}).toEqual({});
		expect(pkg.optionalDependencies ?? {}).toEqual({});
		expect(pkg.bundleDependencies ?? pkg.bundledDependencies).toBeUndefined();
	});

	it('has a CHANGELOG.md entry for its version', () => {
		expect(read('CHANGELOG.md')).toMatch(new RegExp(`^## \\[${pkg.version.replace(/\./g, '\\.')}\\]`, 'm'));
	});
});

describe('the packed tarball', () => {
	let files: string[];

	beforeAll(() => {
		const built = pkg.n8n.nodes.every((file) => fs.existsSync(path.join(root, file)));
		if (!built) throw new Error('dist/ is missing: run `npm run build` first');
		// Scripts on, as they would be for a user without our .npmrc: packing must not hit the publish guard.
		const packed = runOffCi('npm', ['pack', '--dry-run', '--json', '--ignore-scripts=false']);
		expect(packed.status).toBe(0);
		const [listing] = JSON.parse(packed.stdout) as Array<{ files: Array<{ path: string }> }>;
		files = listing.files.map((file) => file.path).sort();
	});

	it('holds the compiled nodes and credential, their icons and codex files, and the package documents', () => {
		for (const file of [...pkg.n8n.nodes, ...pkg.n8n.credentials]) expect(files).toContain(file);
		expect(files).toContain('dist/nodes/EKycPro/EKycPro.node.json');
		expect(files).toContain('dist/nodes/EKycPro/EKycProWait.node.json');
		expect(files).toContain('dist/nodes/EKycPro/ekycpro.svg');
		expect(files).toContain('dist/nodes/EKycPro/ekycpro.dark.svg');
		for (const file of ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md']) expect(files).toContain(file);
	});

	it('holds nothing else: no sources, source maps, tests, benchmarks, examples or scripts', () => {
		const unexpected = files.filter(
			(file) =>
				!['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md'].includes(file) &&
				!/^dist\/(nodes|credentials)\/.+\.(js|svg|png|node\.json)$/.test(file),
		);
		expect(unexpected).toEqual([]);
	});
});

describe('the publish guard (prepublishOnly)', () => {
	it('refuses outside GitHub Actions and says how to release', () => {
		const result = runOffCi('node', ['scripts/release-guard.mjs']);
		expect(result.status).toBe(1);
		expect(result.stderr).toContain('Refusing to publish: not running in GitHub Actions and provenance is off.');
		expect(result.stderr).toContain('git push --follow-tags');
	});

	it('refuses in GitHub Actions without provenance', () => {
		const result = spawnSync('node', ['scripts/release-guard.mjs'], {
			cwd: root,
			env: { ...process.env, GITHUB_ACTIONS: 'true', npm_config_provenance: 'false' },
			encoding: 'utf8',
		});
		expect(result.status).toBe(1);
		expect(result.stderr).toContain('Refusing to publish: provenance is off.');
	});

	it('lets the release workflow through (GitHub Actions, npm publish --provenance)', () => {
		const result = spawnSync('node', ['scripts/release-guard.mjs'], {
			cwd: root,
			env: { ...process.env, GITHUB_ACTIONS: 'true', npm_config_provenance: 'true' },
			encoding: 'utf8',
		});
		expect(result.stderr).toBe('');
		expect(result.status).toBe(0);
	});

	it('stops a plain `npm publish` from a laptop before anything is packed or sent', () => {
		expect(pkg.scripts.prepublishOnly).toBe('node scripts/release-guard.mjs');
		// --dry-run keeps npm from uploading even if the guard were gone; scripts on as without our .npmrc.
		const result = runOffCi('npm', ['publish', '--dry-run', '--ignore-scripts=false']);
		expect(result.status).not.toBe(0);
		expect(result.stderr).toContain('Refusing to publish');
		expect(result.stderr).not.toContain('Publishing to');
	});

	it('asks npm for a provenance statement on every publish (npm refuses outside a supported CI)', () => {
		expect(pkg.publishConfig?.provenance).toBe(true);
	});
});
