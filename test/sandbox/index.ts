/**
 * The local eKYCPro sandbox: a simulator of the vendor's API for tests, the demo and end-to-end runs in real n8n.
 * Start it with `startSandbox()`, give `baseUrl` and `apiKey` to the credential, drive its clock and faults from tests.
 */
export {
	startSandbox,
	type Fault,
	type FaultKind,
	type RequestLogEntry,
	type Sandbox,
	type SandboxOptions,
	type SandboxTask,
	type SandboxTiming,
} from './server';
export {
	buildResultFile,
	contentTypeOf,
	extensionOf,
	RESULT_FORMATS,
	type BuildOptions,
	type ResultFormat,
} from './files';
export {
	cellsFor,
	checkFor,
	resolveCheck,
	rowFor,
	isFailure,
	type SandboxApiStyle,
	type SandboxCheck,
} from './results';
export { parseForm, parseMultipart, type FormField } from './multipart';
