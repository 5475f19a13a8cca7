// Copies the icons and the codex files (*.node.json) next to the compiled code, where n8n looks for them.
// Kept instead of `n8n-node build`: that compiles with the root tsconfig.json (ours also type-checks the tests,
// benchmarks and scripts) and copies icons and __schema__ files only, so the codex files would not ship.
const { src, dest, task } = require('gulp');

task('build:icons', () =>
	src(['nodes/**/*.{png,svg}', 'nodes/**/*.node.json', 'credentials/**/*.{png,svg}'], {
		base: '.',
		encoding: false,
	}).pipe(dest('dist')),
);
