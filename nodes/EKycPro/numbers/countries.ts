/**
 * Countries and territories a user can pick as Default Country, with what it takes to complete a national number:
 * the calling code, the national trunk prefix(es) to drop, and international dialling prefixes other than `00`.
 */

/** A national trunk prefix, dropped from a national number before the calling code is put in front. */
export interface TrunkPrefix {
	readonly prefix: string;
	/** When set, the prefix is dropped only if this many digits follow it (RU `8`: 10, NANP `1`: 10, ...). */
	readonly minFollowing?: number;
	readonly maxFollowing?: number;
}

export interface CountryInfo {
	/** ISO 3166-1 alpha-2 (Kosovo uses the widely used user-assigned `XK`). */
	readonly iso: string;
	readonly name: string;
	/** Country calling code without `+`. */
	readonly callingCode: string;
	/** Empty when the country has no trunk prefix (IT keeps its leading 0, SG has none). */
	readonly trunkPrefixes: readonly TrunkPrefix[];
	/** International dialling prefixes that turn into `+`: `00` for most, NANP `011` and `00`, TJ only `810`. */
	readonly iddPrefixes: readonly string[];
}

/*
 * One line per country: ISO, calling code, trunk prefixes, extra IDD prefixes, name.
 * Trunk: `-` none, `0` the common case, `8:10` = `8` only when 10 digits follow, `0:10-11` when 10 or 11 follow.
 * IDD: the international prefixes, longest first; `-` when `00` is all.
 * Brazil's carrier selection codes (`0 21 11 98765 4321`) are added below.
 */
