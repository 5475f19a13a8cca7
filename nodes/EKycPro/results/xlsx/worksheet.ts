/**
 * The worksheet XML parsed chunk by chunk as it inflates: rows of cells to positional records. Only the cell being
 * read is ever carried from one chunk to the next, so memory stays flat however long the sheet is.
 */
import { DOWNLOAD_AGAIN, ResultFileError } from '../errors';
import type { CellValue, RawRecord } from '../rows';
import { CarryOver, decodeXmlText } from '../text';
import {
	collectText,
	isNameEnd as nameEndTest,
	matchesAt as matchTest,
	MAX_ELEMENT_CHARS,
	needsDecoding,
	rootPrefix,
	stripPrefix,
} from './markup';
import type { SharedStringTable } from './sharedStrings';

// Bound once: called for every cell, where a call through the imported module would cost a property load each time.
const isNameEnd = nameEndTest;
const matchesAt = matchTest;

/** Columns of the largest sheet Excel can hold (A to XFD). */
const MAX_COLUMNS = 16384;
/** Characters that must follow a `<` before the worksheet parser looks at the tag (see `parseSheetData`). */
const TAG_MARGIN = 64;

const enum CellType {
	Number,
	Shared,
	Inline,
	Text,
	Boolean,
	Error,
}

/**
 * Parses worksheet XML pushed in chunks. `push` returns the rows completed by that chunk as positional records
 * (index = column, holes for absent cells). Only an unfinished cell or tag is carried to the next chunk.
 */
export class WorksheetParser {
	private readonly carry = new CarryOver(
		MAX_ELEMENT_CHARS,
		() =>
			new ResultFileError(
				`The worksheet holds an element of more than 16 million characters, so it is damaged. ${DOWNLOAD_AGAIN}`,
			),
	);
	private prefix: string | undefined;
	private inSheetData = false;
	private done = false;
	private record: RawRecord | undefined;
	private nextColumn = 0;
	/** 1 when the current chunk holds references or escapes, 0 when not (its strings skip decoding), -1 not known yet. */
	private decode = -1;
	/** Value found by `parseCellContent` (kept on the parser to avoid allocating a result per cell). */
	private contentValue: CellValue | undefined;

	constructor(private readonly sharedStrings: SharedStringTable) {}

	push(chunk: string): RawRecord[] {
		return this.parse(chunk, false);
	}

	/** Parses what is still carried once the last chunk has been pushed. */
	finish(): RawRecord[] {
		return this.parse('', true);
	}

	private parse(chunk: string, final: boolean): RawRecord[] {
		const records: RawRecord[] = [];
		if (this.done) return records;
		let s = this.carry.take(chunk, final);
		if (s === undefined) return records;
		if (this.prefix === undefined) {
			const prefix = rootPrefix(s);
			if (prefix === undefined) {
				this.carry.keep(s, 0);
				return records;
			}
			this.prefix = prefix;
		}
		s = stripPrefix(s, this.prefix);
		if (!this.inSheetData) {
			const open = s.indexOf('<sheetData');
			if (open < 0) {
				// Keep only a tail long enough to hold a split `<sheetData`.
				this.carry.keep(s, Math.max(0, s.length - 10));
				return records;
			}
			const gt = s.indexOf('>', open);
			if (gt < 0) {
				this.carry.keep(s, open);
				return records;
			}
			if (s.charCodeAt(gt - 1) === 47 /* <sheetData/>: no rows */) {
				this.done = true;
				return records;
			}
			this.inSheetData = true;
			s = s.slice(gt + 1);
		}
		this.decode = -1;
		this.carry.keep(s, this.parseSheetData(s, records, final));
		return records;
	}

