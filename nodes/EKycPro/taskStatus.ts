/**
 * The one vocabulary of task states, shared by the transport, the poll schedule and the wait loop. A leaf module
 * (no n8n import), so the pure polling code can use it too.
 */

export const PENDING = 'pending';
export const PROCESSING = 'processing';
/** Every number checked; the result file is being exported. */
export const COMPLETED = 'completed';
/** The result file is ready (the status answer carries its URL). */
export const EXPORTED = 'exported';
export const FAILED = 'failed';

export type TaskStatus = typeof PENDING | typeof PROCESSING | typeof COMPLETED | typeof EXPORTED | typeof FAILED;

/** A status as the server may spell it (any case, padded), in the form compared here. */
export function normaliseStatus(raw: unknown): string {
	return String(raw ?? '')
		.trim()
		.toLowerCase();
}

/** The task will not change any more. */
export function isTerminal(status: string): boolean {
	const normalised = normaliseStatus(status);
	return normalised === EXPORTED || normalised === FAILED;
}

/** The status says processing is over (file being exported, or ready). Counts may say so before the status does. */
export function isProcessedStatus(status: string): boolean {
	const normalised = normaliseStatus(status);
	return normalised === COMPLETED || normalised === EXPORTED;
}
