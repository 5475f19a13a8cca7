/**
 * Length rules for the national significant number (NSN: the digits after the country code) of the calling codes
 * most users send. The `accepted` lengths are deliberately generous (every number type the country uses, landline,
 * mobile, freephone, premium ...): they catch a missing or extra digit, and never reject a valid number. The
 * `typical` lengths (mobile and landline) only decide how to read an ambiguous input, such as `41798284651` with
 * Default Country Switzerland: a national number, or an international one whose `+` got lost?
 * Every country's code is listed; the global services (+800, +882 ...) are checked against the E.164 total only.
 */

interface LengthRule {
	/** Shown in reasons, e.g. `Switzerland`. */
	readonly label: string;
	/** Bit n set = an NSN of n digits is accepted. */
	readonly accepted: number;
	/** Bit n set = n digits is a usual length for a mobile or landline number. */
	readonly typical: number;
}

function lengthBits(spec: string): number {
	// `9,12` or `5-10,12`
	let bits = 0;
	for (const part of spec.split(',')) {
		const [from, to] = part.split('-').map(Number);
		for (let length = from; length <= (to ?? from); length++) bits |= 1 << length;
	}
	return bits;
}

/* calling code | label | accepted NSN lengths | typical NSN lengths (empty = same as accepted) */
const RULE_DATA = `
7|Russia or Kazakhstan|10,14|10
20|Egypt|8-10|
27|South Africa|5-10|9
30|Greece|10-12|10
31|the Netherlands|5-11|9
32|Belgium|8-9|
33|France|9|
34|Spain|9|
36|Hungary|8-9|
40|Romania|6,9|9
41|Switzerland|9,12|9
43|Austria|4-13|7-13
44|the United Kingdom|7,9-10|9-10
45|Denmark|8|
46|Sweden|6-10,12|7-9
47|Norway|5,8|8
48|Poland|6-10|9
49|Germany|4-15|6-12
51|Peru|8-9|
52|Mexico|10-11|10
53|Cuba|6-8,10|
54|Argentina|10-11|
55|Brazil|8-11|10-11
56|Chile|9-11|9
57|Colombia|8,10-11|10
58|Venezuela|10|
60|Malaysia|8-10|
61|Australia|5-10,12|9
62|Indonesia|7-13|9-12
63|the Philippines|6,8-13|8-10
64|New Zealand|5-10|8-10
65|Singapore|8,10-11|8
66|Thailand|8-10,13|8-9
81|Japan|8-13|9-10
82|South Korea|5-6,8-13|9-10
84|Vietnam|7-10|9-10
86|China|7-12|9-11
90|Turkey|7,10,12-13|10
91|India|8-13|10
92|Pakistan|8-12|9-10
93|Afghanistan|9|
94|Sri Lanka|9|
95|Myanmar|6-10|8-10
98|Iran|4-7,10|10
211|South Sudan|9|
212|Morocco|9|
213|Algeria|8-9|
216|Tunisia|8|
218|Libya|9|
220|Gambia|7,9|7
221|Senegal|9|
222|Mauritania|8|
223|Mali|8|
224|Guinea|8-9|9
225|Côte d'Ivoire|10|
226|Burkina Faso|8|
227|Niger|8|
228|Togo|8|
229|Benin|8,10|10
230|Mauritius|7-8,10|7-8
231|Liberia|7-9|
232|Sierra Leone|8|
233|Ghana|8-9|9
234|Nigeria|7-12|10
235|Chad|8|
236|the Central African Republic|8|
237|Cameroon|8-9|9
238|Cape Verde|7|
239|São Tomé and Príncipe|7|
240|Equatorial Guinea|9|
241|Gabon|7-8|
242|Congo|9|
243|Congo (DRC)|7-10|9
244|Angola|9|
245|Guinea-Bissau|7,9|9
246|Diego Garcia|7|
247|Ascension|5-6|5
248|Seychelles|7|
249|Sudan|9|
250|Rwanda|8-9|
251|Ethiopia|9|
252|Somalia|6-9|
253|Djibouti|8|
254|Kenya|7-10|7-9
255|Tanzania|9|
256|Uganda|9|
257|Burundi|8|
258|Mozambique|8-9|
260|Zambia|9|
261|Madagascar|9|
262|Réunion or Mayotte|9|
263|Zimbabwe|7,9-10|9
264|Namibia|8-9|
265|Malawi|7,9|
266|Lesotho|8|
267|Botswana|7-8,10|7-8
268|Eswatini|8-9|8
269|Comoros|7|
290|Saint Helena|4-5|
291|Eritrea|7|
297|Aruba|7|
298|the Faroe Islands|6|
299|Greenland|6|
350|Gibraltar|8|
351|Portugal|9|
352|Luxembourg|4-11|
353|Ireland|7-10|9
354|Iceland|7,9|7
355|Albania|6-9|8-9
356|Malta|8|
357|Cyprus|8|
358|Finland|5-12|6-10
359|Bulgaria|6-9,12|8-9
370|Lithuania|8|
371|Latvia|8|
372|Estonia|7-8,10|7-8
373|Moldova|8|
374|Armenia|8|
375|Belarus|6-11|9
376|Andorra|6,8-9|6
377|Monaco|8-9|
378|San Marino|8,10|
380|Ukraine|9-10|9
381|Serbia|6-12|8-9
382|Montenegro|8-9|8
383|Kosovo|8-12|8-9
385|Croatia|7-9|8-9
386|Slovenia|5-8|8
387|Bosnia and Herzegovina|8-9|
389|North Macedonia|8|
420|the Czech Republic|9-12|9
421|Slovakia|6-7,9|9
423|Liechtenstein|7,9|7
500|the Falkland Islands|5|
501|Belize|7,11|7
502|Guatemala|8,11|8
503|El Salvador|7-8,11|8
504|Honduras|8,11|8
505|Nicaragua|8|
506|Costa Rica|8,10|8
507|Panama|7-8,10-11|7-8
508|Saint Pierre and Miquelon|6,9|
509|Haiti|8|
590|Guadeloupe|9|
591|Bolivia|8-9|8
592|Guyana|7|
593|Ecuador|8-11|8-9
594|French Guiana|9|
595|Paraguay|6-11|9
596|Martinique|9|
597|Suriname|6-7|
598|Uruguay|4-13|8
599|Curaçao or the Caribbean Netherlands|7-8|
670|Timor-Leste|7-8|
672|Norfolk Island|6|
673|Brunei|7|
674|Nauru|7|
675|Papua New Guinea|7-8|
676|Tonga|5,7|
677|the Solomon Islands|5,7|
678|Vanuatu|5,7|
679|Fiji|7,11|7
680|Palau|7|
681|Wallis and Futuna|6,9|6
682|the Cook Islands|5|
683|Niue|4,7|
685|Samoa|5-7,10|
686|Kiribati|5,8|
687|New Caledonia|6|
688|Tuvalu|5-7|
689|French Polynesia|6,8-9|8
690|Tokelau|4-7|
691|Micronesia|7|
692|the Marshall Islands|7|
850|North Korea|8,10|
852|Hong Kong|5-9,11|8
853|Macao|7-8|8
855|Cambodia|8-10|8-9
856|Laos|8-10|
880|Bangladesh|6-10|10
886|Taiwan|7-11|8-9
960|the Maldives|7,10|7
961|Lebanon|7-8|
962|Jordan|8-9|
963|Syria|8-9|
964|Iraq|8-10|
965|Kuwait|7-8|8
966|Saudi Arabia|9-10|9
967|Yemen|7-9|
968|Oman|7-9|8
970|Palestine|8-10|8-9
971|the United Arab Emirates|5-12|8-9
972|Israel|7-12|8-9
973|Bahrain|8|
974|Qatar|7-9,11|8
975|Bhutan|7-8|
976|Mongolia|8-10|
977|Nepal|8,10-11|8,10
992|Tajikistan|9|
993|Turkmenistan|8|
994|Azerbaijan|9|
995|Georgia|9|
996|Kyrgyzstan|9-10|9
998|Uzbekistan|9|
`;

