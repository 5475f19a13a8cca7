/**
 * From positional records (the cells of one table row) to result rows: the header row gives the keys (normalised,
 * made unique), phone numbers stay text, empty rows are dropped, and values are optionally simplified.
 */
import { DOWNLOAD_AGAIN, ResultFileError } from './errors';

export type CellValue = string | number | boolean | null;
export type ResultRow = Record<string, CellValue>;
/** One table row as read: index = column, holes for cells absent from the file. */
export type RawRecord = (CellValue | undefined)[];

/** Columns that hold phone numbers (a header naming one is a header, not data). */
const PHONE_COLUMNS = new Set(['number', 'phone', 'phone_number', 'phonenumber', 'mobile', 'msisdn']);
/** Columns whose numeric text becomes a number when simplifying. */
const NUMERIC_COLUMNS = new Set(['age']);
const NUMERIC_TEXT = /^[-+]?\d+(\.\d+)?$/;
const PHONE_LIKE_TEXT = /^\+?[\d\s().-]{6,}$/;
/** A phone number stored as a number cell: at least six digits, no fraction. */
const PHONE_LIKE_MIN = 100_000;

function isPhoneLike(value: CellValue | undefined): boolean {
	if (typeof value === 'number') return Number.isInteger(value) && Math.abs(value) >= PHONE_LIKE_MIN;
	return typeof value === 'string' && PHONE_LIKE_TEXT.test(value.trim());
}

function quoteStart(record: RawRecord): string {
	const text = record
		.filter((value) => !isBlank(value))
		.map((value) => String(value).trim())
		.join(', ')
		.replace(/\s+/g, ' ');
	return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}

/** A number written as its digits: no exponent and no `.0` (`41798284651`, never `4.1798284651e+10`). */
export function numberToDigits(value: number): string {
	if (Number.isInteger(value)) {
		return Math.abs(value) < 1e21 ? String(value) : BigInt(value).toString();
	}
	return String(value);
}

/** One value simplified: `yes`/`no` to true/false, the age to a number, an empty cell to null. */
export function simplifyValue(key: string, value: CellValue): CellValue {
	if (typeof value !== 'string') return value;
	if (value.length === 0) return null;
	const trimmed = value.trim();
	if (trimmed.length === 0) return null;
	if (trimmed.length <= 3) {
		const lower = trimmed.toLowerCase();
		if (lower === 'yes') return true;
		if (lower === 'no') return false;
	}
	if (NUMERIC_COLUMNS.has(key) && NUMERIC_TEXT.test(trimmed)) return Number(trimmed);
	return value;
}

/** A copy of `row` with every value simplified (see `ReadResultOptions.simplify`). */
export function simplifyRow(row: ResultRow): ResultRow {
	const simplified: ResultRow = {};
	for (const key of Object.keys(row)) simplified[key] = simplifyValue(key, row[key]);
	return simplified;
}

function isBlank(value: CellValue | undefined): boolean {
	return value === undefined || value === null || value === '' || (typeof value === 'string' && value.trim() === '');
}

export function isEmptyRecord(record: RawRecord): boolean {
	for (let index = 0; index < record.length; index++) if (!isBlank(record[index])) return false;
	return true;
}

function headerName(value: CellValue | undefined): string {
	if (value === undefined || value === null) return '';
	return (typeof value === 'number' ? numberToDigits(value) : String(value)).trim().toLowerCase();
}

/** Header keys: trimmed, lower case; an empty name becomes `column_N` and a repeated one gets `_2`, `_3`, ... */
export function normaliseHeader(record: RawRecord): string[] {
	const keys: string[] = [];
	const used = new Set<string>();
	for (let index = 0; index < record.length; index++) appendKey(keys, used, headerName(record[index]));
	return keys;
}

function appendKey(keys: string[], used: Set<string>, name: string): void {
	const base = name.length > 0 ? name : `column_${keys.length + 1}`;
	let key = base;
	for (let suffix = 2; used.has(key); suffix++) key = `${base}_${suffix}`;
	used.add(key);
	keys.push(key);
}

/**
 * Turns the records of one or more tables (the parts of a result) into rows. The first non-empty record of the
 * first table is the header; a later table's first record is taken as its own header when it looks like one
 * (text naming a known column, no phone number), otherwise as data under the first header.
 */
export class RowAssembler {
	private keys: string[] = [];
	private usedKeys = new Set<string>();
	private phoneColumn: boolean[] = [];
	private firstKeys: string[] | undefined;
	private awaitingHeader = true;
	/** The first header, kept until the file has shown it is a table of numbers (see `confirmTable`). */
	private unconfirmedHeader: RawRecord | undefined;

	constructor(private readonly simplify: boolean) {}

