/**
 * ZIP archives of results: which members are tables (.xlsx, .csv at any depth, in natural name order) and which
 * are plain number lists (.txt), skipping macOS resource forks and hidden files, and reading each kind.
 */
import { csvRecordBatches } from './csv';
import { ResultFileError } from './errors';
import { simplifyValue, type RawRecord, type ResultRow } from './rows';
import { decodeChunks } from './text';
import { looksLikeXlsx, xlsxRecordBatches } from './xlsx';
import { openZip, readEntryBytes, readEntryChunks, type ZipArchive, type ZipEntry } from './zip';

type MemberKind = 'xlsx' | 'csv' | 'list';

export interface ArchiveMember {
	entry: ZipEntry;
	kind: MemberKind;
}

/** Natural order: `part2` before `part10`, then plain text order. */
export function compareNatural(a: string, b: string): number {
	const left = a.toLowerCase().split(/(\d+)/);
	const right = b.toLowerCase().split(/(\d+)/);
	for (let index = 0; index < Math.min(left.length, right.length); index++) {
		if (left[index] === right[index]) continue;
		// Odd indexes hold the digit runs of both names.
		if (index % 2 === 1) {
			const difference = Number(left[index]) - Number(right[index]);
			if (difference !== 0) return difference;
			return left[index].length - right[index].length;
		}
		return left[index] < right[index] ? -1 : 1;
	}
	if (left.length !== right.length) return left.length - right.length;
	return a < b ? -1 : a > b ? 1 : 0;
}

function memberKind(name: string): MemberKind | undefined {
	const segments = name.split('/');
	if (segments.some((segment) => segment === '__MACOSX' || segment.startsWith('.'))) return undefined;
	const lower = name.toLowerCase();
	if (lower.endsWith('.xlsx') || lower.endsWith('.xlsm')) return 'xlsx';
	if (lower.endsWith('.csv') || lower.endsWith('.tsv')) return 'csv';
	if (lower.endsWith('.txt')) return 'list';
	return undefined;
}

/** The tables and the lists of an archive, each in natural order; throws when it holds neither. */
export function planArchive(zip: ZipArchive): { tables: ArchiveMember[]; lists: ArchiveMember[] } {
	const members: ArchiveMember[] = [];
	for (const entry of zip.entries) {
		if (entry.isDirectory) continue;
		const kind = memberKind(entry.name);
		if (kind) members.push({ entry, kind });
	}
	members.sort((a, b) => compareNatural(a.entry.name, b.entry.name));
	const tables = members.filter((member) => member.kind !== 'list');
	const lists = members.filter((member) => member.kind === 'list');
	if (tables.length === 0 && lists.length === 0) {
		const names = zip.entries
			.filter((entry) => !entry.isDirectory)
			.slice(0, 5)
			.map((entry) => `"${entry.name}"`)
			.join(', ');
		throw new ResultFileError(
			`The result archive holds no table (.xlsx or .csv) and no number list (.txt); it holds ${names}. Check that the result URL is the one the task status gave.`,
		);
	}
	return { tables, lists };
}

/** One table of an archive as batches of positional records. */
export async function* memberRecordBatches(
	zip: ZipArchive,
	member: ArchiveMember,
	signal: AbortSignal | undefined,
): AsyncGenerator<RawRecord[]> {
	if (member.kind === 'xlsx') {
		const label = `"${member.entry.name}" in the result archive`;
		const inner = openZip(await readEntryBytes(zip, member.entry), label);
		if (!looksLikeXlsx(inner)) {
			throw new ResultFileError(`${label.charAt(0).toUpperCase()}${label.slice(1)} is not an Excel workbook.`);
		}
		yield* xlsxRecordBatches(inner, signal);
		return;
	}
	yield* csvRecordBatches(decodeChunks(readEntryChunks(zip, member.entry)));
}

function baseName(path: string): string {
	const name = path.slice(path.lastIndexOf('/') + 1);
	const dot = name.lastIndexOf('.');
	return dot > 0 ? name.slice(0, dot) : name;
}

/** Rows of an archive of plain lists: one row per number, with the list it came from, a batch per decoded chunk. */
export async function* listRowBatches(
	zip: ZipArchive,
	lists: ArchiveMember[],
	listColumn: string,
	simplify: boolean,
): AsyncGenerator<ResultRow[]> {
	for (const list of lists) {
		const listName = baseName(list.entry.name);
		const listValue = simplify ? simplifyValue(listColumn, listName) : listName;
		let carry = '';
		let firstLine = true;
		const texts = decodeChunks(readEntryChunks(zip, list.entry));
		try {
			for (let done = false; !done; ) {
				const step = await texts.next();
				done = step.done === true;
				const text = done ? carry : carry + step.value;
				// LF, CRLF or a lone CR; a CRLF cut between chunks only adds an empty line, which is skipped.
				const lines = text.split(/\r\n|\n|\r/);
				carry = done ? '' : (lines.pop() as string);
				const rows: ResultRow[] = [];
				for (const line of lines) {
					const number = line.trim();
					if (number.length === 0) continue;
					// A list may start with a header line naming its column.
					if (firstLine && /^(phone[ _]?)?numbers?$/i.test(number)) {
						firstLine = false;
						continue;
					}
					firstLine = false;
					rows.push({ number, [listColumn]: listValue });
				}
				if (rows.length > 0) yield rows;
			}
		} finally {
			// Stops inflating the list when the consumer stopped early.
			await texts.return(undefined);
		}
	}
}
