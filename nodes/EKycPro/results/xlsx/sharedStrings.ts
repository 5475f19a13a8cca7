/**
 * The shared strings part (`xl/sharedStrings.xml`): every distinct text of the workbook, which string cells refer to
 * by index. It is parsed as it inflates and kept until the worksheet has been read.
 */
import { DOWNLOAD_AGAIN, ResultFileError } from '../errors';
import { decodeChunks, decodeXmlText, readAttribute } from '../text';
import { readEntryChunks, type ZipArchive, type ZipEntry } from '../zip';
import { collectText, isNameEnd as nameEndTest, MAX_ELEMENT_CHARS, rootPrefix, stripPrefix } from './markup';

// Bound once: called for every item, where a call through the imported module would cost a property load each time.
const isNameEnd = nameEndTest;

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
					throw new ResultFileError(
						`The shared strings of the workbook hold an item of more than 16 million characters, so it is damaged. ${DOWNLOAD_AGAIN}`,
					);
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
		const declared = Number(
			readAttribute(head.slice(root, end), 'uniqueCount') ?? readAttribute(head.slice(root, end), 'count'),
		);
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
			if (
				after === 62 &&
				s.charCodeAt(open + 4) === 60 &&
				s.charCodeAt(open + 5) === 116 /* t */ &&
				s.charCodeAt(open + 6) === 62
			) {
				// The common item: `<si><t>text</t></si>`.
				const textStart = open + 7;
				const textEnd = s.indexOf('<', textStart);
				if (textEnd < 0 || textEnd + 9 > length) return open;
				// The text ends at its `</t>`, which in well-formed XML is followed by `</si>` or a phonetic run.
				if (
					s.charCodeAt(textEnd + 2) === 116 /* t */ &&
					s.charCodeAt(textEnd + 5) === 47 &&
					s.charCodeAt(textEnd + 6) === 115 /* s */
				) {
					if (nextReference >= 0 && nextReference < textStart) nextReference = s.indexOf('&', textStart);
					if (nextEscape >= 0 && nextEscape < textStart) nextEscape = s.indexOf('_x', textStart);
					const plain = (nextReference < 0 || nextReference > textEnd) && (nextEscape < 0 || nextEscape > textEnd);
					if (pieceIndex >= 0) this.add(pieceIndex, textStart, textEnd, undefined, !plain);
					else
						this.add(-1, 0, 0, plain ? s.slice(textStart, textEnd) : decodeXmlText(s.slice(textStart, textEnd), true));
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
export async function loadSharedStrings(
	zip: ZipArchive,
	entry: ZipEntry,
	signal?: AbortSignal,
): Promise<SharedStringsParser> {
	const parser = new SharedStringsParser();
	for await (const text of decodeChunks(readEntryChunks(zip, entry), 'utf-8', SHARED_PIECE_BYTES)) {
		if (signal?.aborted) return parser;
		parser.push(text);
	}
	parser.finish();
	return parser;
}
