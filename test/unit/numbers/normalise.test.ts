import {
	COUNTRY_OPTIONS,
	findCountry,
	isAssignedCallingCode,
	normalisePhoneNumber,
} from '../../../nodes/EKycPro/numbers';
import { Rejection, normaliseToE164 } from '../../../nodes/EKycPro/numbers/normalise';

/** [input, Default Country, expected E.164] */
type Accepted = [unknown, string | undefined, string];

const ACCEPTED: Record<string, Accepted[]> = {
	Switzerland: [
		['+41798284651', undefined, '+41798284651'],
		['+41 79 828 46 51', undefined, '+41798284651'],
		['079 828 46 51', 'CH', '+41798284651'],
		['079/828.46.51', 'CH', '+41798284651'],
		['0041 79 828 46 51', undefined, '+41798284651'],
		['0041 79 828 46 51', 'DE', '+41798284651'],
		['tel:+41-79-828-46-51', undefined, '+41798284651'],
		['+41 (0)79 828 46 51', undefined, '+41798284651'],
		['41798284651', 'CH', '+41798284651'],
		['798284651', 'CH', '+41798284651'],
		// Lucerne landline written without its trunk 0: too short to be international, so national.
		['41 123 45 67', 'CH', '+41411234567'],
	],
	Germany: [
		['+49 151 23456789', undefined, '+4915123456789'],
		['0151 23456789', 'DE', '+4915123456789'],
		['(0151) 234 567 89', 'DE', '+4915123456789'],
		['+49 (0)30 901820', undefined, '+4930901820'],
		['030 901820', 'DE', '+4930901820'],
		['0049 30 901820', 'DE', '+4930901820'],
		['4915123456789', 'DE', '+4915123456789'],
	],
	'United Kingdom': [
		['07700 900123', 'GB', '+447700900123'],
		['+44 7700 900123', undefined, '+447700900123'],
		['+44 (0)7700 900123', undefined, '+447700900123'],
		['+44 07700 900123', undefined, '+447700900123'],
		['020 7946 0958', 'GB', '+442079460958'],
		['447700900123', 'GB', '+447700900123'],
		['07700 900123', 'gb', '+447700900123'],
	],
	France: [
		['06 12 34 56 78', 'FR', '+33612345678'],
		['06.12.34.56.78', 'FR', '+33612345678'],
		['+33 6 12 34 56 78', undefined, '+33612345678'],
		['+33 (0)6 12 34 56 78', undefined, '+33612345678'],
		['0033 6 12 34 56 78', 'FR', '+33612345678'],
	],
	'Italy (keeps its leading 0)': [
		['347 123 4567', 'IT', '+393471234567'],
		['+39 347 123 4567', undefined, '+393471234567'],
		['06 6988 1234', 'IT', '+390669881234'],
		['+39 06 6988 1234', undefined, '+390669881234'],
		['393471234567', 'IT', '+393471234567'],
		// A mobile number in the 393 range stays national.
		['393 123 4567', 'IT', '+393931234567'],
	],
	Spain: [
		['612 34 56 78', 'ES', '+34612345678'],
		['+34 612 34 56 78', undefined, '+34612345678'],
		['0034 612345678', undefined, '+34612345678'],
		['34612345678', 'ES', '+34612345678'],
	],
	'United States and Canada': [
		['(415) 555-2671', 'US', '+14155552671'],
		['415.555.2671', 'US', '+14155552671'],
		['1-415-555-2671', 'US', '+14155552671'],
		['+1 415 555 2671', undefined, '+14155552671'],
		['011 41 79 828 46 51', 'US', '+41798284651'],
		['(604) 555-0123', 'CA', '+16045550123'],
		['011 44 7700 900123', 'CA', '+447700900123'],
	],
	Brazil: [
		['(11) 98765-4321', 'BR', '+5511987654321'],
		['011 98765-4321', 'BR', '+5511987654321'],
		['+55 11 98765-4321', undefined, '+5511987654321'],
		// Trunk 0 and carrier code 21 before the area code.
		['0 21 11 98765 4321', 'BR', '+5511987654321'],
		['(21) 2345-6789', 'BR', '+552123456789'],
		// Area code 55 (Rio Grande do Sul), written without the trunk 0 as Brazilians do: still national.
		['(55) 92895-2537', 'BR', '+5555928952537'],
		['55 55 92895-2537', 'BR', '+5555928952537'],
	],
	Mexico: [
		['55 1234 5678', 'MX', '+525512345678'],
		['+52 55 1234 5678', undefined, '+525512345678'],
		['044 55 1234 5678', 'MX', '+525512345678'],
		['01 55 1234 5678', 'MX', '+525512345678'],
	],
	India: [
		['098765 43210', 'IN', '+919876543210'],
		['98765 43210', 'IN', '+919876543210'],
		['+91 98765 43210', undefined, '+919876543210'],
		['919876543210', 'IN', '+919876543210'],
	],
	Indonesia: [
		['0812-3456-7890', 'ID', '+6281234567890'],
		['+62 812 3456 7890', undefined, '+6281234567890'],
		['62 812-3456-7890', 'ID', '+6281234567890'],
	],
	Turkey: [
		['0532 123 45 67', 'TR', '+905321234567'],
		['(0532) 123 4567', 'TR', '+905321234567'],
		['+90 532 123 45 67', undefined, '+905321234567'],
	],
	China: [
		['138 0013 8000', 'CN', '+8613800138000'],
		['+86 138 0013 8000', undefined, '+8613800138000'],
		['010 1234 5678', 'CN', '+861012345678'],
		['8613800138000', 'CN', '+8613800138000'],
	],
	'Russia, Kazakhstan, Belarus': [
		['8 (916) 123-45-67', 'RU', '+79161234567'],
		['89161234567', 'RU', '+79161234567'],
		['+7 916 123-45-67', undefined, '+79161234567'],
		['79161234567', 'RU', '+79161234567'],
		['916 123 45 67', 'RU', '+79161234567'],
		['8 10 41 79 828 46 51', 'RU', '+41798284651'],
		['8 701 234 5678', 'KZ', '+77012345678'],
		['8 029 123-45-67', 'BY', '+375291234567'],
	],
	Nigeria: [
		['0803 123 4567', 'NG', '+2348031234567'],
		['+234 803 123 4567', undefined, '+2348031234567'],
		['2348031234567', 'NG', '+2348031234567'],
	],
	'South Africa': [
		['082 123 4567', 'ZA', '+27821234567'],
		['+27 82 123 4567', undefined, '+27821234567'],
		['27821234567', 'ZA', '+27821234567'],
	],
	Australia: [
		['0412 345 678', 'AU', '+61412345678'],
		['+61 412 345 678', undefined, '+61412345678'],
		['(02) 9876 5432', 'AU', '+61298765432'],
		['0011 41 79 828 46 51', 'AU', '+41798284651'],
	],
	Japan: [
		['090-1234-5678', 'JP', '+819012345678'],
		['+81 90-1234-5678', undefined, '+819012345678'],
		['03-1234-5678', 'JP', '+81312345678'],
		['010 41 79 828 46 51', 'JP', '+41798284651'],
	],
	'Singapore (no trunk prefix)': [
		['8123 4567', 'SG', '+6581234567'],
		['6123 4567', 'SG', '+6561234567'],
		['+65 8123 4567', undefined, '+6581234567'],
		['6581234567', 'SG', '+6581234567'],
	],
	'United Arab Emirates': [
		['050 123 4567', 'AE', '+971501234567'],
		['+971 50 123 4567', undefined, '+971501234567'],
		['00971501234567', undefined, '+971501234567'],
		['971501234567', 'AE', '+971501234567'],
		['٠٥٠١٢٣٤٥٦٧', 'AE', '+971501234567'],
		['+٩٧١ ٥٠ ١٢٣ ٤٥٦٧', undefined, '+971501234567'],
	],
	'Argentina (mobile 15 becomes 9)': [
		['011 15-2345-6789', 'AR', '+5491123456789'],
		['+54 9 11 2345-6789', undefined, '+5491123456789'],
		['(0351) 15-123-4567', 'AR', '+5493511234567'],
		['011 4123-4567', 'AR', '+541141234567'],
	],
	'More countries': [
		['06 30 123 4567', 'HU', '+36301234567'],
		['06 12345678', 'NL', '+31612345678'],
		['512 345 678', 'PL', '+48512345678'],
		['912 345 678', 'PT', '+351912345678'],
		['050 123 4567', 'SA', '+966501234567'],
		['010 1234 5678', 'EG', '+201012345678'],
		['0300 1234567', 'PK', '+923001234567'],
		['0917 123 4567', 'PH', '+639171234567'],
		['0712 345678', 'KE', '+254712345678'],
		['091 234 56 78', 'VN', '+84912345678'],
		['010-1234-5678', 'KR', '+821012345678'],
		['0781 234 567', 'RW', '+250781234567'],
		['+683 4002', undefined, '+6834002'],
		['+800 1234 5678', undefined, '+80012345678'],
	],
	'Spreadsheet numbers (JS numbers)': [
		[41798284651, undefined, '+41798284651'],
		[41798284651, 'CH', '+41798284651'],
		[798284651, 'CH', '+41798284651'],
		[4915123456789, 'DE', '+4915123456789'],
		[15123456789, 'DE', '+4915123456789'],
		[14155552671, undefined, '+14155552671'],
		[4155552671, 'US', '+14155552671'],
		[89161234567, 'RU', '+79161234567'],
		[9876543210, 'IN', '+919876543210'],
		[919876543210, 'IN', '+919876543210'],
		[41798284651n, undefined, '+41798284651'],
		['41798284651.0', 'CH', '+41798284651'],
		['+41798284651.0', undefined, '+41798284651'],
	],
	'Messy text': [
		['  +41 79 828 46 51  ', undefined, '+41798284651'],
		['\t+41 79 828 46 51\r\n', undefined, '+41798284651'],
		['\u202A+41 79 828 46 51\u202C', undefined, '+41798284651'],
		['\u200E+41\u00A079\u00A0828\u00A046\u00A051', undefined, '+41798284651'],
		['+41\u202F79\u2009828\u200346\u200A51', undefined, '+41798284651'],
		['+41\u201179\u2013828\u201446\u221251', undefined, '+41798284651'],
		['＋４１ ７９ ８２８ ４６ ５１', undefined, '+41798284651'],
		['（０７９）８２８－４６－５１', 'CH', '+41798284651'],
		['"+41 79 828 46 51"', undefined, '+41798284651'],
		["'+41798284651", undefined, '+41798284651'],
		['\u201C+41 79 828 46 51\u201D', undefined, '+41798284651'],
		['TEL:+41798284651', undefined, '+41798284651'],
		['tel: +41 79 828 46 51', undefined, '+41798284651'],
		['[+41] 79 828 46 51', undefined, '+41798284651'],
		['+41-(79)-828-46-51', undefined, '+41798284651'],
		['\uFEFF0798284651', 'CH', '+41798284651'],
		['0798284651', ' ch ', '+41798284651'],
	],
};

