/**
 * Phone numbers in any human format to E.164 (`+41798284651`), the format the eKYCPro upload file needs.
 *
 * Every step returns a `Normalised`: the number in E.164 (a string), or a `Rejection` that says why the value is not
 * one. An accepted number costs no object, and one that came in clean is returned as the very string given. (An
 * `{ ok, e164 }` object per number made a million clean numbers allocate about 40 % more, counted with --trace-gc;
 * `normalisePhoneNumber` gives that form to callers outside this folder.)
 */

import { callingCodeLength } from './callingCodes';
import { COUNTRIES, findCountry, type CountryInfo } from './countries';
import { E164_MAX_DIGITS, isTypicalNationalNumber, minimumTotalDigits, nationalNumberProblem } from './plausibility';

/** A phone number in E.164: `+`, the country code and the national number (`+41798284651`). */
export type E164 = string;

/** Why a value is not a phone number: a sentence the user can act on. */
export class Rejection {
	constructor(readonly reason: string) {}
}

/**
 * What the normaliser makes of a value: the number in E.164, or why it is not one. Tell them apart with
 * `typeof result === 'string'`, which TypeScript narrows; on the hot path it is cheaper than `instanceof`.
 */
export type Normalised = E164 | Rejection;

/** The same for callers outside this folder, as plain data. */
export type NormaliseResult =
	| { readonly ok: true; readonly e164: string }
	| { readonly ok: false; readonly reason: string };

/**
 * A helper rather than `new Rejection` at each return: with the latter V8 inlined less, and a million clean numbers
 * allocated 10 % more (--trace-gc).
 */
function rejected(reason: string): Rejection {
	return new Rejection(reason);
}

const PLUS = 43;
const DIGIT_0 = 48;
const DIGIT_9 = 57;

/** Longest input looked at: far beyond any formatted number, short enough that no regular expression can stall. */
const MAX_INPUT_LENGTH = 200;

const REASON_EMPTY = 'The number is empty.';
const REASON_NO_COUNTRY =
	'The number has no country code: set Default Country, or give numbers with + and the country code.';
const REASON_EXTENSION = 'Extensions (ext, x, #) are not supported: give the number without its extension.';
const REASON_PLUS_PLACE = 'The + sign can only come first, before the country code.';
const REASON_SEVERAL_NUMBERS = 'The value seems to hold more than one number: give one number per item or line.';
const REASON_PLUS_ONLY = 'The number has a + but no digits.';
const REASON_ZERO_COUNTRY_CODE = 'A country code cannot start with 0: check the digits after the + or 00.';
const REASON_TOO_LONG = 'Too long: a phone number has at most 15 digits with the country code (E.164).';
const REASON_SCIENTIFIC =
	'The number is in scientific notation (like 4.18E+10), which has lost digits: format the spreadsheet column as text.';
const REASON_SPREADSHEET_HINT =
	' Spreadsheet numbers lose their + and leading 0: ' +
	'set Default Country, or store numbers as text with + and the country code.';

/*
 * Characters that separate digit groups and are dropped: all Unicode spaces, zero-width and direction marks (copied
 * from phones and web pages), dashes and minus signs, dots, slashes, parentheses and brackets, fullwidth forms.
 */
const SEPARATORS =
	/[\s\u00AD\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF\-\u2010-\u2015\u2212\uFE58\uFE63\uFF0D.\u00B7\u2024\uFF0E/\u2044\u2215\uFF0F()[\]\uFF08\uFF09\uFF3B\uFF3D]/g;