const COUNTRY_DATA = `
AF 93 0 - Afghanistan
AX 358 0 - Åland Islands
AL 355 0 - Albania
DZ 213 0 - Algeria
AS 1 1:10 011,00 American Samoa
AD 376 - - Andorra
AO 244 - - Angola
AI 1 1:10 011,00 Anguilla
AG 1 1:10 011,00 Antigua and Barbuda
AR 54 0 - Argentina
AM 374 0 - Armenia
AW 297 - - Aruba
AU 61 0 0011,00 Australia
AT 43 0 - Austria
AZ 994 0 - Azerbaijan
BS 1 1:10 011,00 Bahamas
BH 973 - - Bahrain
BD 880 0 - Bangladesh
BB 1 1:10 011,00 Barbados
BY 375 0,80:9,8 810,00 Belarus
BE 32 0 - Belgium
BZ 501 - - Belize
BJ 229 - - Benin
BM 1 1:10 011,00 Bermuda
BT 975 - - Bhutan
BO 591 0 - Bolivia
BA 387 0 - Bosnia and Herzegovina
BW 267 - - Botswana
BR 55 0 - Brazil
IO 246 - - British Indian Ocean Territory
VG 1 1:10 011,00 British Virgin Islands
BN 673 - - Brunei
BG 359 0 - Bulgaria
BF 226 - - Burkina Faso
BI 257 - - Burundi
KH 855 0 - Cambodia
CM 237 - - Cameroon
CA 1 1:10 011,00 Canada
CV 238 - - Cape Verde
BQ 599 - - Caribbean Netherlands
KY 1 1:10 011,00 Cayman Islands
CF 236 - - Central African Republic
TD 235 - - Chad
CL 56 - - Chile
CN 86 0 - China
CX 61 0 0011,00 Christmas Island
CC 61 0 0011,00 Cocos (Keeling) Islands
CO 57 0 - Colombia
KM 269 - - Comoros
CG 242 - - Congo
CD 243 0 - Congo (DRC)
CK 682 - - Cook Islands
CR 506 - - Costa Rica
CI 225 - - Côte d'Ivoire
HR 385 0 - Croatia
CU 53 0 - Cuba
CW 599 - - Curaçao
CY 357 - - Cyprus
CZ 420 - - Czechia
DK 45 - - Denmark
DJ 253 - - Djibouti
DM 1 1:10 011,00 Dominica
DO 1 1:10 011,00 Dominican Republic
EC 593 0 - Ecuador
EG 20 0 - Egypt
SV 503 - - El Salvador
GQ 240 - - Equatorial Guinea
ER 291 0 - Eritrea
EE 372 - - Estonia
SZ 268 - - Eswatini
ET 251 0 - Ethiopia
FK 500 - - Falkland Islands
FO 298 - - Faroe Islands
FJ 679 - - Fiji
FI 358 0 - Finland
FR 33 0 - France
GF 594 0 - French Guiana
PF 689 - - French Polynesia
GA 241 0:8 - Gabon
GM 220 - - Gambia
GE 995 0 - Georgia
DE 49 0 - Germany
GH 233 0 - Ghana
GI 350 - - Gibraltar
GR 30 - - Greece
GL 299 - - Greenland
GD 1 1:10 011,00 Grenada
GP 590 0 - Guadeloupe
GU 1 1:10 011,00 Guam
GT 502 - - Guatemala
GG 44 0 - Guernsey
GN 224 - - Guinea
GW 245 - - Guinea-Bissau
GY 592 - - Guyana
HT 509 - - Haiti
HN 504 - - Honduras
HK 852 - - Hong Kong
HU 36 06 - Hungary
IS 354 - - Iceland
IN 91 0 - India
ID 62 0 - Indonesia
IR 98 0 - Iran
IQ 964 0 - Iraq
IE 353 0 - Ireland
IM 44 0 - Isle of Man
IL 972 0 - Israel
IT 39 - - Italy
JM 1 1:10 011,00 Jamaica
JP 81 0 010,00 Japan
JE 44 0 - Jersey
JO 962 0 - Jordan
KZ 7 8:10 810,00 Kazakhstan
KE 254 0 - Kenya
KI 686 0 - Kiribati
XK 383 0 - Kosovo
KW 965 - - Kuwait
KG 996 0 - Kyrgyzstan
LA 856 0 - Laos
LV 371 - - Latvia
LB 961 0 - Lebanon
LS 266 - - Lesotho
LR 231 0 - Liberia
LY 218 0 - Libya
LI 423 0 - Liechtenstein
LT 370 0,8 - Lithuania
LU 352 - - Luxembourg
MO 853 - - Macao
MG 261 0 - Madagascar
MW 265 0 - Malawi
MY 60 0 - Malaysia
MV 960 - - Maldives
ML 223 - - Mali
MT 356 - - Malta
MH 692 1:7 011,00 Marshall Islands
MQ 596 0 - Martinique
MR 222 - - Mauritania
MU 230 - - Mauritius
YT 262 0 - Mayotte
MX 52 01:10,044:10,045:10 - Mexico
FM 691 - - Micronesia
MD 373 0 - Moldova
MC 377 0 - Monaco
MN 976 0 - Mongolia
ME 382 0 - Montenegro
MS 1 1:10 011,00 Montserrat
MA 212 0 - Morocco
MZ 258 - - Mozambique
MM 95 0 - Myanmar
NA 264 0 - Namibia
NR 674 - - Nauru
NP 977 0 - Nepal
NL 31 0 - Netherlands
NC 687 - - New Caledonia
NZ 64 0 - New Zealand
NI 505 - - Nicaragua
NE 227 - - Niger
NG 234 0 - Nigeria
NU 683 - - Niue
NF 672 - - Norfolk Island
KP 850 0 - North Korea
MK 389 0 - North Macedonia
MP 1 1:10 011,00 Northern Mariana Islands
NO 47 - - Norway
OM 968 - - Oman
PK 92 0 - Pakistan
PW 680 - - Palau
PS 970 0 - Palestine
PA 507 - - Panama
PG 675 - - Papua New Guinea
PY 595 0 - Paraguay
PE 51 0 - Peru
PH 63 0 - Philippines
PL 48 - - Poland
PT 351 - - Portugal
PR 1 1:10 011,00 Puerto Rico
QA 974 - - Qatar
RE 262 0 - Réunion
RO 40 0 - Romania
RU 7 8:10 810,00 Russia
RW 250 0:9 - Rwanda
BL 590 0 - Saint Barthélemy
SH 290 - - Saint Helena
KN 1 1:10 011,00 Saint Kitts and Nevis
LC 1 1:10 011,00 Saint Lucia
MF 590 0 - Saint Martin
PM 508 0 - Saint Pierre and Miquelon
VC 1 1:10 011,00 Saint Vincent and the Grenadines
WS 685 - - Samoa
SM 378 - - San Marino
ST 239 - - São Tomé and Príncipe
SA 966 0 - Saudi Arabia
SN 221 - - Senegal
RS 381 0 - Serbia
SC 248 - - Seychelles
SL 232 0 - Sierra Leone
SG 65 - - Singapore
SX 1 1:10 011,00 Sint Maarten
SK 421 0 - Slovakia
SI 386 0 - Slovenia
SB 677 - - Solomon Islands
SO 252 0 - Somalia
ZA 27 0 - South Africa
KR 82 0 - South Korea
SS 211 0 - South Sudan
ES 34 - - Spain
LK 94 0 - Sri Lanka
SD 249 0 - Sudan
SR 597 - - Suriname
SJ 47 - - Svalbard and Jan Mayen
SE 46 0 - Sweden
CH 41 0 - Switzerland
SY 963 0 - Syria
TW 886 0 - Taiwan
TJ 992 - 810 Tajikistan
TZ 255 0 - Tanzania
TH 66 0 - Thailand
TL 670 - - Timor-Leste
TG 228 - - Togo
TK 690 - - Tokelau
TO 676 - - Tonga
TT 1 1:10 011,00 Trinidad and Tobago
TN 216 - - Tunisia
TR 90 0 - Turkey
TM 993 8:8 810,00 Turkmenistan
TC 1 1:10 011,00 Turks and Caicos Islands
TV 688 - - Tuvalu
VI 1 1:10 011,00 U.S. Virgin Islands
UG 256 0 - Uganda
UA 380 0 - Ukraine
AE 971 0 - United Arab Emirates
GB 44 0 - United Kingdom
US 1 1:10 011,00 United States
UY 598 0 - Uruguay
UZ 998 - - Uzbekistan
VU 678 - - Vanuatu
VA 39 - - Vatican City
VE 58 0 - Venezuela
VN 84 0 - Vietnam
WF 681 - - Wallis and Futuna
EH 212 0 - Western Sahara
YE 967 0 - Yemen
ZM 260 0 - Zambia
ZW 263 0 - Zimbabwe
`;

