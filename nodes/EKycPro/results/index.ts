/**
 * The eKYCPro result-file reader: XLSX, ZIP archives of tables (or of plain number lists) and CSV, told apart by
 * their bytes and read as a stream of rows. Dependency-free: it uses only platform globals (DecompressionStream,
 * TextDecoder, Buffer), so it runs within n8n's cloud rules.
 *
 * Layout: sniff.ts tells the format; zip.ts reads archives (central directory, ZIP64, checked inflating);
 * xlsx/ finds the first worksheet (workbook.ts) and parses the shared strings (sharedStrings.ts) and the worksheet
 * (worksheet.ts) as they inflate; csv.ts parses CSV; archive.ts picks the tables or lists of an archive; rows.ts
 * turns records into rows; rowStream.ts hands them out.
 */
import { listRowBatches, memberRecordBatches, planArchive } from './archive';
import { csvRecordBatches } from './csv';
import { RowStream } from './rowStream';
import { RowAssembler, type RawRecord, type ResultRow } from './rows';
import { sniff, textEncodingOf } from './sniff';
import { decodeChunks } from './text';
import { xlsxRecordBatches } from './xlsx';
import type { ZipArchive } from './zip';

export { detectCsvDelimiter, parseCsv, CsvStreamParser, type CsvDelimiter } from './csv';
export { ResultFileError } from './errors';
export { simplifyRow, normaliseHeader, type CellValue, type ResultRow } from './rows';
export { sniffResultFile, type ResultFileKind } from './sniff';

export interface ReadResultOptions {
	/** `yes`/`no` become true/false (a third value such as `ban` stays), the age a number, an empty cell null. */
	simplify?: boolean;
	/** For an archive of plain `.txt` lists only: the key that receives each list's name. Default `result`. */
	listColumn?: string;
	/** Reading stops (the generator ends) once this is aborted. */
	signal?: AbortSignal;
}

/** Text is decoded from the in-memory file in slices of this size: never one huge string, and small enough (under
 * V8's large-object size) that a slice and the fields cut from it are collected young. */
const TEXT_SLICE_BYTES = 64 * 1024;

async function* slices(data: Uint8Array): AsyncGenerator<Uint8Array> {
	for (let offset = 0; offset < data.length; offset += TEXT_SLICE_BYTES) {
		yield data.subarray(offset, offset + TEXT_SLICE_BYTES);
	}
}

/** The rows of a result file, a batch per decoded chunk. */
async function* rowBatches(data: Uint8Array, options: ReadResultOptions): AsyncGenerator<ResultRow[]> {
	const { simplify = false, signal } = options;
	const listColumn = options.listColumn && options.listColumn.trim() ? options.listColumn.trim() : 'result';
	if (signal?.aborted) return;
	const { kind, zip } = sniff(data);
	const assembler = new RowAssembler(simplify);

	let tables: Array<() => AsyncGenerator<RawRecord[]>>;
	if (kind.format === 'csv') {
		tables = [() => csvRecordBatches(decodeChunks(slices(data), textEncodingOf(data)))];
	} else if (kind.format === 'xlsx') {
		tables = [() => xlsxRecordBatches(zip as ZipArchive, signal)];
	} else {
		const archive = zip as ZipArchive;
		const plan = planArchive(archive);
		if (plan.tables.length === 0) {
			yield* listRowBatches(archive, plan.lists, listColumn, simplify);
			return;
		}
		tables = plan.tables.map((member) => () => memberRecordBatches(archive, member, signal));
	}

	for (const table of tables) {
		assembler.startTable();
		for await (const records of table()) {
			const rows: ResultRow[] = [];
			for (let index = 0; index < records.length; index++) {
				const row = assembler.accept(records[index]);
				if (row !== undefined) rows.push(row);
			}
			if (rows.length > 0) yield rows;
			if (signal?.aborted) return;
		}
	}
	assembler.finish();
}

/**
 * Reads a result file (XLSX, ZIP of tables or of plain number lists, CSV) to rows, one at a time: the first row of
 * the table is the header, later rows are keyed by it. The work follows the consumer: breaking out of the loop
 * (or calling `return()`) or aborting the signal stops reading, inflating included.
 * A file that is not a table, or is damaged, throws a ResultFileError from the first `next()`. An entry of up to
 * 8 MiB is checked (CRC-32 and size) before its first row; a larger one is checked at its end, so rows read before
 * that point have already been handed out when its error is thrown.
 */
export function readResultRows(data: Uint8Array, options: ReadResultOptions = {}): AsyncGenerator<ResultRow> {
	return new RowStream(rowBatches(data, options), options.signal);
}
