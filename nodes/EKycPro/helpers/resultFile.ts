import { NodeOperationError } from 'n8n-workflow';
import type { IBinaryData, IDataObject, IExecuteFunctions, INodeExecutionData, IPairedItemData } from 'n8n-workflow';

import type { CheckDefinition } from '../checks';
import { readResultRows, ResultFileError, sniffResultFile } from '../results';
import type { ResultFileKind, ResultRow } from '../results';
import { downloadResultFile } from '../transport/download';
import type { ResultOutputSettings } from '../common.descriptions';
import { toNodeError } from './nodeErrors';
import { expectedRows, rowBudget, tooManyRowsError } from './rowGuard';
import type { RowBudget } from './rowGuard';
import type { ApiSession } from '../transport/http';
import type { EKycTask } from '../transport/types';

export interface ResultReadOptions {
	/** Read the rows at all (false when only the file is wanted). */
	rows: boolean;
	simplify: boolean;
	/** Rows to return at most; undefined for all. */
	limit?: number;
	/** Build the file as n8n binary data. */
	binary: boolean;
	/** Max Rows as Items for this result; undefined for no limit. */
	budget?: RowBudget;
}

/** What the file is, by its bytes; a file that is no table still has a name and a type when only the file is wanted. */
type FileKind = Pick<ResultFileKind, 'mimeType' | 'extension'>;
const UNKNOWN_FILE: FileKind = { mimeType: 'application/octet-stream', extension: 'bin' };

function kindOf(data: Buffer, needRows: boolean): FileKind {
	if (needRows) return sniffResultFile(data);
	try {
		return sniffResultFile(data);
	} catch {
		return UNKNOWN_FILE;
	}
}

export interface LoadedResult {
	task: EKycTask;
	kind: FileKind;
	rows: ResultRow[];
	binary?: IBinaryData;
	fileName: string;
	bytes: number;
	downloads: number;
	refreshes: number;
}

/**
 * The rows of the file; a cancelled execution stops the reading (then the rows so far are not the result). Past the
 * budget (the status answer's count can be missing or wrong) the rows are dropped and only counted, for the error.
 */
async function readRows(
	ctx: IExecuteFunctions,
	data: Buffer,
	check: CheckDefinition,
	task: EKycTask,
	itemIndex: number,
	options: ResultReadOptions,
	signal: AbortSignal | undefined,
): Promise<ResultRow[]> {
	let rows: ResultRow[] = [];
	if (!options.rows) return rows;
	const budget = options.budget;
	let counted = 0;
	for await (const row of readResultRows(data, { simplify: options.simplify, listColumn: check.flagColumn, signal })) {
		if (options.limit !== undefined && counted >= options.limit) break;
		counted++;
		if (budget === undefined || counted <= budget.maxRows) rows.push(row);
		else if (rows.length > 0) rows = [];
	}
	if (budget !== undefined && counted > budget.maxRows && !signal?.aborted) {
		throw tooManyRowsError(ctx.getNode(), task.task_id, counted, budget, itemIndex);
	}
	return rows;
}

/** Before the download: a result whose status answer already counts too many rows stops here. */
function checkExpectedRows(ctx: IExecuteFunctions, task: EKycTask, itemIndex: number, options: ResultReadOptions) {
	if (!options.rows || options.budget === undefined) return;
	const expected = expectedRows(task.total, options.limit);
	if (expected !== undefined && expected > options.budget.maxRows) {
		throw tooManyRowsError(ctx.getNode(), task.task_id, expected, options.budget, itemIndex);
	}
}

/**
 * Downloads an exported task's result file and reads it. A file that turns out corrupt or cut short (a ZIP whose
 * CRC or length is wrong) is downloaded once more before the error is reported: the task is paid for.
 */
export async function loadResult(
	ctx: IExecuteFunctions,
	session: ApiSession,
	check: CheckDefinition,
	task: EKycTask,
	itemIndex: number,
	options: ResultReadOptions,
): Promise<LoadedResult> {
	checkExpectedRows(ctx, task, itemIndex, options);
	let downloads = 0;
	let refreshes = 0;
	let current = task;
	for (let attempt = 1; ; attempt++) {
		const file = await downloadResultFile(session, check, current, itemIndex);
		downloads += file.downloads;
		refreshes += file.refreshes;
		current = file.task;
		try {
			const kind = kindOf(file.data, options.rows);
			const signal = ctx.getExecutionCancelSignal?.();
			const rows = await readRows(ctx, file.data, check, current, itemIndex, options, signal);
			if (signal?.aborted) {
				throw new NodeOperationError(ctx.getNode(), `Reading the result of task ${current.task_id} was cancelled`, {
					itemIndex,
					description: 'The task is paid and exported; read it again with Download Result.',
				});
			}
			const fileName = `ekycpro-${check.id}-${current.task_id}.${kind.extension}`;
			const binary = options.binary
				? await ctx.helpers.prepareBinaryData(file.data, fileName, kind.mimeType)
				: undefined;
			return { task: current, kind, rows, binary, fileName, bytes: file.data.length, downloads, refreshes };
		} catch (error) {
			if (!(error instanceof ResultFileError)) throw toNodeError(ctx.getNode(), error, itemIndex);
			if (attempt < 2 && file.data.length > 0) continue;
			throw new NodeOperationError(
				ctx.getNode(),
				`The result file of task ${current.task_id} cannot be read: ${error.message}`,
				{
					itemIndex,
					description:
						'The task is paid and exported. The file came back the same way twice; try Download Result with Output set to File to get it as it is, and tell eKYCPro support.',
				},
			);
		}
	}
}

/**
 * What to read of a result for the chosen output. `rowsBefore`: rows earlier results of the same node run output
 * already (Max Rows as Items counts what one node run outputs).
 */
export function readOptionsFor(settings: ResultOutputSettings, rowsBefore = 0): ResultReadOptions {
	const rows = settings.output !== 'file';
	return {
		rows,
		simplify: settings.simplify,
		limit: settings.limit,
		binary: settings.output !== 'rows',
		budget: rows ? rowBudget(settings.maxRowsAsItems, rowsBefore) : undefined,
	};
}

/**
 * Appends the items a result gives, as Download Result and the Wait node output them: the file item first (when the
 * file was asked for: `fileJson` plus its name, size and, with rows too, the row count), then one item per row.
 * Appends in a loop: a million rows are too many arguments for one `push(...rows)`.
 */
export function appendResultItems(
	items: INodeExecutionData[],
	result: LoadedResult,
	settings: ResultOutputSettings,
	fileJson: IDataObject,
	pairedItem: IPairedItemData | IPairedItemData[],
): void {
	if (result.binary) {
		const json: IDataObject = { ...fileJson, fileName: result.fileName, fileSize: result.bytes };
		if (settings.output === 'both') json.rows = result.rows.length;
		items.push({ json, binary: { [settings.binaryPropertyName]: result.binary }, pairedItem });
	}
	for (const row of result.rows) items.push({ json: row, pairedItem });
}