const rulesByCallingCode = new Map<string, LengthRule>();
for (const line of RULE_DATA.split('\n')) {
	if (line.trim() === '') continue;
	const [callingCode, label, accepted, typical] = line.split('|');
	rulesByCallingCode.set(callingCode, {
		label,
		accepted: lengthBits(accepted),
		typical: lengthBits(typical === '' ? accepted : typical),
	});
}

/** Calling codes of places with numbers shorter than 8 digits in all: St Helena, Niue, Tokelau. */
const SHORT_NUMBER_CALLING_CODES = new Set(['290', '683', '690']);

export const E164_MIN_DIGITS = 8;
export const E164_MAX_DIGITS = 15;

/** The fewest digits, country code included, a number with this calling code may have. */
export function minimumTotalDigits(callingCode: string): number {
	return SHORT_NUMBER_CALLING_CODES.has(callingCode) ? callingCode.length + 4 : E164_MIN_DIGITS;
}

function describeLengths(bits: number): string {
	const lengths: number[] = [];
	for (let length = 1; length <= 15; length++) if (bits & (1 << length)) lengths.push(length);
	// Runs of 3 or more read better as a range: `8 to 11`.
	const parts: string[] = [];
	for (let i = 0; i < lengths.length; ) {
		let j = i;
		while (j + 1 < lengths.length && lengths[j + 1] === lengths[j] + 1) j++;
		if (j - i >= 2) parts.push(`${lengths[i]} to ${lengths[j]}`);
		else for (let k = i; k <= j; k++) parts.push(String(lengths[k]));
		i = j + 1;
	}
	if (parts.length === 1) return parts[0];
	return `${parts.slice(0, -1).join(', ')} or ${parts[parts.length - 1]}`;
}

