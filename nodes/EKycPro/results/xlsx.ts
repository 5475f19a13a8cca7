/**
 * XLSX reading: the first worksheet found through the workbook and its relationships, shared strings loaded first,
 * then the worksheet XML parsed chunk by chunk as it inflates. Only the cell being read is ever carried from one
 * chunk to the next, so memory stays flat however long the sheet is.
 */
import { DOWNLOAD_AGAIN, ResultFileError } from './errors';
import type { CellValue, RawRecord } from './rows';
import { CarryOver, decodeChunks, decodeXmlText, findElements, readAttribute } from './text';
import { findEntry, readEntryChunks, readEntryText, type ZipArchive, type ZipEntry } from './zip';

const WORKBOOK_CONTENT_TYPES = [
	'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml',
	'application/vnd.ms-excel.sheet.macroEnabled.main+xml',
	'application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml',
	'application/vnd.ms-excel.template.macroEnabled.main+xml',
];
const BINARY_WORKBOOK_CONTENT_TYPE = 'application/vnd.ms-excel.sheet.binary.macroEnabled.main';

/** True when the archive's entry names say it is a spreadsheet rather than an archive of files. */
export function looksLikeXlsx(zip: ZipArchive): boolean {
	let hasContentTypes = false;
	let hasWorkbook = false;
	for (const entry of zip.entries) {
		const name = entry.name.toLowerCase();
		if (name === 'xl/workbook.xml' || name === 'xl/workbook.bin') return true;
		if (name === '[content_types].xml') hasContentTypes = true;
		else if (/(^|\/)workbook\.(xml|bin)$/.test(name)) hasWorkbook = true;
	}
	return hasContentTypes && hasWorkbook;
}

function broken(zip: ZipArchive, detail: string): ResultFileError {
	return new ResultFileError(
		`${zip.label.charAt(0).toUpperCase()}${zip.label.slice(1)} is an Excel workbook that cannot be read: ${detail}. ${DOWNLOAD_AGAIN}`,
	);
}

function directoryOf(path: string): string {
	const slash = path.lastIndexOf('/');
	return slash < 0 ? '' : path.slice(0, slash + 1);
}

/** Resolves a relationship target: absolute (`/xl/...`) from the package root, otherwise relative to the source part. */
function resolveTarget(sourcePath: string, target: string): string {
	let decoded = target;
	try {
		decoded = decodeURIComponent(target);
	} catch {
		// Not URL-encoded; keep it as written.
	}
	const joined = decoded.startsWith('/') ? decoded.slice(1) : directoryOf(sourcePath) + decoded;
	const parts: string[] = [];
	for (const part of joined.split('/')) {
		if (part === '..') parts.pop();
		else if (part !== '.' && part !== '') parts.push(part);
	}
	return parts.join('/');
}

interface Relationship {
	id: string;
	type: string;
	target: string;
}

async function readRelationships(zip: ZipArchive, sourcePath: string): Promise<Relationship[]> {
	const relsPath = `${directoryOf(sourcePath)}_rels/${sourcePath.slice(directoryOf(sourcePath).length)}.rels`;
	const entry = findEntry(zip, relsPath);
	if (!entry) return [];
	const xml = await readEntryText(zip, entry);
	return findElements(xml, 'Relationship').map((attributes) => ({
		id: readAttribute(attributes, 'Id') ?? '',
		type: readAttribute(attributes, 'Type') ?? '',
		target: readAttribute(attributes, 'Target') ?? '',
	}));
}

async function findWorkbookPath(zip: ZipArchive): Promise<string> {
	const contentTypes = findEntry(zip, '[Content_Types].xml');
	if (contentTypes) {
		const xml = await readEntryText(zip, contentTypes);
		for (const attributes of findElements(xml, 'Override')) {
			const contentType = (readAttribute(attributes, 'ContentType') ?? '').trim();
			const partName = readAttribute(attributes, 'PartName');
			if (!partName) continue;
			if (contentType.startsWith(BINARY_WORKBOOK_CONTENT_TYPE)) {
				throw new ResultFileError(
					`${zip.label.charAt(0).toUpperCase()}${zip.label.slice(1)} is a binary Excel workbook (.xlsb), which this node cannot read. Save it as .xlsx or .csv and try again.`,
				);
			}
			if (WORKBOOK_CONTENT_TYPES.includes(contentType)) return resolveTarget('', partName);
		}
	}
	const packageRels = await readRelationships(zip, '');
	const officeDocument = packageRels.find((rel) => rel.type.endsWith('/officeDocument'));
	if (officeDocument) return resolveTarget('', officeDocument.target);
	return 'xl/workbook.xml';
}

