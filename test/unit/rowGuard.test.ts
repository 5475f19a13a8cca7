/** Max Rows as Items: the budget, the rows a status answer promises, and the error a user reads. */
import type { INode } from 'n8n-workflow';

import {
	DEFAULT_MAX_ROWS_AS_ITEMS,
	expectedRows,
	MILLION_RECIPE_URL,
	rowBudget,
	tooManyRowsError,
} from '../../nodes/EKycPro/helpers/rowGuard';

const NODE: INode = {
	id: 'n1',
	name: 'Download Result',
	type: 'n8n-nodes-ekycpro.eKycPro',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};

describe('rowBudget', () => {
	test('0, a negative or a non-number limit means no limit', () => {
		expect(rowBudget(0, 0)).toBeUndefined();
		expect(rowBudget(-5, 0)).toBeUndefined();
		expect(rowBudget(Number.NaN, 0)).toBeUndefined();
	});

	test('the rows earlier results output come off the limit, down to 0', () => {
		expect(rowBudget(1000, 0)).toEqual({ maxRows: 1000, rowsBefore: 0 });
		expect(rowBudget(1000, 600)).toEqual({ maxRows: 400, rowsBefore: 600 });
		expect(rowBudget(1000, 1500)).toEqual({ maxRows: 0, rowsBefore: 1500 });
	});

	test('the default leaves a wide margin under the million rows n8n was seen to fail on', () => {
		expect(DEFAULT_MAX_ROWS_AS_ITEMS).toBeGreaterThan(0);
		expect(DEFAULT_MAX_ROWS_AS_ITEMS).toBeLessThan(1_000_000);
	});
});

describe('expectedRows', () => {
	test('a result has one row per number of the task, cut to Limit', () => {
		expect(expectedRows(1_000_000, undefined)).toBe(1_000_000);
		expect(expectedRows(1_000_000, 50)).toBe(50);
		expect(expectedRows(20, 50)).toBe(20);
	});

	test('a count the status answer does not give is unknown, not zero rows', () => {
		expect(expectedRows(0, undefined)).toBeUndefined();
		expect(expectedRows(Number.NaN, 10)).toBeUndefined();
	});
});

describe('tooManyRowsError', () => {
	test('says how many rows, the limit, and every way out, with the recipe link', () => {
		const error = tooManyRowsError(NODE, 'task123', 1_000_000, { maxRows: 500_000, rowsBefore: 0 }, 2);
		expect(error.message).toBe('The result of task task123 has 1,000,000 rows, more than Max Rows as Items (500,000)');
		const description = String(error.description);
		expect(description).toContain('Result As to File');
		expect(description).toContain('Limit');
		expect(description).toContain('tasks of at most 50,000');
		expect(description).toContain('Execute Workflow');
		expect(description).toContain(MILLION_RECIPE_URL);
		expect(description).toContain('raise Max Rows as Items (0 = no limit)');
		expect(description).toContain('the task is paid and exported');
		expect(error.context.itemIndex).toBe(2);
	});

	test('the rows of earlier results of the same node run are named', () => {
		const second = tooManyRowsError(NODE, 't2', 6, { maxRows: 4, rowsBefore: 6 }, 1);
		expect(second.message).toBe(
			'The result of task t2 has 6 rows: with the 6 rows of the results before it, that is more than Max Rows as Items (10)',
		);
	});
});
