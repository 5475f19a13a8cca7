/** Text helpers shared by the XLSX and CSV readers: streaming UTF-8 decoding, carried text, XML text decoding. */
import { ResultFileError } from './errors';

/**
 * How many leading bytes of `bytes` end on a UTF-8 character boundary: all of them, unless the last character is
 * cut short (its remaining bytes come in the next chunk).
 */
export function completeUtf8Length(bytes: Uint8Array): number {
	const length = bytes.length;
	let lead = length - 1;
	while (lead >= 0 && length - lead < 4 && (bytes[lead] & 0xc0) === 0x80) lead--;
	if (lead < 0) return length;
	const first = bytes[lead];
	const needed = first >= 0xf0 ? 4 : first >= 0xe0 ? 3 : first >= 0xc0 ? 2 : 1;
	return length - lead < needed ? lead : length;
}

/** UTF-8 bytes to text. Buffer's decoder is several times faster than TextDecoder on Node for large inputs. */
export function decodeUtf8(bytes: Uint8Array, start = 0, end = bytes.length): string {
	return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8', start, end);
}

/**
 * Bytes decoded at a time by decodeChunks: the inflater hands out 16 KiB pieces, and gathering a few of them
 * divides the per-piece work of every stage after it, while the text stays under V8's large-object size (so it
 * is collected young).
 */
const DECODE_BYTES = 64 * 1024;

/**
 * Decodes byte chunks to string chunks of about `pieceBytes` (default DECODE_BYTES). A character cut between two
 * chunks is completed from the next one; a byte order mark at the start is dropped. UTF-16 (for text exports) goes
 * through TextDecoder.
 */
export async function* decodeChunks(
	chunks: AsyncIterable<Uint8Array>,
	encoding = 'utf-8',
	pieceBytes = DECODE_BYTES,
): AsyncGenerator<string> {
	if (encoding !== 'utf-8') {
		const decoder = new TextDecoder(encoding);
		for await (const chunk of chunks) {
			const text = decoder.decode(chunk, { stream: true });
			if (text.length > 0) yield text;
		}
		const rest = decoder.decode();
		if (rest.length > 0) yield rest;
		return;
	}
	const buffer = new Uint8Array(pieceBytes);
	let filled = 0;
	let first = true;
	const decode = (bytes: Uint8Array, end: number): string => {
		let text = decodeUtf8(bytes, 0, end);
		if (first && text.length > 0) {
			if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
			first = false;
		}
		return text;
	};
	for await (const chunk of chunks) {
		if (filled === 0 && chunk.length >= pieceBytes) {
			// A large chunk is decoded as it is, but for a character cut at its end.
			const complete = completeUtf8Length(chunk);
			const text = decode(chunk, complete);
			buffer.set(chunk.subarray(complete));
			filled = chunk.length - complete;
			if (text.length > 0) yield text;
			continue;
		}
		let offset = 0;
		while (offset < chunk.length) {
			const count = Math.min(chunk.length - offset, buffer.length - filled);
			buffer.set(chunk.subarray(offset, offset + count), filled);
			filled += count;
			offset += count;
			if (filled === buffer.length) {
				const complete = completeUtf8Length(buffer);
				const text = decode(buffer, complete);
				buffer.copyWithin(0, complete, filled);
				filled -= complete;
				if (text.length > 0) yield text;
			}
		}
	}
	if (filled > 0) {
		const text = decode(buffer, filled);
		if (text.length > 0) yield text;
	}
}

/** Left-over text above this size is retried only once it has doubled (see CarryOver). */
const SMALL_CARRY = 64 * 1024;

/**
 * Text left over between chunks while an element (a CSV record, an XML cell) is incomplete. The usual left-over,
 * a few characters, is parsed again with the next chunk. A large one is parsed again only once it has doubled, so
 * an element that never ends (an unmatched quote) costs linear time instead of a full rescan per chunk; one longer
 * than `limit` characters is reported as damage.
 */
export class CarryOver {
	private parts: string[] = [];
	private length = 0;
	private retryAt = 0;

	constructor(
		private readonly limit: number,
		private readonly tooLong: () => ResultFileError,
	) {}

	/** Adds a chunk; returns the text to parse now, or undefined to wait for more. */
	take(chunk: string, final: boolean): string | undefined {
		if (chunk.length > 0) {
			this.parts.push(chunk);
			this.length += chunk.length;
		}
		if (!final && this.length < this.retryAt) return undefined;
		const text = this.parts.length === 1 ? this.parts[0] : this.parts.join('');
		this.parts = [];
		this.length = 0;
		return text;
	}

	/** Keeps what `text` holds from `stop` on for the next chunk. */
	keep(text: string, stop: number): void {
		this.retryAt = 0;
		if (stop >= text.length) return;
		const rest = stop === 0 ? text : text.slice(stop);
		if (rest.length > this.limit) throw this.tooLong();
		this.parts = [rest];
		this.length = rest.length;
		// Retry once the text has doubled, and at the latest once it passes the limit, to report it then.
		if (rest.length > SMALL_CARRY) this.retryAt = Math.min(rest.length * 2, this.limit + 1);
	}
}

