/**
 * Hands out rows one at a time from batches produced by an async generator. It behaves like an async generator
 * of rows (for-await, break, return, throw; calls answered in order), but a row that is already there costs one
 * resolved promise instead of a generator resumption: with a million rows the difference is most of a second.
 */
import { asResultFileError } from './errors';
import type { ResultRow } from './rows';

const DONE: IteratorReturnResult<undefined> = { value: undefined, done: true };

export class RowStream implements AsyncGenerator<ResultRow, undefined, unknown> {
	private rows: ResultRow[] = [];
	private index = 0;
	private finished = false;
	/** Calls waiting for a batch; while there are any, later calls queue behind them to keep the order. */
	private waiting = 0;
	private queue: Promise<unknown> = Promise.resolve();

	constructor(
		private readonly batches: AsyncGenerator<ResultRow[]>,
		private readonly signal?: AbortSignal,
	) {}

	[Symbol.asyncIterator](): this {
		return this;
	}

	next(): Promise<IteratorResult<ResultRow, undefined>> {
		if (this.waiting === 0 && this.index < this.rows.length && !this.signal?.aborted) {
			return Promise.resolve({ value: this.rows[this.index++], done: false });
		}
		return this.enqueue(() => this.pull());
	}

	return(): Promise<IteratorResult<ResultRow, undefined>> {
		return this.enqueue(async () => {
			await this.stop();
			return DONE;
		});
	}

	throw(error: unknown): Promise<IteratorResult<ResultRow, undefined>> {
		return this.enqueue(async () => {
			await this.stop();
			throw error;
		});
	}

	private enqueue(
		step: () => Promise<IteratorResult<ResultRow, undefined>>,
	): Promise<IteratorResult<ResultRow, undefined>> {
		this.waiting++;
		const result = this.queue.then(step);
		const settle = () => {
			this.waiting--;
		};
		this.queue = result.then(settle, settle);
		return result;
	}

	private async pull(): Promise<IteratorResult<ResultRow, undefined>> {
		while (this.index >= this.rows.length || this.signal?.aborted) {
			if (this.finished) return DONE;
			if (this.signal?.aborted) {
				await this.stop();
				return DONE;
			}
			// A producer that throws is finished, like any generator: the error goes to this caller, later calls get done.
			const step = await this.batches
				.next()
				.then(undefined, (error: unknown) => Promise.reject(asResultFileError(error)));
			if (step.done) {
				this.finished = true;
				this.rows = [];
				return DONE;
			}
			this.rows = step.value;
			this.index = 0;
		}
		return { value: this.rows[this.index++], done: false };
	}

	/** Ends the stream and lets the producer clean up (cancel the inflater) if it had not finished. */
	private async stop(): Promise<void> {
		this.rows = [];
		this.index = 0;
		if (this.finished) return;
		this.finished = true;
		await this.batches.return(undefined);
	}
}
