/**
 * Splits a typed list of numbers. Newlines, commas, semicolons and tabs always separate. Spaces separate only
 * when every space-separated part is a whole number on its own (`+41798284651 +4915112345678`), or at each `+`
 * (`+41 79 828 46 51 +49 151 1234 5678`); otherwise a line such as `+1 415 555 2671` stays one number.
 * Parts are returned as written (trimmed), so the normaliser sees and reports exactly what the user typed.
 */

/** `;ext=` belongs to a `tel:` number, so a semicolon before it does not separate. */
const HARD_SEPARATORS = /[\r\n\t,\u0085\u2028\u2029]+|;(?!\s*ext\s*=)/i;
const WHITESPACE = /\s/;
/** Runs of characters other than white space (Unicode aware: a no-break space separates too). */
const TOKEN = /\S+/g;
/** A part that is a whole number by itself: at least 7 digits and only number characters. */
const WHOLE_NUMBER_PART = /^(?:tel:)?\+?\(?(?:[0-9][-./()]?){7,}$/i;
const NUMBER_START = /^(?:\+|tel:)/i;

const LATER_NUMBER_START = /.(?:\+|tel:)/i;
const FIRST_WHITESPACE = /\s/;

function splitLine(line: string, into: string[]): void {
	// Common case, `+1 415 555 2671` on its own line: the first part is not a whole number and no other part
	// starts a number, so the line is one number.
	if (!LATER_NUMBER_START.test(line)) {
		const firstPart = line.slice(0, FIRST_WHITESPACE.exec(line)?.index ?? line.length);
		if (!WHOLE_NUMBER_PART.test(firstPart)) {
			into.push(line);
			return;
		}
	}
	const tokens: Array<{ text: string; start: number; end: number }> = [];
	for (const match of line.matchAll(TOKEN)) {
		tokens.push({ text: match[0], start: match.index ?? 0, end: (match.index ?? 0) + match[0].length });
	}
	if (tokens.every((token) => WHOLE_NUMBER_PART.test(token.text))) {
		for (const token of tokens) into.push(token.text);
		return;
	}
	// Otherwise a new number starts only at a `+` (or `tel:`); the text between is kept as written.
	let groupStart = tokens[0].start;
	for (let i = 1; i < tokens.length; i++) {
		if (NUMBER_START.test(tokens[i].text)) {
			into.push(line.slice(groupStart, tokens[i - 1].end));
			groupStart = tokens[i].start;
		}
	}
	into.push(line.slice(groupStart, tokens[tokens.length - 1].end));
}

export function splitNumberList(text: string): string[] {
	const numbers: string[] = [];
	if (typeof text !== 'string') return numbers;
	for (const piece of text.split(HARD_SEPARATORS)) {
		const trimmed = piece.trim();
		if (trimmed === '') continue;
		if (WHITESPACE.test(trimmed)) splitLine(trimmed, numbers);
		else numbers.push(trimmed);
	}
	return numbers;
}