export interface WorkbookParts {
	sheet: ZipEntry;
	sheetName: string;
	sharedStrings?: ZipEntry;
}

/** Finds the first worksheet (in the workbook's tab order) and the shared strings, through the relationships. */
export async function locateWorkbookParts(zip: ZipArchive): Promise<WorkbookParts> {
	const workbookPath = await findWorkbookPath(zip);
	const workbookEntry = findEntry(zip, workbookPath);
	if (!workbookEntry) throw broken(zip, `its workbook part "${workbookPath}" is missing`);
	const workbookXml = await readEntryText(zip, workbookEntry);
	const relationships = await readRelationships(zip, workbookEntry.name);
	const byId = new Map(relationships.map((rel) => [rel.id, rel]));

	const sheets = findElements(workbookXml, 'sheet');
	if (sheets.length === 0) throw broken(zip, 'its workbook lists no sheets');
	let chosen: { name: string; path: string } | undefined;
	for (const attributes of sheets) {
		const id = readAttribute(attributes, 'r:id') ?? readAttribute(attributes, 'id');
		const rel = id === undefined ? undefined : byId.get(id);
		if (!rel) continue;
		// A chart sheet or dialog sheet holds no cells; the first sheet with rows is the result.
		if (rel.type && !rel.type.endsWith('/worksheet')) continue;
		chosen = { name: readAttribute(attributes, 'name') ?? '', path: resolveTarget(workbookEntry.name, rel.target) };
		break;
	}
	if (!chosen) throw broken(zip, 'no worksheet is linked from its workbook');
	const sheet = findEntry(zip, chosen.path);
	if (!sheet) throw broken(zip, `its worksheet "${chosen.path}" is missing`);

	const sharedStringsRel = relationships.find((rel) => rel.type.endsWith('/sharedStrings'));
	const sharedStrings = sharedStringsRel
		? findEntry(zip, resolveTarget(workbookEntry.name, sharedStringsRel.target))
		: findEntry(zip, `${directoryOf(workbookEntry.name)}sharedStrings.xml`);
	return { sheet, sheetName: chosen.name, sharedStrings };
}

/** Namespace prefix of the document element (`x:` in `<x:worksheet>`), found in the first chunk(s). */
function rootPrefix(text: string): string | undefined {
	let position = 0;
	for (;;) {
		const lt = text.indexOf('<', position);
		if (lt < 0 || lt + 1 >= text.length) return undefined;
		const next = text.charCodeAt(lt + 1);
		if (next === 63 /* ? */ || next === 33 /* ! */) {
			const close = text.indexOf(next === 63 ? '?>' : '>', lt + 2);
			if (close < 0) return undefined;
			position = close + 1;
			continue;
		}
		let end = lt + 1;
		while (end < text.length) {
			const code = text.charCodeAt(end);
			if (code === 32 || code === 62 || code === 47 || code === 9 || code === 10 || code === 13) break;
			end++;
		}
		if (end >= text.length) return undefined;
		const name = text.slice(lt + 1, end);
		const colon = name.indexOf(':');
		return colon < 0 ? '' : name.slice(0, colon + 1);
	}
}

/**
 * Removes the namespace prefix of the document's own elements (`<x:row>` to `<row>`), so that the parsers look for
 * fixed tag names. Text content cannot hold a raw `<`, so only tags change.
 */
function stripPrefix(text: string, prefix: string): string {
	return prefix.length === 0 ? text : text.replaceAll(`<${prefix}`, '<').replaceAll(`</${prefix}`, '</');
}

