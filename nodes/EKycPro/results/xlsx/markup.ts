/**
 * What the workbook parts' parsers share: the document's namespace prefix, tag-name tests, and the text of a string
 * item (shared string or inline string). Plain functions of a string, called from the parsers' loops.
 */
import { decodeXmlText } from '../text';

/** No cell or tag comes near this (Excel caps a cell at 32,767 characters); an element that long is damage. */
export const MAX_ELEMENT_CHARS = 16 * 1024 * 1024;

/** Namespace prefix of the document element (`x:` in `<x:worksheet>`), found in the first chunk(s). */
export function rootPrefix(text: string): string | undefined {
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
export function stripPrefix(text: string, prefix: string): string {
	return prefix.length === 0 ? text : text.replaceAll(`<${prefix}`, '<').replaceAll(`</${prefix}`, '</');
}

/** True when `s` holds `pattern` at `position` (a char-by-char check, cheaper than startsWith in hot loops). */
export function matchesAt(s: string, position: number, pattern: string): boolean {
	for (let index = 0; index < pattern.length; index++) {
		if (s.charCodeAt(position + index) !== pattern.charCodeAt(index)) return false;
	}
	return true;
}

export function isNameEnd(code: number): boolean {
	return code === 62 /* > */ || code === 32 || code === 47 /* / */ || code === 9 || code === 10 || code === 13;
}

/** True when a chunk holds anything that text decoding must act on (references or `_xHHHH_` escapes). */
export function needsDecoding(s: string): boolean {
	return s.indexOf('&') >= 0 || s.indexOf('_x') >= 0;
}

/**
 * The text of a shared string item or inline string (`content` is what lies between its tags): the `<t>` elements,
 * rich text runs concatenated, phonetic runs (`<rPh>`) left out.
 */
export function collectText(content: string): string {
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