/** Characters around a value that are not part of it: spaces, marks, quotes (Excel's leading apostrophe). */
const WRAPPING =
	/^[\s\u200B-\u200F\u202A-\u202E\u2060-\u2069\uFEFF"'`\u2018\u2019\u201C\u201D]+|[\s\u200B-\u200F\u202A-\u202E\u2060-\u2069\uFEFF"'`\u2018\u2019\u201C\u201D]+$/g;
/** `+44 (0)20 ...`: the trunk 0 in brackets is not dialled from abroad. */
const BRACKETED_TRUNK_ZERO = /\(\s*0\s*\)/g;
const TEL_PREFIX = /^tel:\s*/i;
/** Plain ASCII formatting, handled without the Unicode clean-up: optional leading `+`, digits and separators. */
const SIMPLE_FORMATTED = /^ *\+?[0-9 ()\-./]{1,40}$/;
const SIMPLE_SEPARATORS = /[ ()\-./]/g;
/** After separators are gone: digits, then an extension marker, then digits. */
const EXTENSION = /^\+?[0-9]+(?:;?ext(?:ension)?[=:]?|[x#,;pw])[0-9]+#?$/i;
/** `41798284651.0`: how some tools write a whole number taken from a spreadsheet. */
const TRAILING_POINT_ZERO = /^(\+?[0-9]+)\.0+$/;
const SCIENTIFIC = /^[0-9](?:[.,][0-9]+)?\s*e\s*\+?[0-9]+$/i;
const LETTER = /\p{L}/u;

/** Digits of other scripts (fullwidth, Arabic-Indic, Persian, Devanagari, Bengali, Thai, Myanmar): their 0. */
const DIGIT_ZEROS = [0xff10, 0x0660, 0x06f0, 0x0966, 0x09e6, 0x0e50, 0x1040];
const NON_ASCII_DIGIT =
	/[\uFF10-\uFF19\u0660-\u0669\u06F0-\u06F9\u0966-\u096F\u09E6-\u09EF\u0E50-\u0E59\u1040-\u1049\uFF0B\u2795]/g;
const NON_ASCII = /[\u0080-\uFFFF]/;

function toAsciiDigit(character: string): string {
	const code = character.charCodeAt(0);
	if (code === 0xff0b || code === 0x2795) return '+';
	for (const zero of DIGIT_ZEROS) {
		if (code >= zero && code <= zero + 9) return String.fromCharCode(DIGIT_0 + code - zero);
	}
	return character;
}

/** Calling codes whose countries all use the trunk prefix 0, so their national numbers never start with 0. */
const TRUNK_ZERO_CALLING_CODES = (() => {
	const byCode = new Map<string, boolean>();
	for (const country of COUNTRIES) {
		const usesZero = country.trunkPrefixes.some((trunk) => trunk.prefix === '0' && trunk.minFollowing === undefined);
		byCode.set(country.callingCode, (byCode.get(country.callingCode) ?? true) && usesZero);
	}
	return new Set([...byCode].filter(([, usesZero]) => usesZero).map(([code]) => code));
})();

function isAllDigits(text: string, start: number): boolean {
	if (start >= text.length) return false;
	for (let i = start; i < text.length; i++) {
		const code = text.charCodeAt(i);
		if (code < DIGIT_0 || code > DIGIT_9) return false;
	}
	return true;
}

/**
 * `digits` (ASCII digits, no `+`) start with a calling code. `source` is `'+' + digits` when the caller has that
 * string already (returned as is, no new string), or undefined.
 */
function fromInternational(digits: string, source: string | undefined): Normalised {
	if (digits.charCodeAt(0) === DIGIT_0) return rejected(REASON_ZERO_COUNTRY_CODE);
	const codeLength = callingCodeLength(digits);
	if (codeLength === 0) {
		return rejected(`The country code +${digits.slice(0, 3)} does not exist: check the digits after the + or 00.`);
	}
	const callingCode = digits.slice(0, codeLength);
	if (digits.charCodeAt(codeLength) === DIGIT_0 && TRUNK_ZERO_CALLING_CODES.has(callingCode)) {
		// `+44 07911 123456`: the national trunk 0 kept after the country code, never dialled from abroad.
		return fromParts(callingCode, digits.slice(codeLength + 1), undefined);
	}
	return fromParts(callingCode, digits.slice(codeLength), source);
}

/**
 * Argentina writes mobile numbers nationally as area code, `15`, number (`11 15 2345 6789`), and internationally
 * as `+54 9`, area code, number. Area codes are `11` or 3-4 digits starting with 2 or 3, so at most one place fits.
 */
function argentineMobile(nationalNumber: string): string | undefined {
	if (nationalNumber.length !== 12) return undefined;
	if (nationalNumber.startsWith('11')) {
		return nationalNumber.startsWith('15', 2) ? `911${nationalNumber.slice(4)}` : undefined;
	}
	const first = nationalNumber[0];
	if (first !== '2' && first !== '3') return undefined;
	for (const areaCodeLength of [3, 4]) {
		if (nationalNumber.startsWith('15', areaCodeLength)) {
			return `9${nationalNumber.slice(0, areaCodeLength)}${nationalNumber.slice(areaCodeLength + 2)}`;
		}
	}
	return undefined;
}

function fromParts(callingCode: string, nationalNumber: string, source: string | undefined): Normalised {
	if (callingCode === '54') {
		const mobile = argentineMobile(nationalNumber);
		if (mobile !== undefined) return fromParts(callingCode, mobile, undefined);
	}
	const total = callingCode.length + nationalNumber.length;
	if (total > E164_MAX_DIGITS) {
		return rejected(
			`Too long: a phone number has at most 15 digits with the country code (E.164), this one has ${total}.`,
		);
	}
	const minimum = minimumTotalDigits(callingCode);
	if (total < minimum) {
		return rejected(
			`Too short: a phone number has at least ${minimum} digits with the country code, this one has ${total}.`,
		);
	}
	const problem = nationalNumberProblem(callingCode, nationalNumber);
	if (problem !== undefined) return rejected(problem);
	return source ?? `+${callingCode}${nationalNumber}`;
}

/**
 * Digits with neither `+` nor an international prefix: a national number of `country`, or digits that lost their
 * `+` (typed that way, or a spreadsheet number cell).
 */
function fromNational(digits: string, country: CountryInfo): Normalised {
	const result = readNational(digits, country);
	if (typeof result === 'string') return result;
	return rejected(
		`${result.reason} It was completed with +${country.callingCode} from Default Country ${country.name}; ` +
			'give other numbers with + and the country code.',
	);
}

function isAcceptedNationalNumber(callingCode: string, nationalNumber: string): boolean {
	const total = callingCode.length + nationalNumber.length;
	return (
		total >= minimumTotalDigits(callingCode) &&
		total <= E164_MAX_DIGITS &&
		nationalNumberProblem(callingCode, nationalNumber) === undefined
	);
}

/** `digits` start with the country's calling code: is `international` (the rest) the number meant? */
function readsAsInternational(digits: string, international: string, country: CountryInfo): boolean {
	const callingCode = country.callingCode;
	const internationalTypical = isTypicalNationalNumber(callingCode, international);
	const nationalTypical = isTypicalNationalNumber(callingCode, digits);
	if (internationalTypical !== nationalTypical) return internationalTypical;
	// Both usual: a country with a trunk prefix would have written a national number with it.
	if (internationalTypical) return country.trunkPrefixes.length > 0;
	// Neither usual: the reading whose length the country accepts at all.
	return isAcceptedNationalNumber(callingCode, international) && !isAcceptedNationalNumber(callingCode, digits);
}

function readNational(digits: string, country: CountryInfo): Normalised {
	const callingCode = country.callingCode;
	for (const trunk of country.trunkPrefixes) {
		if (!digits.startsWith(trunk.prefix)) continue;
		const following = digits.length - trunk.prefix.length;
		if (
			trunk.minFollowing === undefined ||
			(following >= trunk.minFollowing && following <= (trunk.maxFollowing ?? 0))
		) {
			return fromParts(callingCode, digits.slice(trunk.prefix.length), undefined);
		}
	}
	if (digits.length > callingCode.length && digits.startsWith(callingCode)) {
		// `41798284651` with Default Country CH: the + went missing, or is it a national number? Brazil writes
		// `(55) 92895-2537` without its trunk 0, Italy `393 123 4567`: decide by the lengths, see below.
		const international = digits.slice(callingCode.length);
		if (readsAsInternational(digits, international, country)) {
			return fromParts(callingCode, international, undefined);
		}
	}
	return fromParts(callingCode, digits, undefined);
}

/** Digits without `+`, from text: international prefix, else national. */
function fromDigits(digits: string, country: CountryInfo | undefined): Normalised {
	if (country === undefined) {
		if (digits.charCodeAt(0) === DIGIT_0 && digits.charCodeAt(1) === DIGIT_0) {
			return fromInternational(digits.slice(2), undefined);
		}
		return rejected(REASON_NO_COUNTRY);
	}
	for (const prefix of country.iddPrefixes) {
		if (digits.startsWith(prefix)) return fromInternational(digits.slice(prefix.length), undefined);
	}
	return fromNational(digits, country);
}

function whyNotAPhoneNumber(compact: string): string {
	if (EXTENSION.test(compact)) return REASON_EXTENSION;
	const letter = LETTER.exec(compact);
	if (letter !== null) {
		return `The number contains letters ("${letter[0]}"): a phone number has only digits and an optional leading +.`;
	}
	for (let i = compact.charCodeAt(0) === PLUS ? 1 : 0; i < compact.length; i++) {
		const code = compact.charCodeAt(i);
		if (code === PLUS) return i >= 7 ? REASON_SEVERAL_NUMBERS : REASON_PLUS_PLACE;
		if (code < DIGIT_0 || code > DIGIT_9) {
			return `The number contains "${compact[i]}", which is not part of a phone number.`;
		}
	}
	return REASON_EMPTY;
}

function fromText(text: string, country: CountryInfo | undefined): Normalised {
	// Fast path: `+41798284651` or `0798284651` as they come from a clean source.
	const first = text.charCodeAt(0);
	if (first === PLUS && isAllDigits(text, 1)) return fromInternational(text.slice(1), text);
	if (first >= DIGIT_0 && first <= DIGIT_9 && isAllDigits(text, 0)) return fromDigits(text, country);

	// Common path: ASCII digits with the usual separators (`079 828 46 51`, `+1 (415) 555-2671`).
	if (SIMPLE_FORMATTED.test(text) && !(text.indexOf('.') !== -1 && TRAILING_POINT_ZERO.test(text))) {
		const withoutTrunkZero = text.indexOf('(0') === -1 ? text : text.replace(BRACKETED_TRUNK_ZERO, '');
		const compact = withoutTrunkZero.replace(SIMPLE_SEPARATORS, '');
		if (compact.length > 0 && isAllDigits(compact, 0)) return fromDigits(compact, country);
		if (compact.length > 1 && compact.charCodeAt(0) === PLUS && isAllDigits(compact, 1)) {
			return fromInternational(compact.slice(1), compact);
		}
	}

	if (text.length > MAX_INPUT_LENGTH) {
		return rejected(`The value is ${text.length} characters long, far too long for a phone number.`);
	}
	let cleaned = text;
	if (NON_ASCII.test(cleaned)) cleaned = cleaned.replace(NON_ASCII_DIGIT, toAsciiDigit);
	cleaned = cleaned.replace(WRAPPING, '').replace(TEL_PREFIX, '');
	const pointZero = TRAILING_POINT_ZERO.exec(cleaned);
	if (pointZero !== null) cleaned = pointZero[1];
	if (SCIENTIFIC.test(cleaned)) return rejected(REASON_SCIENTIFIC);
	const compact = cleaned.replace(BRACKETED_TRUNK_ZERO, '').replace(SEPARATORS, '');
	if (compact.length === 0) return rejected(REASON_EMPTY);
	const hasPlus = compact.charCodeAt(0) === PLUS;
	if (hasPlus && compact.length === 1) return rejected(REASON_PLUS_ONLY);
	if (!isAllDigits(compact, hasPlus ? 1 : 0)) return rejected(whyNotAPhoneNumber(compact));
	return hasPlus ? fromInternational(compact.slice(1), compact) : fromDigits(compact, country);
}

/** A whole number from a spreadsheet: its `+` (and any leading 0) is gone. */
function fromSpreadsheetNumber(value: number, country: CountryInfo | undefined): Normalised {
	if (!Number.isFinite(value)) return rejected('The value is not a finite number, so it is not a phone number.');
	if (!Number.isInteger(value)) {
		return rejected(`The value ${value} has decimals, so it is not a phone number: store phone numbers as text.`);
	}
	if (value <= 0) return rejected(`The value ${value} is not a phone number: it must be a positive whole number.`);
	if (value >= 1e15) return rejected(REASON_TOO_LONG);
	// Below 1e21 a whole number prints without an exponent.
	return fromSpreadsheetDigits(String(value), country);
}

function fromSpreadsheetDigits(digits: string, country: CountryInfo | undefined): Normalised {
	if (country !== undefined) return fromNational(digits, country);
	// No Default Country: a number cell cannot hold a +, so read it as a number that lost its +.
	const result = fromInternational(digits, undefined);
	return typeof result === 'string' ? result : rejected(result.reason + REASON_SPREADSHEET_HINT);
}

/** Core of the module: a value as it came (text, a spreadsheet number) to E.164, or the reason it cannot be. */
export function normaliseToE164(raw: unknown, country: CountryInfo | undefined): Normalised {
	if (typeof raw === 'string') return raw.length === 0 ? rejected(REASON_EMPTY) : fromText(raw, country);
	if (typeof raw === 'number') return fromSpreadsheetNumber(raw, country);
	if (typeof raw === 'bigint') {
		if (raw <= 0n) return rejected(`The value ${raw} is not a phone number: it must be a positive whole number.`);
		const digits = raw.toString();
		if (digits.length > E164_MAX_DIGITS) return rejected(REASON_TOO_LONG);
		return fromSpreadsheetDigits(digits, country);
	}
	if (raw === null || raw === undefined) return rejected(REASON_EMPTY);
	const kind = Array.isArray(raw) ? 'a list' : typeof raw === 'object' ? 'an object' : `a ${typeof raw}`;
	return rejected(`The value is ${kind}, not a phone number: give text or a number.`);
}

/**
 * Resolves a Default Country given as an ISO 3166-1 alpha-2 code (`DE`, `de`). Empty or missing means none.
 * Returns a reason string when the code is unknown.
 */
export function resolveDefaultCountry(defaultCountry: unknown): CountryInfo | undefined | string {
	if (defaultCountry === undefined || defaultCountry === null) return undefined;
	if (typeof defaultCountry !== 'string') {
		return 'Default Country must be a two-letter country code such as DE.';
	}
	if (defaultCountry.trim() === '') return undefined;
	return (
		findCountry(defaultCountry) ??
		`Default Country "${defaultCountry}" is not a known two-letter country code (ISO 3166-1, such as DE).`
	);
}

/**
 * Normalises one phone number to E.164.
 *
 * @param raw text in any common format (`+41 79 828 46 51`, `0041 79…`, `tel:+41…`, `079 828 46 51`) or a whole
 *   number from a spreadsheet (`41798284651`)
 * @param defaultCountry ISO 3166-1 alpha-2 code used to complete national numbers (`CH`); optional
 */
export function normalisePhoneNumber(raw: unknown, defaultCountry?: string): NormaliseResult {
	const country = resolveDefaultCountry(defaultCountry);
	if (typeof country === 'string') return { ok: false, reason: country };
	const result = normaliseToE164(raw, country);
	return typeof result === 'string' ? { ok: true, e164: result } : { ok: false, reason: result.reason };
}