/** [input, Default Country, phrases the reason must contain] */
type Rejected = [unknown, string | undefined, RegExp[]];

const REJECTED: Record<string, Rejected[]> = {
	empty: [
		['', undefined, [/^The number is empty\.$/]],
		['   ', 'CH', [/empty/]],
		['\u00A0\u200B', 'CH', [/empty/]],
		['()-', 'CH', [/empty/]],
		[null, undefined, [/empty/]],
		[undefined, 'CH', [/empty/]],
	],
	'no country code and no Default Country': [
		['079 828 46 51', undefined, [/no country code/, /set Default Country/, /\+ and the country code/]],
		['798284651', undefined, [/set Default Country/]],
		['798284651', '', [/set Default Country/]],
	],
	extensions: [
		['+1 415 555 2671 ext. 123', undefined, [/Extensions/, /not supported/, /without its extension/]],
		['+1 415 555 2671 x123', undefined, [/not supported/]],
		['+1 415 555 2671 X 123', undefined, [/not supported/]],
		['+1 415 555 2671 #123', undefined, [/not supported/]],
		['tel:+1-201-555-0123;ext=1234', undefined, [/not supported/]],
		['+41 79 828 46 51 Ext: 12', undefined, [/not supported/]],
		['0798284651 extension 12', 'CH', [/not supported/]],
		['+14155552671,123', undefined, [/not supported/]],
	],
	'letters and other characters': [
		['1-800-FLOWERS', 'US', [/contains letters \("F"\)/, /only digits/]],
		['John Smith', undefined, [/letters/]],
		['+41 79 828 46 5l', undefined, [/letters \("l"\)/]],
		['+41 79 828 46 51 доб. 12', undefined, [/letters/]],
		['+41*79*828*46*51', undefined, [/contains "\*"/]],
		['++41 79 828 46 51', undefined, [/The \+ sign can only come first/]],
		['41+798284651', 'CH', [/\+ sign can only come first/]],
		['+', undefined, [/has a \+ but no digits/]],
	],
	'country code': [
		['+999 123 456 789', undefined, [/The country code \+999 does not exist/, /check the digits after the \+/]],
		['+259 123 456 789', undefined, [/\+259 does not exist/]],
		['+388 123 456 789', undefined, [/\+388 does not exist/]],
		['+210 123 456 789', undefined, [/\+210 does not exist/]],
		['00 388 123 456 789', undefined, [/\+388 does not exist/]],
		['+0041 79 828 46 51', undefined, [/country code cannot start with 0/]],
	],
	length: [
		['+41 79 828', undefined, [/Too short/, /at least 8 digits/, /this one has 7/]],
		['+41 79 828 46', undefined, [/Wrong length for Switzerland \(\+41\)/, /expected 9 or 12 digits/, /found 7/]],
		['+41 79 828 46 512', undefined, [/Switzerland/, /found 10/]],
		['+49 151 2345 6789 0123', undefined, [/Too long/, /at most 15 digits/, /this one has 17/]],
		['+33 6 12 34 56 7', undefined, [/France \(\+33\)/, /expected 9 digits/, /found 8/]],
		[
			'+44 7700 9001234',
			undefined,
			[/Wrong length for the United Kingdom \(\+44\)/, /expected 7, 9 or 10 digits/, /found 11/],
		],
		['+1 415 555 267', undefined, [/North American \(\+1\)/, /expected 10 digits/, /found 9/]],
		['+1 055 555 2671', undefined, [/area code cannot start with 0 or 1/]],
		['+7 916 123 45 6', undefined, [/Russia or Kazakhstan/, /found 9/]],
		['+41 79 828 46 51 / +41 79 123 45 67', undefined, [/more than one number/, /one number per item or line/]],
		['0798284651 / 0791234567', 'CH', [/Too long/]],
		['07982846', 'CH', [/Switzerland/, /found 7/, /completed with \+41 from Default Country Switzerland/]],
		['0', 'CH', [/Too short/]],
		['011 41 79 828 46 51', 'GB', [/United Kingdom/, /Default Country United Kingdom/]],
	],
	'spreadsheet values': [
		[41798284651.5, undefined, [/has decimals/, /store phone numbers as text/]],
		[-41798284651, undefined, [/positive whole number/]],
		[0, 'CH', [/positive whole number/]],
		[Number.NaN, undefined, [/not a finite number/]],
		[Number.POSITIVE_INFINITY, undefined, [/not a finite number/]],
		[1e16, undefined, [/Too long/]],
		[12345678901234567890n, undefined, [/Too long/]],
		['4.17982E+10', undefined, [/scientific notation/, /format the spreadsheet column as text/]],
		['4,17982E+10', 'CH', [/scientific notation/]],
		[798284651, undefined, [/Russia or Kazakhstan/, /Spreadsheet numbers lose their \+/, /set Default Country/]],
	],
	'not text': [
		[{}, undefined, [/is an object, not a phone number/]],
		[['+41798284651'], undefined, [/is a list/]],
		[true, undefined, [/is a boolean/]],
	],
	'Default Country': [
		['+41798284651', 'XX', [/Default Country "XX" is not a known two-letter country code/]],
		['0798284651', 'Switzerland', [/not a known two-letter country code/]],
	],
};