const NAMED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function codePointText(codePoint: number): string | undefined {
	if (!Number.isFinite(codePoint) || codePoint < 0 || codePoint > 0x10ffff) return undefined;
	return String.fromCodePoint(codePoint);
}

/** Replaces XML character and entity references (`&amp;`, `&#43;`, `&#x2B;`); unknown references stay as written. */
export function decodeXmlEntities(text: string): string {
	let ampersand = text.indexOf('&');
	if (ampersand < 0) return text;
	let result = '';
	let copied = 0;
	while (ampersand >= 0) {
		const semicolon = text.indexOf(';', ampersand + 1);
		if (semicolon < 0) break;
		const name = text.slice(ampersand + 1, semicolon);
		let replacement: string | undefined;
		if (name.charCodeAt(0) === 35 /* # */) {
			const isHex = name.charCodeAt(1) === 120 /* x */ || name.charCodeAt(1) === 88; /* X */
			const digits = isHex ? name.slice(2) : name.slice(1);
			if (digits.length > 0 && (isHex ? /^[0-9a-fA-F]+$/ : /^[0-9]+$/).test(digits)) {
				replacement = codePointText(parseInt(digits, isHex ? 16 : 10));
			}
		} else {
			replacement = NAMED_ENTITIES[name];
		}
		if (replacement !== undefined) {
			result += text.slice(copied, ampersand) + replacement;
			copied = semicolon + 1;
		}
		ampersand = text.indexOf('&', replacement !== undefined ? semicolon + 1 : ampersand + 1);
	}
	return copied === 0 ? text : result + text.slice(copied);
}

const OOXML_ESCAPE = /_x([0-9A-Fa-f]{4})_/g;

/**
 * Decodes the text content of a `<t>` or `<v>` element: CDATA sections, XML references, and the `_xHHHH_`
 * escapes Excel uses for control characters in strings (`_x005F_` being a literal underscore).
 */
export function decodeXmlText(raw: string, ooxmlEscapes: boolean): string {
	// Text content cannot hold a raw `<` except inside a CDATA section.
	if (raw.indexOf('<') >= 0) return decodeWithCdata(raw, ooxmlEscapes);
	return decodeReferences(raw, ooxmlEscapes);
}

function decodeReferences(raw: string, ooxmlEscapes: boolean): string {
	let text = raw;
	if (text.indexOf('&') >= 0) text = decodeXmlEntities(text);
	if (ooxmlEscapes && text.indexOf('_x') >= 0) {
		text = text.replace(OOXML_ESCAPE, (_match, hex: string) => String.fromCharCode(parseInt(hex, 16)));
	}
	return text;
}

function decodeWithCdata(raw: string, ooxmlEscapes: boolean): string {
	let result = '';
	let position = 0;
	for (;;) {
		const open = raw.indexOf('<![CDATA[', position);
		if (open < 0) {
			result += decodeReferences(raw.slice(position), ooxmlEscapes);
			return result;
		}
		result += decodeReferences(raw.slice(position, open), ooxmlEscapes);
		const close = raw.indexOf(']]>', open + 9);
		const end = close < 0 ? raw.length : close;
		result += raw.slice(open + 9, end);
		position = close < 0 ? raw.length : close + 3;
	}
}

/** The value of attribute `name` inside a tag's text (between `<name` and `>`), or undefined. */
export function readAttribute(tag: string, name: string): string | undefined {
	let from = 0;
	for (;;) {
		const at = tag.indexOf(name, from);
		if (at < 0) return undefined;
		from = at + name.length;
		const before = tag.charCodeAt(at - 1);
		// The name must start the attribute (after whitespace or a namespace prefix) and be followed by `=`.
		if (before !== 32 && before !== 9 && before !== 10 && before !== 13 && before !== 58 /* : */) continue;
		let index = at + name.length;
		while (tag.charCodeAt(index) === 32) index++;
		if (tag.charCodeAt(index) !== 61 /* = */) continue;
		index++;
		while (tag.charCodeAt(index) === 32) index++;
		const quote = tag.charCodeAt(index);
		if (quote !== 34 && quote !== 39) continue;
		const end = tag.indexOf(quote === 34 ? '"' : "'", index + 1);
		if (end < 0) return undefined;
		return decodeXmlEntities(tag.slice(index + 1, end));
	}
}

/** Every element `<prefix:local ...>` (any prefix) in a small XML document, as its attribute text. */
export function findElements(xml: string, local: string): string[] {
	const pattern = new RegExp(`<(?:[A-Za-z_][\\w.-]*:)?${local}(?=[\\s/>])([^>]*)>`, 'g');
	const found: string[] = [];
	for (const match of xml.matchAll(pattern)) found.push(match[1]);
	return found;
}
