/**
 * End-to-end runs in real n8n (slow: the first run installs n8n 1 and 2, several minutes each).
 *   npx jest -c test/e2e/jest.config.js
 * EKYCPRO_E2E_N8N=1 (or 2) limits the runs to one n8n major.
 * @type {import('jest').Config}
 */
module.exports = {
	rootDir: '../..',
	testEnvironment: 'node',
	roots: ['<rootDir>/test/e2e'],
	testMatch: ['**/*.e2e.ts'],
	transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', isolatedModules: true }] },
	testTimeout: 10 * 60_000,
	// Each n8n command takes a core for seconds; files in parallel would only slow each other down on 2 cores.
	maxWorkers: 1,
};
