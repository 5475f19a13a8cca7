/** Test helpers: read every row, and the rows a table should give, worked out from the data the test wrote. */
import { readResultRows, type ReadResultOptions, type ResultRow } from '../../../../nodes/EKycPro/results';

export async function readAll(data: Uint8Array, options?: ReadResultOptions): Promise<ResultRow[]> {
	const rows: ResultRow[] = [];
	for await (const row of readResultRows(data, options)) rows.push(row);
	return rows;
}

export type WrittenValue = string | number | boolean | null | undefined;

/**
 * The rows a user should get from a table whose first row is `header`: keys trimmed and lower case, a missing
 * cell as '', a number in the `number` column as its digits. Rows with nothing in them are left out.
 */
export function expectedRows(header: string[], rows: WrittenValue[][]): ResultRow[] {
	const keys = header.map((name) => name.trim().toLowerCase());
	return rows
		.filter((row) => row.some((value) => value !== null && value !== undefined && value !== ''))
		.map((row) =>
			Object.fromEntries(
				keys.map((key, index) => {
					const value = row[index];
					if (value === null || value === undefined) return [key, ''];
					if (key === 'number' && typeof value === 'number') return [key, BigInt(value).toString()];
					// Every cell comes out as text, whatever the format: a number cell as its digits, a boolean as Excel shows it.
					if (typeof value === 'number') return [key, String(value)];
					if (typeof value === 'boolean') return [key, value ? 'TRUE' : 'FALSE'];
					return [key, value];
				}),
			),
		);
}

/** Turns a string into the bytes of a file, as a download would hand them over. */
export function bytes(text: string): Uint8Array {
	return new TextEncoder().encode(text);
}

/**
 * Compares long lists of rows: the length, then the first row that differs, so that a failure names the row
 * instead of making jest diff two huge arrays.
 */
export function expectSameRows(actual: ResultRow[], expected: ResultRow[]): void {
	const firstDifference = expected.findIndex((row, index) => JSON.stringify(row) !== JSON.stringify(actual[index]));
	expect({ length: actual.length, firstDifference, row: actual[firstDifference] }).toEqual({
		length: expected.length,
		firstDifference: -1,
		row: undefined,
	});
}