/** Brazil: `0`, a two-digit carrier code, then the 10 or 11 digit number. */
const BRAZIL_CARRIER_CODES = ['12', '14', '15', '21', '22', '23', '25', '31', '41', '43', '55', '65', '99'];

function parseTrunkPrefixes(field: string): TrunkPrefix[] {
	if (field === '-') return [];
	return field.split(',').map((entry) => {
		const [prefix, following] = entry.split(':');
		if (following === undefined) return { prefix };
		const [min, max] = following.split('-').map(Number);
		return { prefix, minFollowing: min, maxFollowing: max ?? min };
	});
}

function parseCountries(data: string): CountryInfo[] {
	const countries: CountryInfo[] = [];
	for (const line of data.split('\n')) {
		if (line.trim() === '') continue;
		const [iso, callingCode, trunk, idd, ...nameWords] = line.trim().split(' ');
		const trunkPrefixes = parseTrunkPrefixes(trunk);
		if (iso === 'BR') {
			// Longer prefixes first: `0 21 ...` must not be read as trunk `0` and area code 21.
			trunkPrefixes.unshift(
				...BRAZIL_CARRIER_CODES.map((code) => ({ prefix: `0${code}`, minFollowing: 10, maxFollowing: 11 })),
			);
		}
		countries.push({
			iso,
			name: nameWords.join(' '),
			callingCode,
			trunkPrefixes,
			iddPrefixes: idd === '-' ? ['00'] : idd.split(','),
		});
	}
	return countries;
}

export const COUNTRIES: readonly CountryInfo[] = parseCountries(COUNTRY_DATA);

const countriesByIso = new Map<string, CountryInfo>(COUNTRIES.map((country) => [country.iso, country]));

/** The country for an ISO 3166-1 alpha-2 code (any case, surrounding spaces ignored), or undefined. */
export function findCountry(isoCode: string): CountryInfo | undefined {
	return countriesByIso.get(isoCode.trim().toUpperCase());
}

export interface CountryOption {
	/** e.g. `Germany (+49)` */
	name: string;
	/** ISO 3166-1 alpha-2, e.g. `DE` */
	value: string;
}

/** For the node's Default Country dropdown, sorted by name. */
export const COUNTRY_OPTIONS: CountryOption[] = COUNTRIES.map((country) => ({
	name: `${country.name} (+${country.callingCode})`,
	value: country.iso,
})).sort((a, b) => a.name.localeCompare(b.name, 'en'));
