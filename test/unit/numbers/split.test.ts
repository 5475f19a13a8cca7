import { normalisePhoneNumber, splitNumberList } from '../../../nodes/EKycPro/numbers';

describe('splitNumberList', () => {
	test.each([
		[
			'one per line keeps inner spaces',
			'+1 415 555 2671\n+44 20 7946 0958\r\n079 828 46 51',
			['+1 415 555 2671', '+44 20 7946 0958', '079 828 46 51'],
		],
		[
			'commas and semicolons',
			'+41798284651, +4915123456789;0798284651 ;; ,',
			['+41798284651', '+4915123456789', '0798284651'],
		],
		[
			'spaces between whole numbers',
			'+41798284651 +4915123456789  0798284651',
			['+41798284651', '+4915123456789', '0798284651'],
		],
		['spaced numbers split at each +', '+41 79 828 46 51 +49 151 2345 6789', ['+41 79 828 46 51', '+49 151 2345 6789']],
		['one spaced number on a line', '079 828 46 51', ['079 828 46 51']],
		['formatted whole numbers separated by spaces', '079-828-46-51 (415)555-2671', ['079-828-46-51', '(415)555-2671']],
		['tabs from a pasted spreadsheet row', '+41798284651\t+4915123456789', ['+41798284651', '+4915123456789']],
		['blank lines and padding', '\n\n  +41798284651  \n\u00A0\n', ['+41798284651']],
		[
			'a tel: URI keeps its ;ext= so the extension is reported',
			'tel:+1-201-555-0123;ext=1234\n+41798284651',
			['tel:+1-201-555-0123;ext=1234', '+41798284651'],
		],
		['an extension stays with its number', '+1 415 555 2671 ext. 12', ['+1 415 555 2671 ext. 12']],
		[
			'non-breaking spaces inside a number',
			'+41\u00A079\u00A0828\u00A046\u00A051\n0798284651',
			['+41\u00A079\u00A0828\u00A046\u00A051', '0798284651'],
		],
		['empty text', '', []],
	])('%s', (_name, text, expected) => {
		expect(splitNumberList(text)).toEqual(expected);
	});

	test('every part of a split list normalises', () => {
		const parts = splitNumberList('+41 79 828 46 51\n079 828 46 52, 0041798284653; +41798284654 +41798284655');
		expect(parts.map((part) => normalisePhoneNumber(part, 'CH'))).toEqual(
			['+41798284651', '+41798284652', '+41798284653', '+41798284654', '+41798284655'].map((e164) => ({
				ok: true,
				e164,
			})),
		);
	});
});