/** True when `s` holds `pattern` at `position` (a char-by-char check, cheaper than startsWith in hot loops). */
function matchesAt(s: string, position: number, pattern: string): boolean {
	for (let index = 0; index < pattern.length; index++) {
		if (s.charCodeAt(position + index) !== pattern.charCodeAt(index)) return false;
	}
	return true;
}

function isNameEnd(code: number): boolean {
	return code === 62 /* > */ || code === 32 || code === 47 /* / */ || code === 9 || code === 10 || code === 13;
}

/** True when a chunk holds anything that text decoding must act on (references or `_xHHHH_` escapes). */
function needsDecoding(s: string): boolean {
	return s.indexOf('&') >= 0 || s.indexOf('_x') >= 0;
}

/**
 * The text of a shared string item or inline string (`content` is what lies between its tags): the `<t>` elements,
 * rich text runs concatenated, phonetic runs (`<rPh>`) left out.
 */
function collectText(content: string): string {
	// Without any `<r...>` element (runs or phonetic runs) the item is one plain `<t>`.
	if (content.indexOf('<r') < 0) {
		const t = content.indexOf('<t');
		if (t < 0) return '';
		const gt = content.indexOf('>', t);
		if (gt < 0 || content.charCodeAt(gt - 1) === 47 /* <t/> */) return '';
		const close = content.indexOf('</t>', gt + 1);
		return decodeXmlText(content.slice(gt + 1, close < 0 ? content.length : close), true);
	}
	let text = '';
	let position = 0;
	let nextPhonetic = content.indexOf('<rPh');
	for (;;) {
		const t = content.indexOf('<t', position);
		if (t < 0) break;
		if (!isNameEnd(content.charCodeAt(t + 2))) {
			position = t + 2;
			continue;
		}
		if (nextPhonetic >= 0 && nextPhonetic < t) {
			const close = content.indexOf('</rPh>', nextPhonetic);
			if (close < 0) break;
			position = close + 6;
			nextPhonetic = content.indexOf('<rPh', position);
			continue;
		}
		const gt = content.indexOf('>', t);
		if (gt < 0) break;
		if (content.charCodeAt(gt - 1) === 47 /* <t/> */) {
			position = gt + 1;
			continue;
		}
		const close = content.indexOf('</t>', gt + 1);
		if (close < 0) break;
		text += content.slice(gt + 1, close);
		position = close + 4;
	}
	return decodeXmlText(text, true);
}

/** What the worksheet parser needs from the shared strings. */
export interface SharedStringTable {
	get(index: number): string;
}

/** Shared string indexes below this keep their string once made: the values that repeat (yes, no, male...) come first. */
const SHARED_CACHE_SIZE = 16384;
/** Bytes of the shared strings part decoded at a time (see `loadSharedStrings`). */
const SHARED_PIECE_BYTES = 1024 * 1024;

/**
 * The shared strings part, parsed as it is pushed in pieces of text. It can hold a million distinct numbers and
 * URLs, so no string is made per item: the pieces of text are kept and each item is remembered as where it lies
 * (piece, start, end) in typed arrays; its string is cut out when a cell asks for it. Only items that need decoding
 * (entities, rich text) or that straddle two pieces are stored as strings. Millions of small long-lived strings
 * would cost more in garbage collection than the rest of the reading.
 */
export class SharedStringsParser implements SharedStringTable {
	private readonly pieces: string[] = [];
	private pieceOf = new Int32Array(1024);
	private starts = new Int32Array(1024);
	private ends = new Int32Array(1024);
	/** 1 for an item whose text holds references or escapes: it is decoded when asked for. */
	private needsDecoding = new Uint8Array(1024);
	private count = 0;
	private readonly decoded = new Map<number, string>();
	private readonly cache: Array<string | undefined> = [];
	private carry = '';
	private prefix: string | undefined;

	get length(): number {
		return this.count;
	}

	get(index: number): string {
		if (!(index >= 0 && index < this.count)) return '';
		if (index < SHARED_CACHE_SIZE) {
			const cached = this.cache[index];
			if (cached !== undefined) return cached;
		}
		const piece = this.pieceOf[index];
		let value: string;
		if (piece < 0) {
			value = this.decoded.get(index) ?? '';
		} else {
			value = this.pieces[piece].slice(this.starts[index], this.ends[index]);
			if (this.needsDecoding[index] === 1) value = decodeXmlText(value, true);
		}
		if (index < SHARED_CACHE_SIZE) this.cache[index] = value;
		return value;
	}