	/** The next non-empty record starts a new table (a further part of the same result). */
	startTable(): void {
		this.awaitingHeader = true;
	}

	/** The row for `record`, or undefined for a header or an empty record. */
	accept(record: RawRecord): ResultRow | undefined {
		if (isEmptyRecord(record)) return undefined;
		if (this.awaitingHeader) {
			this.awaitingHeader = false;
			if (this.firstKeys === undefined) {
				if (isPhoneLike(record[0])) {
					// No header: the file starts with a number. Keyed `number`, `column_2`, ... so that no row is lost.
					this.setKeys(normaliseHeader(['number']));
					this.firstKeys = this.keys;
					return this.buildRow(record);
				}
				this.setKeys(normaliseHeader(record));
				this.firstKeys = this.keys;
				if (!this.phoneColumn.includes(true) && !record.some(isPhoneLike)) this.unconfirmedHeader = record;
				return undefined;
			}
			if (this.isHeaderOfLaterTable(record)) {
				this.setKeys(normaliseHeader(record));
				return undefined;
			}
			this.setKeys(this.firstKeys);
		}
		if (this.unconfirmedHeader !== undefined) this.confirmTable(record);
		return this.buildRow(record);
	}

	/**
	 * A result table names its phone column (`Number`) or holds phone numbers in its first data row. Text that does
	 * neither (a notice such as "Your export is being prepared.") is not a result: it is reported, not passed off as
	 * rows. `record` is the first data row, or undefined when the file ended after its first line.
	 */
	private confirmTable(record: RawRecord | undefined): void {
		if (record !== undefined && record.some(isPhoneLike)) {
			this.unconfirmedHeader = undefined;
			return;
		}
		const header = this.unconfirmedHeader as RawRecord;
		throw new ResultFileError(
			`The result file is not a table of phone numbers: it has no Number column and its ${
				record === undefined ? 'only line holds' : 'first lines hold'
			} no phone number ("${quoteStart(header)}"${record === undefined ? '' : `, then "${quoteStart(record)}"`}). ${DOWNLOAD_AGAIN}`,
		);
	}

	/** Called after the last record: a file whose only line is not a header of a result table is reported. */
	finish(): void {
		if (this.unconfirmedHeader !== undefined) this.confirmTable(undefined);
	}

	private setKeys(keys: string[]): void {
		this.keys = keys.slice();
		this.usedKeys = new Set(keys);
		this.phoneColumn = keys.map((key) => PHONE_COLUMNS.has(key));
		this.buildTemplate();
	}

	/** Every row starts as a copy of this object: all keys, in header order, holding the value of a missing cell. */
	private template: ResultRow = {};

	private buildTemplate(): void {
		const template: ResultRow = {};
		for (const key of this.keys) template[key] = this.simplify ? null : '';
		this.template = template;
	}

	private isHeaderOfLaterTable(record: RawRecord): boolean {
		const known = new Set(this.firstKeys);
		let namesKnownColumn = false;
		for (const value of record) {
			if (value === undefined || value === null || value === '') continue;
			if (typeof value !== 'string') return false;
			const trimmed = value.trim();
			if (PHONE_LIKE_TEXT.test(trimmed)) return false;
			if (known.has(trimmed.toLowerCase())) namesKnownColumn = true;
		}
		return namesKnownColumn;
	}

	private buildRow(record: RawRecord): ResultRow {
		const keys = this.keys;
		if (record.length > keys.length) this.extendKeys(record);
		// Copying the template gives every row the same shape at once; only the cells present are then written.
		const row: ResultRow = { ...this.template };
		const simplify = this.simplify;
		// Blank cells to the right of the header have no key; they are left out.
		const limit = Math.min(record.length, keys.length);
		for (let index = 0; index < limit; index++) {
			let value = record[index];
			if (value === undefined || value === null) continue;
			// One rule for every format: a cell is text as the file shows it (an XLSX number cell as its digits, as a
			// CSV would hold it); Simplify then types the known columns the same way whatever the file was.
			if (typeof value === 'number') value = numberToDigits(value);
			else if (typeof value === 'boolean') value = value ? 'TRUE' : 'FALSE';
			row[keys[index]] = simplify ? simplifyValue(keys[index], value) : value;
		}
		return row;
	}

	/** Cells to the right of the header still count: they get a `column_N` key rather than being dropped. */
	private extendKeys(record: RawRecord): void {
		const keys = this.keys;
		let last = -1;
		for (let index = keys.length; index < record.length; index++) if (!isBlank(record[index])) last = index;
		if (last < 0) return;
		while (keys.length <= last) appendKey(keys, this.usedKeys, '');
		while (this.phoneColumn.length < keys.length) this.phoneColumn.push(false);
		this.buildTemplate();
	}
}