	/** Parses rows from `s` into `records`; returns where the first incomplete tag starts (or the end). */
	private parseSheetData(s: string, records: RawRecord[], final: boolean): number {
		const length = s.length;
		// A tag is parsed only when this many characters follow its `<` (or at the very end): the start tag of a
		// cell then fits, and the hot loops never read past the end of the text, which would make V8 drop their
		// optimised code.
		const margin = final ? 1 : TAG_MARGIN;
		let position = 0;
		for (;;) {
			// Tags usually follow each other directly; search only when they do not.
			const lt = s.charCodeAt(position) === 60 ? position : s.indexOf('<', position);
			if (lt < 0) return length;
			if (lt + margin > length) return lt;
			const first = s.charCodeAt(lt + 1);
			if (first === 99 /* c */ && isNameEnd(s.charCodeAt(lt + 2))) {
				const next = this.parseCell(s, lt + 2);
				if (next < 0) return lt;
				position = next;
				continue;
			}
			if (first === 47 /* </ */) {
				if (matchesAt(s, lt + 2, 'row>')) {
					const record = this.record;
					if (record !== undefined && record.length > 0) records.push(record);
					this.record = undefined;
					position = lt + 6;
					continue;
				}
				if (matchesAt(s, lt + 2, 'sheetData>')) {
					this.done = true;
					return length;
				}
			}
			const gt = s.indexOf('>', lt);
			if (gt < 0) return lt;
			if (first === 114 /* r */ && matchesAt(s, lt + 2, 'ow') && isNameEnd(s.charCodeAt(lt + 4))) {
				// A self-closing `<row/>` has no cells.
				this.record = s.charCodeAt(gt - 1) === 47 ? undefined : [];
				this.nextColumn = 0;
			} else if (first === 33 /* <!-- */ && matchesAt(s, lt + 2, '--')) {
				const close = s.indexOf('-->', lt + 4);
				if (close < 0) return lt;
				position = close + 3;
				continue;
			}
			position = gt + 1;
		}
	}