	toArray(): string[] {
		return Array.from({ length: this.count }, (_value, index) => this.get(index));
	}

	push(text: string): void {
		let incoming = text;
		if (this.prefix === undefined) {
			incoming = this.carry + text;
			this.carry = '';
			const prefix = rootPrefix(incoming);
			if (prefix === undefined) {
				this.carry = incoming;
				return;
			}
			this.prefix = prefix;
			this.reserve(incoming);
		}
		if (this.prefix.length > 0) {
			// Rare: strip the prefix from the joined text, so that a prefix split between two pieces is not missed.
			incoming = stripPrefix(this.carry + incoming, this.prefix);
			this.carry = '';
		}
		let piece = incoming;
		let from = 0;
		if (this.carry.length > 0) {
			// The item cut by the previous piece is completed from the head of this one and stored as a string, so
			// that this piece is kept as it is rather than copied into a concatenation.
			const close = piece.indexOf('</si>');
			if (close < 0) {
				this.carry += piece;
				if (this.carry.length > MAX_ELEMENT_CHARS) {
					throw new ResultFileError(`The shared strings of the workbook hold an item of more than 16 million characters, so it is damaged. ${DOWNLOAD_AGAIN}`);
				}
				return;
			}
			const boundary = this.carry + piece.slice(0, close + 5);
			const stop = this.parseItems(boundary, 0, -1);
			this.carry = '';
			from = close + 5;
			if (stop < boundary.length) {
				// Not a clean item boundary (damaged XML): carry on with a plain concatenation.
				piece = boundary.slice(stop) + piece.slice(from);
				from = 0;
			}
		}
		const pieceIndex = this.pieces.length;
		this.pieces.push(piece);
		const stop = this.parseItems(piece, from, pieceIndex);
		if (stop < piece.length) this.carry = piece.slice(stop);
	}

	/** Sizes the tables from the part's own count of items, so that they need not grow a million items long. */
	private reserve(head: string): void {
		const root = head.indexOf('<sst') >= 0 ? head.indexOf('<sst') : head.search(/<[\w.-]+:sst[\s>]/);
		const end = root < 0 ? -1 : head.indexOf('>', root);
		if (end < 0) return;
		const declared = Number(readAttribute(head.slice(root, end), 'uniqueCount') ?? readAttribute(head.slice(root, end), 'count'));
		// The count is only a hint: a damaged or hostile value must not allocate much.
		if (!(declared > this.pieceOf.length && declared <= 4 * 1024 * 1024)) return;
		this.pieceOf = new Int32Array(declared);
		this.starts = new Int32Array(declared);
		this.ends = new Int32Array(declared);
		this.needsDecoding = new Uint8Array(declared);
	}

	/** Parses what is still carried once the last piece has been pushed. */
	finish(): void {
		if (this.carry.length > 0) this.parseItems(this.carry, 0, -1);
		this.carry = '';
	}

	/** Records an item: where it lies in a kept piece (`pieceIndex` >= 0), or its finished text. */
	private add(pieceIndex: number, start: number, end: number, text: string | undefined, encoded = false): void {
		const index = this.count++;
		if (index === this.pieceOf.length) {
			const size = index * 2;
			const grow = (old: Int32Array) => {
				const bigger = new Int32Array(size);
				bigger.set(old);
				return bigger;
			};
			this.pieceOf = grow(this.pieceOf);
			this.starts = grow(this.starts);
			this.ends = grow(this.ends);
			const flags = new Uint8Array(size);
			flags.set(this.needsDecoding);
			this.needsDecoding = flags;
		}
		if (pieceIndex < 0) {
			this.pieceOf[index] = -1;
			this.decoded.set(index, text ?? '');
			return;
		}
		this.pieceOf[index] = pieceIndex;
		this.starts[index] = start;
		this.ends[index] = end;
		if (encoded) this.needsDecoding[index] = 1;
	}

