/**
 * The one error the result reader throws. Its message is meant for the person running the workflow:
 * it says what is wrong with the file and what to do about it.
 */
export class ResultFileError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'ResultFileError';
		// Keeps `instanceof` working when the code is compiled to an ES5-style class.
		Object.setPrototypeOf(this, ResultFileError.prototype);
	}
}

/** Advice shared by the messages about files that are damaged or incomplete. */
export const DOWNLOAD_AGAIN =
	'Download the result again (ask for the task status to get a fresh result_url if the link has expired).';

/**
 * Any failure while reading, as a ResultFileError: ours pass through, anything unexpected (a bug, or a file damaged
 * in a way no check foresaw) is reported with its message rather than as a bare runtime error.
 */
export function asResultFileError(error: unknown): ResultFileError {
	if (error instanceof ResultFileError) return error;
	const reason = error instanceof Error ? error.message : String(error);
	return new ResultFileError(`The result file could not be read (${reason}). It may be damaged. ${DOWNLOAD_AGAIN}`);
}