	/**
	 * Parses the cell whose attributes start at `attributesStart` (just after `<c`); returns the position after it,
	 * or -1 when it is not complete yet.
	 */
	private parseCell(s: string, attributesStart: number): number {
		const length = s.length;
		// Attributes, in one pass: only `r` (where the cell goes) and `t` (its type) matter.
		let column = -1;
		let type = CellType.Number;
		let position = attributesStart;
		let selfClosing = false;
		// The layout every writer uses: ` r="B2"` first, then maybe ` t="s"`. Read it at fixed offsets, skipping the
		// row number with one native search; anything else is left to the general loop below.
		if (
			s.charCodeAt(position) === 32 &&
			s.charCodeAt(position + 1) === 114 /* r */ &&
			s.charCodeAt(position + 2) === 61 &&
			s.charCodeAt(position + 3) === 34
		) {
			let index = position + 4;
			let letters = 0;
			let letter = s.charCodeAt(index);
			while (letter >= 65 && letter <= 90) {
				letters = letters * 26 + (letter - 64);
				letter = s.charCodeAt(++index);
			}
			const quote = letters > 0 ? s.indexOf('"', index) : -1;
			if (quote > 0) {
				column = letters - 1;
				position = quote + 1;
				if (
					s.charCodeAt(position) === 32 &&
					s.charCodeAt(position + 1) === 116 /* t */ &&
					s.charCodeAt(position + 2) === 61 &&
					s.charCodeAt(position + 3) === 34
				) {
					const typeCode = s.charCodeAt(position + 4);
					if (s.charCodeAt(position + 5) === 34) {
						if (typeCode === 115 /* s */) type = CellType.Shared;
						else if (typeCode === 98 /* b */) type = CellType.Boolean;
						else if (typeCode === 101 /* e */) type = CellType.Error;
						else if (typeCode === 100 /* d */) type = CellType.Text;
						position += 6;
					} else if (typeCode === 105 /* inlineStr */ && s.charCodeAt(position + 13) === 34) {
						type = CellType.Inline;
						position += 14;
					} else if (typeCode === 115 /* str */ && s.charCodeAt(position + 7) === 34) {
						type = CellType.Text;
						position += 8;
					}
				}
			}
		}
		for (;;) {
			let code = s.charCodeAt(position);
			while (code === 32 || code === 9 || code === 10 || code === 13) code = s.charCodeAt(++position);
			if (code === 62 /* > */) break;
			if (code === 47 /* / */) {
				if (position + 1 >= length) return -1;
				selfClosing = true;
				position++;
				break;
			}
			if (position >= length) return -1;
			const nameStart = position;
			let equals: number;
			let valueStart: number;
			if (s.charCodeAt(position + 1) === 61 && s.charCodeAt(position + 2) === 34) {
				// The usual `r="..."`: a one-letter name, no spaces, double quotes.
				equals = position + 1;
				valueStart = position + 3;
			} else {
				equals = s.indexOf('=', position);
				if (equals < 0) return -1;
				let quote = equals + 1;
				while (s.charCodeAt(quote) === 32) quote++;
				if (quote >= length) return -1;
				const quoteCode = s.charCodeAt(quote);
				if (quoteCode !== 34 && quoteCode !== 39) {
					// Not well-formed XML: give up on the attributes and find the end of the tag.
					const gt = s.indexOf('>', position);
					if (gt < 0) return -1;
					selfClosing = s.charCodeAt(gt - 1) === 47;
					position = gt;
					break;
				}
				valueStart = quote + 1;
			}
			const quoteCode = s.charCodeAt(valueStart - 1);
			let nameEnd = equals;
			while (s.charCodeAt(nameEnd - 1) === 32) nameEnd--;
			const name = nameEnd - nameStart === 1 ? s.charCodeAt(nameStart) : 0;
			// The value is walked only as far as needed: the known type names and cell references have fixed shapes.
			let valueEnd = valueStart;
			if (name === 114 /* r */) {
				let letters = 0;
				let letter = s.charCodeAt(valueEnd);
				if (letter === 36 /* $ */) letter = s.charCodeAt(++valueEnd);
				while (letter >= 65 && letter <= 90) {
					letters = letters * 26 + (letter - 64);
					letter = s.charCodeAt(++valueEnd);
				}
				column = letters - 1;
			} else if (name === 116 /* t */) {
				const typeCode = s.charCodeAt(valueStart);
				if (typeCode === 115 /* s */) {
					type = s.charCodeAt(valueStart + 1) === quoteCode ? CellType.Shared : CellType.Text; // s or str
				} else if (typeCode === 105 /* inlineStr */) {
					type = CellType.Inline;
					valueEnd += 9;
				} else if (typeCode === 98 /* b */) type = CellType.Boolean;
				else if (typeCode === 101 /* e */) type = CellType.Error;
				else if (typeCode === 100 /* d: ISO date text */) type = CellType.Text;
			}
			while (valueEnd < length && s.charCodeAt(valueEnd) !== quoteCode) valueEnd++;
			if (valueEnd >= length) return -1;
			position = valueEnd + 1;
		}
		// `position` is at the `>` that ends the start tag.
		const contentStart = position + 1;
		if (selfClosing) {
			this.nextColumn = (column < 0 ? this.nextColumn : column) + 1;
			return contentStart;
		}
		let value: CellValue | undefined;
		let end = -1;
		if (type === CellType.Inline) {
			if (
				s.charCodeAt(contentStart + 1) === 105 /* i */ &&
				s.charCodeAt(contentStart + 5) === 116 /* t */ &&
				s.charCodeAt(contentStart + 6) === 62
			) {
				// `<is><t>text</t></is></c>`: the first `<` after the text must start `</t></is></c>`. In well-formed XML
				// `</t>` can only be followed by `</is>` or a phonetic run (`<rPh`), and `</is>` by `</c>` or `<extLst>`,
				// so checking a few characters of each tag is enough.
				const textStart = contentStart + 7;
				const textEnd = s.indexOf('<', textStart);
				if (textEnd < 0 || textEnd + 13 > length) return -1;
				if (
					s.charCodeAt(textEnd + 1) === 47 &&
					s.charCodeAt(textEnd + 2) === 116 /* t */ &&
					s.charCodeAt(textEnd + 5) === 47 &&
					s.charCodeAt(textEnd + 10) === 47 &&
					s.charCodeAt(textEnd + 11) === 99 /* c */
				) {
					const text = s.slice(textStart, textEnd);
					// Whether this chunk holds anything to decode is found out once, when its first string is read.
					if (this.decode < 0) this.decode = needsDecoding(s) ? 1 : 0;
					value = this.decode === 1 ? decodeXmlText(text, true) : text;
					end = textEnd + 13;
				}
			}
		} else if (s.charCodeAt(contentStart + 1) === 118 /* v */ && s.charCodeAt(contentStart + 2) === 62) {
			// `<v>text</v></c>`: as above, `</v>` can only be followed by `</c>`, `<is>` or `<extLst>`.
			const valueStart = contentStart + 3;
			// Values here are mostly a few digits: walk them rather than call indexOf.
			let valueEnd = valueStart;
			while (valueEnd < length && s.charCodeAt(valueEnd) !== 60) valueEnd++;
			if (valueEnd + 8 > length) return -1;
			if (
				s.charCodeAt(valueEnd + 2) === 118 /* v */ &&
				s.charCodeAt(valueEnd + 5) === 47 &&
				s.charCodeAt(valueEnd + 6) === 99 /* c */
			) {
				value = this.convert(s, valueStart, valueEnd, type);
				end = valueEnd + 8;
			}
		}
		if (end < 0) {
			end = this.parseCellContent(s, contentStart, type);
			if (end < 0) return -1;
			value = this.contentValue;
		}
		if (column < 0) column = this.nextColumn;
		this.nextColumn = column + 1;
		const record = this.record;
		// A sheet has at most 16,384 columns (XFD); a reference beyond is damage and would make a huge sparse row.
		if (record !== undefined && value !== undefined && column < MAX_COLUMNS) record[column] = value;
		return end;
	}