describe('normalisePhoneNumber: accepted numbers', () => {
	for (const [group, cases] of Object.entries(ACCEPTED)) {
		describe(group, () => {
			test.each(
				cases.map(([raw, country, expected]) => ({ shown: JSON.stringify(String(raw)), raw, country, expected })),
			)('$shown (Default Country $country) -> $expected', ({ raw, country, expected }) => {
				expect(normalisePhoneNumber(raw, country)).toEqual({ ok: true, e164: expected });
			});
		});
	}
});

describe('normalisePhoneNumber: rejected values say why', () => {
	for (const [group, cases] of Object.entries(REJECTED)) {
		describe(group, () => {
			test.each(
				cases.map(([raw, country, phrases]) => ({ shown: JSON.stringify(String(raw)), raw, country, phrases })),
			)('$shown (Default Country $country)', ({ raw, country, phrases }) => {
				const result = normalisePhoneNumber(raw, country);
				expect(result.ok).toBe(false);
				if (result.ok) return;
				for (const phrase of phrases) expect(result.reason).toMatch(phrase);
				// A sentence a user can read: capital first, full stop last.
				expect(result.reason).toMatch(/^[A-Z].*\.$/s);
			});
		});
	}
});

describe('normalisePhoneNumber: properties over random input', () => {
	// Deterministic generator, so a failure can be replayed.
	let seed = 20240611;
	const random = (): number => {
		seed = (seed + 0x6d2b79f5) | 0;
		let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
		t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
	const alphabet = '0123456789000111+ -./()xX#;,eE\u00A0\u2013abc٣４';

	test('every result is an E.164 number or a readable reason, never both, never a throw', () => {
		const countries = [undefined, 'CH', 'US', 'IT', 'RU', 'BR', 'SG', 'AR'];
		for (let i = 0; i < 20000; i++) {
			let text = '';
			const length = 1 + Math.floor(random() * 22);
			for (let j = 0; j < length; j++) text += alphabet[Math.floor(random() * alphabet.length)];
			const country = countries[i % countries.length];
			const result = normalisePhoneNumber(text, country);
			if (result.ok) {
				expect(result.e164).toMatch(/^\+[1-9][0-9]{6,14}$/);
				const codes = [2, 3, 4].map((end) => result.e164.slice(1, end));
				expect(codes.some((code) => isAssignedCallingCode(code))).toBe(true);
			} else {
				expect(result.reason).toMatch(/^[A-Z].*\.$/s);
			}
		}
	});

	test('an accepted E.164 number comes back unchanged, and so do its formatted forms', () => {
		for (const e164 of ['+41798284651', '+447700900123', '+14155552671', '+5511987654321', '+8613800138000']) {
			expect(normalisePhoneNumber(e164)).toEqual({ ok: true, e164 });
			const spaced = `${e164.slice(0, 3)} ${e164.slice(3, 6)} ${e164.slice(6, 9)} ${e164.slice(9)}`;
			expect(normalisePhoneNumber(spaced)).toEqual({ ok: true, e164 });
			expect(normalisePhoneNumber(`00${e164.slice(1)}`)).toEqual({ ok: true, e164 });
			expect(normalisePhoneNumber(`tel:${e164}`)).toEqual({ ok: true, e164 });
		}
	});
});

describe('ITU country calling codes', () => {
	test.each(['1', '7', '20', '41', '44', '86', '211', '383', '423', '800', '808', '870', '882', '883', '888', '979'])(
		'+%s is assigned',
		(code) => {
			expect(isAssignedCallingCode(code)).toBe(true);
		},
	);
	test.each(['0', '2', '28', '42', '210', '259', '280', '384', '388', '671', '684', '801', '969', '999', '4100'])(
		'+%s is not assigned',
		(code) => {
			expect(isAssignedCallingCode(code)).toBe(false);
		},
	);
});

describe('COUNTRY_OPTIONS', () => {
	test('lists the countries by name, each once, as ISO 3166-1 alpha-2 with the calling code in the name', () => {
		expect(COUNTRY_OPTIONS.length).toBeGreaterThan(230);
		const values = COUNTRY_OPTIONS.map((option) => option.value);
		expect(new Set(values).size).toBe(values.length);
		for (const option of COUNTRY_OPTIONS) {
			expect(option.value).toMatch(/^[A-Z]{2}$/);
			expect(option.name).toMatch(/^\S.* \(\+[1-9][0-9]{0,2}\)$/);
			expect(isAssignedCallingCode(/\(\+([0-9]+)\)$/.exec(option.name)![1])).toBe(true);
		}
		const names = COUNTRY_OPTIONS.map((option) => option.name);
		expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b, 'en')));
	});

	test.each([
		['DE', 'Germany (+49)'],
		['CH', 'Switzerland (+41)'],
		['US', 'United States (+1)'],
		['GB', 'United Kingdom (+44)'],
		['ID', 'Indonesia (+62)'],
		['CN', 'China (+86)'],
		['TR', 'Turkey (+90)'],
		['KZ', 'Kazakhstan (+7)'],
		['XK', 'Kosovo (+383)'],
	])('%s is %s', (value, name) => {
		expect(COUNTRY_OPTIONS).toContainEqual({ name, value });
	});
});

describe('normaliseToE164 (the core the collector calls)', () => {
	const switzerland = findCountry('CH');

	test('an accepted number is its E.164 string', () => {
		expect(normaliseToE164('+41798284651', undefined)).toBe('+41798284651');
		expect(normaliseToE164('079 828 46 51', switzerland)).toBe('+41798284651');
		expect(normaliseToE164(41798284651, undefined)).toBe('+41798284651');
	});

	test('anything else is a Rejection carrying the reason, never a string', () => {
		for (const [raw, reason] of [
			['079 828 46 51', /no country code/],
			['call me', /letters/],
			[[], /a list, not a phone number/],
			[null, /^The number is empty\.$/],
		] as Array<[unknown, RegExp]>) {
			const result = normaliseToE164(raw, undefined);
			expect(result).toBeInstanceOf(Rejection);
			expect((result as Rejection).reason).toMatch(reason);
		}
	});
});
