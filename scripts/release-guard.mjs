// prepublishOnly: releases are published only by the release workflow (.github/workflows/release.yml), in GitHub
// Actions with an npm provenance statement, which n8n requires of verified community packages (and its scanner
// checks). A `npm publish` from a laptop stops here; so does one in CI without provenance.
const inActions = process.env.GITHUB_ACTIONS === 'true';
const withProvenance = process.env.npm_config_provenance === 'true';

if (!inActions || !withProvenance) {
	const missing = [!inActions && 'not running in GitHub Actions', !withProvenance && 'provenance is off'];
	console.error(
		[
			`Refusing to publish: ${missing.filter(Boolean).join(' and ')}.`,
			'n8n verifies community packages only when every release is published from GitHub Actions with an npm',
			'provenance statement. To release: update CHANGELOG.md, run `npm version <new version>`, then push the',
			'commit and its tag (`git push --follow-tags`); the release workflow checks and publishes the tag.',
		].join('\n'),
	);
	process.exit(1);
}
