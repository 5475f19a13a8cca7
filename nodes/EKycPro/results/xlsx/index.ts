/**
 * XLSX reading: the first worksheet found through the workbook and its relationships (workbook.ts), the shared
 * strings loaded first (sharedStrings.ts), then the worksheet parsed as it inflates (worksheet.ts).
 */
import type { RawRecord } from '../rows';
import { decodeChunks } from '../text';
import { readEntryChunks, type ZipArchive } from '../zip';
import { loadSharedStrings, type SharedStringTable } from './sharedStrings';
import { locateWorkbookParts } from './workbook';
import { WorksheetParser } from './worksheet';

export { looksLikeXlsx, locateWorkbookParts, type WorkbookParts } from './workbook';
export { loadSharedStrings, SharedStringsParser, type SharedStringTable } from './sharedStrings';
export { WorksheetParser } from './worksheet';

/** The first worksheet of an XLSX as batches of positional records (one batch per inflated chunk). */
export async function* xlsxRecordBatches(zip: ZipArchive, signal?: AbortSignal): AsyncGenerator<RawRecord[]> {
	const parts = await locateWorkbookParts(zip);
	const sharedStrings: SharedStringTable = parts.sharedStrings
		? await loadSharedStrings(zip, parts.sharedStrings, signal)
		: { get: () => '' };
	if (signal?.aborted) return;
	const parser = new WorksheetParser(sharedStrings);
	for await (const text of decodeChunks(readEntryChunks(zip, parts.sheet))) {
		const records = parser.push(text);
		if (records.length > 0) yield records;
		if (signal?.aborted) return;
	}
	const last = parser.finish();
	if (last.length > 0) yield last;
}
