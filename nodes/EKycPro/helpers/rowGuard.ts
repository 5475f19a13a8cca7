/**
 * The guard on results emitted as rows: one n8n execution holds only so many items (n8n saves the whole execution
 * as one string, and a result of a few million rows breaks it after the node has run). Above Max Rows as Items the
 * node stops before it builds the items and says what to do instead.
 */
import { NodeOperationError } from 'n8n-workflow';
import type { INode } from 'n8n-workflow';

/** Max Rows as Items' default: well under what n8n 1.123 and 2.41 were measured to hold (see README). */
export const DEFAULT_MAX_ROWS_AS_ITEMS = 250_000;

/** The README's recipe: one sub-workflow execution per task. */
export const MILLION_RECIPE_URL =
	'https://github.com/n8n-nodes-ekycpro/n8n-nodes-ekycpro#a-million-numbers-one-sub-workflow-per-task';

/** The batch size the recipe uses, as the error suggests it. */
export const RECIPE_BATCH_SIZE = 50_000;

export interface RowBudget {
	/** Rows this node may still output as items (Max Rows as Items minus the rows of earlier results). */
	maxRows: number;
	/** Rows earlier results of the same node run already output (the limit is per execution of the node). */
	rowsBefore: number;
}

/** The budget for a node run's next result; undefined when there is no limit (0). */
export function rowBudget(maxRowsAsItems: number, rowsBefore: number): RowBudget | undefined {
	if (!Number.isFinite(maxRowsAsItems) || maxRowsAsItems <= 0) return undefined;
	return { maxRows: Math.max(0, maxRowsAsItems - rowsBefore), rowsBefore };
}

/**
 * The rows a result will give as items, as far as the status answer tells before the download: its number count
 * (one row per number), cut to Limit. Undefined when the count is unknown.
 */
export function expectedRows(total: number, limit: number | undefined): number | undefined {
	if (!Number.isFinite(total) || total <= 0) return undefined;
	return limit === undefined ? total : Math.min(total, limit);
}

const count = (value: number) => value.toLocaleString('en-US');

/** The error for a result of `rows` rows over the budget. */
export function tooManyRowsError(
	node: INode,
	taskId: string,
	rows: number,
	budget: RowBudget,
	itemIndex: number,
): NodeOperationError {
	const max = budget.maxRows + budget.rowsBefore;
	const has = `${count(rows)} rows`;
	const message =
		budget.rowsBefore > 0
			? `The result of task ${taskId} has ${has}: with the ${count(budget.rowsBefore)} rows of the results before it, that is more than Max Rows as Items (${count(max)})`
			: `The result of task ${taskId} has ${has}, more than Max Rows as Items (${count(max)})`;
	return new NodeOperationError(node, message, {
		itemIndex,
		description:
			'One n8n execution can hold only so many items: n8n fails saving an execution with a few million result ' +
			'rows, after the work is done. Nothing was output; the task is paid and exported, and Download Result reads ' +
			'it again any time with this task ID. Instead: set Result As to File (one item with the result file), or ' +
			'turn off Return All and set a Limit, or send the numbers as tasks of at most ' +
			`${count(RECIPE_BATCH_SIZE)} and handle each task in its own sub-workflow execution (Execute Workflow ` +
			`node), as in the recipe: ${MILLION_RECIPE_URL}. On an n8n instance with more memory you can raise Max ` +
			'Rows as Items (0 = no limit).',
	});
}