	/**
	 * The general case of a cell's content (formulas, rich text, spaces between tags): sets `contentValue` and
	 * returns the position after `</c>`, or -1 when the cell is not complete yet.
	 */
	private parseCellContent(s: string, contentStart: number, type: CellType): number {
		const close = s.indexOf('</c>', contentStart);
		if (close < 0) return -1;
		let value: CellValue | undefined;
		const content = s.slice(contentStart, close);
		if (type === CellType.Inline) {
			const inline = content.indexOf('<is');
			if (inline >= 0) value = collectText(content.slice(inline));
		} else {
			const valueTag = content.indexOf('<v');
			if (valueTag >= 0 && isNameEnd(content.charCodeAt(valueTag + 2))) {
				const valueGt = content.indexOf('>', valueTag);
				if (content.charCodeAt(valueGt - 1) === 47 /* <v/> */) {
					value = '';
				} else {
					const valueEnd = content.indexOf('</v>', valueGt + 1);
					value = this.convert(content, valueGt + 1, valueEnd < 0 ? content.length : valueEnd, type);
				}
			}
		}
		this.contentValue = value;
		return close + 4;
	}

	/** The value of `<v>` text `s[start, end)` for a cell of `type`. */
	private convert(s: string, start: number, end: number, type: CellType): CellValue {
		if (type === CellType.Shared) {
			// The index is read in place: no substring for the most common cell of all.
			let index = 0;
			for (let position = start; position < end; position++) {
				const digit = s.charCodeAt(position) - 48;
				if (digit < 0 || digit > 9) return this.sharedStrings.get(+s.slice(start, end).trim());
				index = index * 10 + digit;
			}
			return end > start ? this.sharedStrings.get(index) : '';
		}
		if (type === CellType.Number) {
			if (end === start) return '';
			// Short runs of digits (ages, counts, phone numbers) are read in place.
			if (end - start <= 15) {
				let number = 0;
				let position = start;
				for (; position < end; position++) {
					const digit = s.charCodeAt(position) - 48;
					if (digit < 0 || digit > 9) break;
					number = number * 10 + digit;
				}
				if (position === end) return number;
			}
			const raw = s.slice(start, end);
			const number = +raw;
			return Number.isNaN(number) || raw.trim() === '' ? decodeXmlText(raw, false) : number;
		}
		const raw = s.slice(start, end);
		if (type === CellType.Boolean) return raw === '1' || raw === 'true';
		return decodeXmlText(raw, type === CellType.Text);
	}
}