	/**
	 * Records the items of `s` from `from`; returns where the first incomplete item starts (or the end). With
	 * `pieceIndex` -1, `s` is not kept and every item is stored as a string.
	 */
	private parseItems(s: string, from: number, pieceIndex: number): number {
		const length = s.length;
		let nextReference = s.indexOf('&', from);
		let nextEscape = s.indexOf('_x', from);
		let position = from;
		for (;;) {
			// Items usually follow each other directly; search only when they do not.
			const open =
				s.charCodeAt(position) === 60 && s.charCodeAt(position + 1) === 115 && s.charCodeAt(position + 2) === 105
					? position
					: s.indexOf('<si', position);
			if (open < 0) {
				// Keep a tail that may be the start of a split `<si`.
				const last = s.lastIndexOf('<');
				return last >= position && last > length - 4 ? last : length;
			}
			if (open + 10 > length) return open;
			const after = s.charCodeAt(open + 3);
			if (!isNameEnd(after)) {
				position = open + 3;
				continue;
			}
			if (after === 62 && s.charCodeAt(open + 4) === 60 && s.charCodeAt(open + 5) === 116 /* t */ && s.charCodeAt(open + 6) === 62) {
				// The common item: `<si><t>text</t></si>`.
				const textStart = open + 7;
				const textEnd = s.indexOf('<', textStart);
				if (textEnd < 0 || textEnd + 9 > length) return open;
				// The text ends at its `</t>`, which in well-formed XML is followed by `</si>` or a phonetic run.
				if (s.charCodeAt(textEnd + 2) === 116 /* t */ && s.charCodeAt(textEnd + 5) === 47 && s.charCodeAt(textEnd + 6) === 115 /* s */) {
					if (nextReference >= 0 && nextReference < textStart) nextReference = s.indexOf('&', textStart);
					if (nextEscape >= 0 && nextEscape < textStart) nextEscape = s.indexOf('_x', textStart);
					const plain = (nextReference < 0 || nextReference > textEnd) && (nextEscape < 0 || nextEscape > textEnd);
					if (pieceIndex >= 0) this.add(pieceIndex, textStart, textEnd, undefined, !plain);
					else this.add(-1, 0, 0, plain ? s.slice(textStart, textEnd) : decodeXmlText(s.slice(textStart, textEnd), true));
					position = textEnd + 9;
					continue;
				}
			}
			const gt = s.indexOf('>', open);
			if (gt < 0) return open;
			if (s.charCodeAt(gt - 1) === 47 /* <si/> */) {
				this.add(-1, 0, 0, '');
				position = gt + 1;
				continue;
			}
			const close = s.indexOf('</si>', gt + 1);
			if (close < 0) return open;
			this.add(-1, 0, 0, collectText(s.slice(gt + 1, close)));
			position = close + 5;
		}
	}
}

/**
 * Loads the shared strings, streaming the part. The bytes are decoded a megabyte at a time: strings that large
 * are allocated where the garbage collector does not copy them, which matters as they are kept to the end.
 */
export async function loadSharedStrings(zip: ZipArchive, entry: ZipEntry, signal?: AbortSignal): Promise<SharedStringsParser> {
	const parser = new SharedStringsParser();
	for await (const text of decodeChunks(readEntryChunks(zip, entry), 'utf-8', SHARED_PIECE_BYTES)) {
		if (signal?.aborted) return parser;
		parser.push(text);
	}
	parser.finish();
	return parser;
}

/** No cell or tag comes near this (Excel caps a cell at 32,767 characters); an element that long is damage. */
const MAX_ELEMENT_CHARS = 16 * 1024 * 1024;
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
		() => new ResultFileError(`The worksheet holds an element of more than 16 million characters, so it is damaged. ${DOWNLOAD_AGAIN}`),
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
			if (s.charCodeAt(contentStart + 1) === 105 /* i */ && s.charCodeAt(contentStart + 5) === 116 /* t */ && s.charCodeAt(contentStart + 6) === 62) {
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
			if (s.charCodeAt(valueEnd + 2) === 118 /* v */ && s.charCodeAt(valueEnd + 5) === 47 && s.charCodeAt(valueEnd + 6) === 99 /* c */) {
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
