/**
 * Runs the local eKYCPro sandbox in real time for the demo and manual tests in n8n.
 *
 *   npx tsx scripts/sandbox.ts [--port 8787] [--result-port 8788] [--speed 60] [--api-key KEY]
 *                              [--format zip-csv] [--min-batch 10] [--fault create:500[:times]] ...
 *
 * `--speed N` runs the task lifecycle N times faster (a 29-minute task of 20,000 numbers takes about 30 s at 60).
 * Prints the base URL and the API key to give the credential, then one line per request. Ctrl-C stops it.
 */
import {
	RESULT_FORMATS,
	startSandbox,
	type Fault,
	type FaultKind,
	type ResultFormat,
	type SandboxOptions,
} from '../test/sandbox';

const USAGE = `usage: npx tsx scripts/sandbox.ts [options]
  --port N            API port (default 8787; 0 = any free port)
  --result-port N     result host port (default 0 = any free port)
  --host ADDRESS      API address (default 127.0.0.1)
  --result-host ADDR  result host address (default 127.0.0.2)
  --api-key KEY       key the credential must send (default sandbox-key)
  --speed N           run the task lifecycle N times faster (default 1 = real time)
  --format F          result file format for every check: ${RESULT_FORMATS.join(', ')}
  --min-batch N       smallest batch a create accepts
  --fault ON:KIND[:TIMES]  queue a fault, e.g. create:charge-then-drop or download:truncate:2 (repeatable)`;

const FAULT_KINDS: readonly FaultKind[] = [
	'500',
	'502',
	'429',
	'reset',
	'charge-then-drop',
	'truncate',
	'expire',
	'slow',
	'400',
	'401',
	'402',
	'413',
];
const FAULT_TARGETS: ReadonlyArray<Fault['on']> = ['create', 'status', 'download', 'any'];

function fail(message: string): never {
	process.stderr.write(`${message}\n\n${USAGE}\n`);
	process.exit(2);
}

function numberArgument(name: string, value: string | undefined, minimum: number): number {
	const parsed = Number(value);
	if (value === undefined || !Number.isFinite(parsed) || parsed < minimum)
		fail(`${name} needs a number of at least ${minimum}`);
	return parsed;
}

function parseFault(text: string | undefined): Fault {
	const [on, kind, times] = (text ?? '').split(':');
	if (!FAULT_TARGETS.includes(on as Fault['on'])) fail(`--fault: "${on}" is not one of ${FAULT_TARGETS.join(', ')}`);
	if (!FAULT_KINDS.includes(kind as FaultKind)) fail(`--fault: "${kind}" is not one of ${FAULT_KINDS.join(', ')}`);
	const count = times === undefined ? 1 : numberArgument('--fault times', times, 1);
	return { on: on as Fault['on'], kind: kind as FaultKind, times: count };
}

async function main(): Promise<void> {
	const args = process.argv.slice(2);
	let speed = 1;
	const faults: Fault[] = [];
	const options: SandboxOptions = { port: 8787, log: (line) => process.stdout.write(`${line}\n`) };
	for (let index = 0; index < args.length; index++) {
		const name = args[index];
		const value = args[index + 1];
		switch (name) {
			case '--port':
				options.port = numberArgument(name, value, 0);
				break;
			case '--result-port':
				options.resultPort = numberArgument(name, value, 0);
				break;
			case '--host':
				options.host = value ?? fail('--host needs an address');
				break;
			case '--result-host':
				options.resultHost = value ?? fail('--result-host needs an address');
				break;
			case '--api-key':
				options.apiKey = value ?? fail('--api-key needs a value');
				break;
			case '--speed':
				speed = numberArgument(name, value, 0.001);
				break;
			case '--format':
				if (!RESULT_FORMATS.includes(value as ResultFormat))
					fail(`--format must be one of ${RESULT_FORMATS.join(', ')}`);
				options.resultFormat = value as ResultFormat;
				break;
			case '--min-batch':
				options.minBatch = numberArgument(name, value, 1);
				break;
			case '--fault':
				faults.push(parseFault(value));
				break;
			case '--help':
			case '-h':
				process.stdout.write(`${USAGE}\n`);
				return;
			default:
				fail(`unknown option ${name}`);
		}
		index++;
	}
	// Speed scales the lifecycle only: timestamps and presigned-URL lifetimes stay in real time.
	options.timing = { pendingMs: 20_000 / speed, numbersPerSecond: 11.75 * speed, completedMs: 15_000 / speed };

	const sandbox = await startSandbox(options);
	for (const fault of faults) sandbox.fault(fault);
	process.stdout.write(
		[
			'eKYCPro sandbox running',
			`  base URL:    ${sandbox.baseUrl}`,
			`  API key:     ${sandbox.apiKey}`,
			`  result host: ${sandbox.resultBaseUrl}`,
			`  speed:       x${speed} (20,000 numbers take about ${Math.round(((20_000 / 11.75 + 35) / speed) * 10) / 10} s)`,
			'Ctrl-C to stop.',
			'',
		].join('\n'),
	);

	let stopping = false;
	const stop = (signal: string) => {
		if (stopping) process.exit(1); // a second Ctrl-C does not wait
		stopping = true;
		process.stdout.write(
			`\n${signal}: stopping (${sandbox.charges} charged creates, ${sandbox.statusCalls} status reads)\n`,
		);
		void sandbox.close().then(() => process.exit(0));
	};
	process.on('SIGINT', () => stop('SIGINT'));
	process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: Error) => {
	process.stderr.write(`sandbox failed to start: ${error.message}\n`);
	process.exit(1);
});
