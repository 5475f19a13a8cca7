/**
 * Country calling codes assigned in ITU-T E.164 (the list of assigned codes, as in force), including shared codes
 * and the global services (+800 freephone, +808 shared cost, +870 Inmarsat, +881 satellite, +882/+883
 * international networks, +888 disaster relief, +979 premium rate, +991 trial service) and the codes reserved for a
 * country but hardly used (+379 Vatican, +878 personal numbering). Spare codes are left out, so that a typo in the
 * country code is caught. Codes are prefix-free: no code is the start of another.
 */
const ASSIGNED_CALLING_CODES = [
	'1', '7',
	'20', '27', '30', '31', '32', '33', '34', '36', '39', '40', '41', '43', '44', '45', '46', '47', '48', '49',
	'51', '52', '53', '54', '55', '56', '57', '58', '60', '61', '62', '63', '64', '65', '66',
	'81', '82', '84', '86', '90', '91', '92', '93', '94', '95', '98',
	'211', '212', '213', '216', '218',
	'220', '221', '222', '223', '224', '225', '226', '227', '228', '229',
	'230', '231', '232', '233', '234', '235', '236', '237', '238', '239',
	'240', '241', '242', '243', '244', '245', '246', '247', '248', '249',
	'250', '251', '252', '253', '254', '255', '256', '257', '258',
	'260', '261', '262', '263', '264', '265', '266', '267', '268', '269',
	'290', '291', '297', '298', '299',
	'350', '351', '352', '353', '354', '355', '356', '357', '358', '359',
	'370', '371', '372', '373', '374', '375', '376', '377', '378', '379',
	'380', '381', '382', '383', '385', '386', '387', '389',
	'420', '421', '423',
	'500', '501', '502', '503', '504', '505', '506', '507', '508', '509',
	'590', '591', '592', '593', '594', '595', '596', '597', '598', '599',
	'670', '672', '673', '674', '675', '676', '677', '678', '679',
	'680', '681', '682', '683', '685', '686', '687', '688', '689',
	'690', '691', '692',
	'800', '808',
	'850', '852', '853', '855', '856',
	'870', '878', '880', '881', '882', '883', '886', '888',
	'960', '961', '962', '963', '964', '965', '966', '967', '968',
	'970', '971', '972', '973', '974', '975', '976', '977', '979',
	'991', '992', '993', '994', '995', '996', '998',
];

/**
 * Length of the assigned calling code at the start of `digits`, indexed by the leading 1, 2 and 3 digits as one
 * number each. Three small typed arrays make the look-up a few array reads with no allocation.
 */
const oneDigitCodes = new Uint8Array(10);
const twoDigitCodes = new Uint8Array(100);
const threeDigitCodes = new Uint8Array(1000);
for (const code of ASSIGNED_CALLING_CODES) {
	const value = Number(code);
	if (code.length === 1) oneDigitCodes[value] = 1;
	else if (code.length === 2) twoDigitCodes[value] = 1;
	else threeDigitCodes[value] = 1;
}

/**
 * How many of the leading digits form an assigned calling code: 1, 2 or 3, or 0 when none does.
 * `digits` must hold ASCII digits only, starting at `start`.
 */
export function callingCodeLength(digits: string, start = 0): number {
	const available = digits.length - start;
	if (available < 1) return 0;
	const first = digits.charCodeAt(start) - 48;
	if (oneDigitCodes[first] === 1) return 1;
	if (available < 2) return 0;
	const firstTwo = first * 10 + digits.charCodeAt(start + 1) - 48;
	if (twoDigitCodes[firstTwo] === 1) return 2;
	if (available < 3) return 0;
	const firstThree = firstTwo * 10 + digits.charCodeAt(start + 2) - 48;
	return threeDigitCodes[firstThree] === 1 ? 3 : 0;
}

/** Whether `code` (digits, no `+`) is an assigned country calling code. */
export function isAssignedCallingCode(code: string): boolean {
	return /^[0-9]{1,3}$/.test(code) && callingCodeLength(code) === code.length;
}

export { ASSIGNED_CALLING_CODES };