/** Italy depends on the first digit: 0 landline, 3 mobile (and voicemail), 8 freephone and premium. */
function italianLengths(nsn: string, typical: boolean): number {
	const first = nsn.charCodeAt(0);
	if (first === 51 /* 3 */) return typical ? lengthBits('9-10') : lengthBits('9-12');
	if (first === 48 /* 0 */) return typical ? lengthBits('6-11') : lengthBits('6-12');
	return lengthBits('6-12');
}

/**
 * Why `nsn` (the digits after `+callingCode`) cannot be a number of that country, or undefined when it can be or
 * when nothing is known about the country. The E.164 total length is checked elsewhere.
 */
export function nationalNumberProblem(callingCode: string, nsn: string): string | undefined {
	const length = nsn.length;
	if (callingCode === '1') {
		if (length !== 10) {
			return `Wrong length for a North American (+1) number: expected 10 digits after +1, found ${length}.`;
		}
		// The exchange code after it may start with 0 or 1 in a few freephone ranges (Dominican Republic), so only
		// the area code is checked.
		if (nsn.charCodeAt(0) < 50 /* 2 */) {
			return 'Not a valid North American (+1) number: the area code cannot start with 0 or 1.';
		}
		return undefined;
	}
	if (callingCode === '39') {
		const accepted = italianLengths(nsn, false);
		if (accepted & (1 << length)) return undefined;
		return (
			`Wrong length for Italy (+39): expected ${describeLengths(accepted)} digits after +39 ` +
			`for a number starting with ${nsn[0]}, found ${length}.`
		);
	}
	const rule = rulesByCallingCode.get(callingCode);
	if (rule === undefined || rule.accepted & (1 << length)) return undefined;
	return (
		`Wrong length for ${rule.label} (+${callingCode}): ` +
		`expected ${describeLengths(rule.accepted)} digits after +${callingCode}, found ${length}.`
	);
}

/**
 * Whether `nsn` has a usual length for the country: used only to choose between two readings of the same digits.
 * Codes without a rule (global services): any length within the E.164 total.
 */
export function isTypicalNationalNumber(callingCode: string, nsn: string): boolean {
	const length = nsn.length;
	const total = callingCode.length + length;
	if (total < minimumTotalDigits(callingCode) || total > E164_MAX_DIGITS) return false;
	if (callingCode === '1') return nationalNumberProblem('1', nsn) === undefined;
	if (callingCode === '39') return (italianLengths(nsn, true) & (1 << length)) !== 0;
	const rule = rulesByCallingCode.get(callingCode);
	return rule === undefined || (rule.typical & (1 << length)) !== 0;
}
