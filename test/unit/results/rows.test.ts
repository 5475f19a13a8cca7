import { normaliseHeader, readResultRows, ResultFileError, type ResultRow } from '../../../nodes/EKycPro/results';
import { RowStream } from '../../../nodes/EKycPro/results/rowStream';
import { bytes } from './helpers/rows';

function rowsOf(count: number, from = 0): ResultRow[] {
	return Array.from({ length: count }, (_value, index) => ({ number: `+41${from + index}` }));
}

/** A producer of batches that records how far it got and whether it was told to stop. */
function producer(batches: ResultRow[][], failAfter?: Error) {
	const state = { pulled: 0, cleanedUp: false };
	async function* generate(): AsyncGenerator<ResultRow[]> {
		try {
			for (const batch of batches) {
				state.pulled++;
				await Promise.resolve();
				yield batch;
			}
			if (failAfter) throw failAfter;
		} finally {
			state.cleanedUp = true;
		}
	}
	return { state, batches: generate() };
}

describe('the row stream returned by readResultRows', () => {
	it('hands out every row of every batch in order, then done', async () => {
		const { batches } = producer([rowsOf(3), [], rowsOf(2, 3)]);
		const seen: ResultRow[] = [];
		for await (const row of new RowStream(batches)) seen.push(row);
		expect(seen).toEqual(rowsOf(5));
	});

	it('answers calls made without waiting in the order they were made', async () => {
		const { batches } = producer([rowsOf(2), rowsOf(2, 2)]);
		const stream = new RowStream(batches);
		const results = await Promise.all([
			stream.next(),
			stream.next(),
			stream.next(),
			stream.next(),
			stream.next(),
			stream.next(),
		]);
		expect(results).toEqual([
			...rowsOf(4).map((value) => ({ value, done: false })),
			{ value: undefined, done: true },
			{ value: undefined, done: true },
		]);
	});

	it('stops the producer when the consumer breaks, and stays done', async () => {
		const { state, batches } = producer([rowsOf(2), rowsOf(2, 2), rowsOf(2, 4)]);
		const stream = new RowStream(batches);
		for await (const row of stream) if (row.number === '+412') break;
		expect(state).toEqual({ pulled: 2, cleanedUp: true });
		expect(await stream.next()).toEqual({ value: undefined, done: true });
	});

	it('passes the producer error to the caller once, as a ResultFileError, then is done', async () => {
		const { state, batches } = producer([rowsOf(1)], new RangeError('offset out of bounds'));
		const stream = new RowStream(batches);
		expect(await stream.next()).toEqual({ value: rowsOf(1)[0], done: false });
		const error = await stream.next().then(
			() => undefined,
			(reason: unknown) => reason,
		);
		expect(error).toBeInstanceOf(ResultFileError);
		expect((error as Error).message).toMatch(/could not be read \(offset out of bounds\)/);
		expect(state.cleanedUp).toBe(true);
		expect(await stream.next()).toEqual({ value: undefined, done: true });
	});

	it('throw() stops the producer and rejects with the given error', async () => {
		const { state, batches } = producer([rowsOf(3), rowsOf(3, 3)]);
		const stream = new RowStream(batches);
		await stream.next();
		const reason = new Error('stop');
		await expect(stream.throw(reason)).rejects.toBe(reason);
		expect(state.cleanedUp).toBe(true);
		expect(await stream.next()).toEqual({ value: undefined, done: true });
	});

	it('ends when the signal is aborted, even in the middle of a batch', async () => {
		const controller = new AbortController();
		const { state, batches } = producer([rowsOf(10), rowsOf(10, 10)]);
		const seen: ResultRow[] = [];
		for await (const row of new RowStream(batches, controller.signal)) {
			seen.push(row);
			if (seen.length === 4) controller.abort();
		}
		expect(seen).toEqual(rowsOf(4));
		expect(state.cleanedUp).toBe(true);
	});

	it('raises a damaged-file error on the first call, not when readResultRows is called', async () => {
		const stream = readResultRows(bytes('<html></html>'));
		await expect(stream.next()).rejects.toThrow(/web page/);
	});
});

describe('normaliseHeader', () => {
	it('trims, lower-cases, names empty columns by position and numbers repeats without clashing', () => {
		expect(
			normaliseHeader([' Number ', 'WhatsApp', '', 'whatsapp', null, 'whatsapp_2', 'column_3', 42, undefined]),
		).toEqual([
			'number',
			'whatsapp',
			'column_3',
			'whatsapp_2',
			'column_5',
			'whatsapp_2_2',
			'column_3_2',
			'42',
			'column_9',
		]);
	});
});
