/**
 * What an n8n execution returned, as `n8n execute` prints it or the database stores it: the run's types and readers
 * for a node's output items, errors and binary data.
 */
import { stripAnsi } from './processes';

/** The part of n8n's IRun (as printed by `n8n execute --rawOutput`) that tests read. */
export interface N8nRun {
	finished?: boolean;
	mode?: string;
	status?: string;
	startedAt?: string;
	stoppedAt?: string;
	waitTill?: string | null;
	data: {
		resultData: {
			runData: Record<string, N8nTaskData[]>;
			lastNodeExecuted?: string;
			error?: N8nError;
		};
		[key: string]: unknown;
	};
	[key: string]: unknown;
}

export interface N8nTaskData {
	startTime?: number;
	executionTime?: number;
	executionStatus?: string;
	error?: N8nError;
	data?: Record<string, Array<N8nItem[] | null>>;
	[key: string]: unknown;
}

export interface N8nItem {
	json: Record<string, unknown>;
	binary?: Record<string, N8nBinary>;
	pairedItem?: unknown;
	error?: unknown;
	[key: string]: unknown;
}

export interface N8nBinary {
	data?: string;
	mimeType?: string;
	fileName?: string;
	fileExtension?: string;
	fileSize?: string;
	id?: string;
	[key: string]: unknown;
}

export interface N8nError {
	message?: string;
	description?: string | null;
	name?: string;
	node?: { name?: string; type?: string };
	[key: string]: unknown;
}

/** At debug level n8n's logger wraps the printed execution: `<time> | info | {` ... `} {"file":...}`. */
const LOGGED_OPENING = /^(?:\S+ \| \w+\s*\| )?\{$/;

const LOGGED_CLOSING = /^\}(?: \{"file":.*\})?$/;

/**
 * Finds the pretty-printed execution among log lines: it starts with a line that is `{` and ends with a line that is
 * `}` (n8n prints it with JSON.stringify(data, null, 2); a log prefix and suffix around them are dropped). Tries
 * every such pair, widest first.
 */
export function extractRunJson(printed: string): N8nRun | undefined {
	const lines = printed.split(/\r?\n/).map((line) => stripAnsi(line).trimEnd());
	const starts: number[] = [];
	const ends: number[] = [];
	lines.forEach((line, index) => {
		if (LOGGED_OPENING.test(line)) starts.push(index);
		if (LOGGED_CLOSING.test(line)) ends.push(index);
	});
	for (const start of starts) {
		for (let e = ends.length - 1; e >= 0 && ends[e] > start; e--) {
			const text = ['{', ...lines.slice(start + 1, ends[e]), '}'].join('\n');
			try {
				const parsed = JSON.parse(text) as N8nRun;
				if (parsed && typeof parsed === 'object' && parsed.data?.resultData) return parsed;
			} catch {
				// Not this pair; a log line may sit inside it. Try a narrower one.
			}
		}
	}
	return undefined;
}

/** Every run of a node, in order (a node inside a loop or resumed after a wait runs more than once). */
export function nodeRuns(run: N8nRun, nodeName: string): N8nTaskData[] {
	return run.data.resultData.runData[nodeName] ?? [];
}

/**
 * The items a node emitted on one output (default: first output of its last run). Throws when the node did not
 * run, so a typo in a node name fails loudly instead of looking like an empty result.
 */
export function nodeOutputItems(
	run: N8nRun,
	nodeName: string,
	options: { output?: number; runIndex?: number } = {},
): N8nItem[] {
	const runs = nodeRuns(run, nodeName);
	if (runs.length === 0) {
		const ran = Object.keys(run.data.resultData.runData).join(', ');
		throw new Error(`node "${nodeName}" did not run (nodes that ran: ${ran || 'none'})`);
	}
	const runIndex = options.runIndex ?? runs.length - 1;
	const taskData = runs[runIndex];
	if (!taskData) throw new Error(`node "${nodeName}" has no run #${runIndex} (it ran ${runs.length} times)`);
	const outputs = taskData.data?.main ?? [];
	return outputs[options.output ?? 0] ?? [];
}

/** Shortcut: the `json` of each item a node emitted. */
export function nodeOutputJson(
	run: N8nRun,
	nodeName: string,
	options: { output?: number; runIndex?: number } = {},
): Array<Record<string, unknown>> {
	return nodeOutputItems(run, nodeName, options).map((item) => item.json);
}

/** The error a node ended with in its last run, if any. */
export function nodeError(run: N8nRun, nodeName: string): N8nError | undefined {
	const runs = nodeRuns(run, nodeName);
	return runs[runs.length - 1]?.error;
}

/** The error that ended the whole execution, if any. */
export function runError(run: N8nRun): N8nError | undefined {
	return run.data.resultData.error;
}

/** Decodes a binary property of an item (n8n's CLI run keeps small binaries inline as base64). */
export function binaryBuffer(item: N8nItem, property = 'data'): Buffer {
	const binary = item.binary?.[property];
	if (!binary) throw new Error(`item has no binary property "${property}"`);
	if (typeof binary.data !== 'string' || binary.data.length === 0 || binary.id) {
		throw new Error(`binary "${property}" is not inline (id ${String(binary.id)}); use the default binary mode`);
	}
	return Buffer.from(binary.data, 'base64');
}
