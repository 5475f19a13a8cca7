import {
	NumbersInputError,
	TaskNumbers,
	getPath,
	missingFileError,
	valuesOfFile,
} from '../../../nodes/EKycPro/numbers';

function thrown(action: () => void): NumbersInputError {
	try {
		action();
	} catch (error) {
		expect(error).toBeInstanceOf(NumbersInputError);
		return error as NumbersInputError;
	}
	throw new Error('expected a NumbersInputError');
}

describe('getPath', () => {
	const data = {
		phone: '1',
		'contact.mobile': 'own name',
		contact: { mobile: '2', phones: ['3', '4'] },
		nothing: null,
	};

	test.each([
		['phone', '1'],
		['  phone ', '1'],
		['contact.mobile', 'own name'],
		['contact.phones.1', '4'],
		['contact.fax', undefined],
		['nothing.below', undefined],
		['phone.length', undefined],
	])('%j -> %j', (path, expected) => {
		expect(getPath(data, path)).toBe(expected);
	});

	test('a dot path reaches a nested field when no field has the whole name', () => {
		expect(getPath({ contact: { mobile: '+41798284651' } }, 'contact.mobile')).toBe('+41798284651');
	});
});

describe('TaskNumbers from a field of each item', () => {
	test('one number, a list of numbers, a missing field, an empty one: each item accounted for', () => {
		const numbers = new TaskNumbers(6, { defaultCountry: 'CH', removeDuplicates: true });
		const items = [
			{ phone: '+41 79 828 46 51' },
			{ phone: ['+1 (415) 555-0132', '079 828 46 52', 'call me'] },
			{ name: 'Ben' },
			{ phone: '' },
			{ phone: null },
			{ phone: '079 828 46 51' },
		];
		items.forEach((json, index) => numbers.addField(index, json, 'phone'));
		expect(numbers.result()).toEqual({
			numbers: ['+41798284651', '+14155550132', '+41798284652'],
			duplicates: 1,
			rejected: [
				{ value: 'call me', item: 1, reason: expect.stringMatching(/letters/) },
				{ value: '(missing)', item: 2, reason: 'The item has no field "phone"' },
				{ value: '', item: 3, reason: 'The field "phone" is empty' },
				{ value: '(null)', item: 4, reason: 'The field "phone" is empty' },
			],
			// A duplicate is still the number of the item that gave it.
			numbersOfItem: [['+41798284651'], ['+14155550132', '+41798284652'], [], [], [], ['+41798284651']],
		});
		expect(numbers.toUploadText()).toBe('+41798284651\n+14155550132\n+41798284652');
	});

	test('an empty list, or a list of only empty values, is one rejected value, like an empty field', () => {
		const numbers = new TaskNumbers(4, { removeDuplicates: true });
		numbers.addField(0, { phone: [] }, 'phone');
		numbers.addField(1, { phone: ['', null, undefined] }, 'phone');
		numbers.addField(2, { phone: ['+41 79 828 46 51', ''] }, 'phone');
		numbers.addField(3, { phones: { mobile: [] } }, 'phones.mobile');
		expect(numbers.result()).toEqual({
			numbers: ['+41798284651'],
			duplicates: 0,
			rejected: [
				{ value: '[]', item: 0, reason: 'The field "phone" is an empty list' },
				{ value: '["",null,null]', item: 1, reason: 'The field "phone" is an empty list' },
				// A list with a number in it: its empty entries are reported one by one, as before.
				{ value: '', item: 2, reason: 'The number is empty.' },
				{ value: '[]', item: 3, reason: 'The field "phones.mobile" is an empty list' },
			],
			numbersOfItem: [[], [], ['+41798284651'], []],
		});
	});

	test('a nested field by its dot path; the field name is reported as given', () => {
		const numbers = new TaskNumbers(2, { removeDuplicates: true });
		numbers.addField(0, { contact: { mobile: 41798284651 } }, 'contact.mobile');
		numbers.addField(1, { contact: {} }, 'contact.mobile');
		expect(numbers.result()).toMatchObject({
			numbers: ['+41798284651'],
			rejected: [{ item: 1, value: '(missing)', reason: 'The item has no field "contact.mobile"' }],
		});
	});

	test('an unknown Default Country is refused before anything is read', () => {
		expect(() => new TaskNumbers(1, { defaultCountry: 'ZZ', removeDuplicates: true })).toThrow(
			'Default Country "ZZ" is not a known two-letter country code',
		);
	});
});

describe('TaskNumbers from a file', () => {
	const file = (text: string | Buffer, fileName?: string, mimeType = 'text/plain') => ({
		data: Buffer.isBuffer(text) ? text : Buffer.from(text),
		fileName,
		mimeType,
	});

	function collect(text: string | Buffer, fileName?: string, column = '') {
		const numbers = new TaskNumbers(1, { removeDuplicates: true });
		numbers.addFile(0, 'data', file(text, fileName), column);
		return numbers.result();
	}

	test('a .txt file: one number per line, blank lines and a byte order mark skipped', () => {
		const result = collect('\uFEFF+41798284651\r\n\r\n  \n0041 79 828 46 52\nn/a\n', 'numbers.txt');
		expect(result.numbers).toEqual(['+41798284651', '+41798284652']);
		expect(result.rejected).toEqual([{ value: 'n/a', item: 0, reason: expect.stringMatching(/letters/) }]);
		expect(result.numbersOfItem).toEqual([['+41798284651', '+41798284652']]);
	});

	test('a CSV with a named column (any case, any delimiter): that column only', () => {
		const csv = 'name;Mobile;city\r\nAnna;+41 79 828 46 51;Bern\r\nBen;"0041 79 828 46 52";Basel\r\nDan;;Chur\r\n';
		const result = collect(csv, 'contacts.csv', ' mobile ');
		expect(result.numbers).toEqual(['+41798284651', '+41798284652']);
		expect(result.rejected).toEqual([]);
	});

	test('a CSV without a named column: the first column, after its header', () => {
		expect(collect('phone,name\n+41798284651,Anna\n+41798284652,Ben\n', 'contacts.csv').numbers).toEqual([
			'+41798284651',
			'+41798284652',
		]);
	});

	test('a CSV whose first row is a number has no header: the first row is sent too', () => {
		expect(collect('+41798284651,Anna\n+41798284652,Ben\n').numbers).toEqual(['+41798284651', '+41798284652']);
	});

	test('an empty file gives nothing and rejects nothing', () => {
		expect(collect('', 'numbers.txt')).toMatchObject({ numbers: [], rejected: [] });
		expect(collect('', 'numbers.csv')).toMatchObject({ numbers: [], rejected: [] });
	});

	test('a file that is not text: says which and what to give instead', () => {
		const numbers = new TaskNumbers(3, { removeDuplicates: true });
		const error = thrown(() =>
			numbers.addFile(2, 'data', file(Buffer.from([0x50, 0x4b, 3, 4, 0, 0]), 'book.xlsx', 'application/zip')),
		);
		expect(error.message).toBe('The file in "data" is not a text file');
		expect(error.itemIndex).toBe(2);
		expect(error.advice).toBe(
			'"book.xlsx" (application/zip) holds binary data. Give a .txt file with one number per line or a .csv file; ' +
				'convert a spreadsheet with the Extract From File node first.',
		);
	});

	test('a CSV column that is not there: names the columns the file has (the property when it has no name)', () => {
		const numbers = new TaskNumbers(2, { removeDuplicates: true });
		const csv = 'name;mobile;city\r\nAnna;+41 79 828 46 51;Bern\r\n';
		const named = thrown(() => numbers.addFile(1, 'data', file(csv, 'contacts.csv'), 'phone'));
		expect(named.message).toBe('The file "contacts.csv" has no column "phone"; its columns are: name, mobile, city');
		expect(named.itemIndex).toBe(1);
		expect(named.advice).toBe(
			"Set CSV Column to one of the file's columns, or leave it empty to use the first column.",
		);
		const unnamed = thrown(() => numbers.addFile(0, 'attachment', file(csv), 'phone'));
		expect(unnamed.message).toBe('The file "attachment" has no column "phone"; its columns are: name, mobile, city');
		expect(numbers.result().numbers).toEqual([]);
	});
});

describe('valuesOfFile', () => {
	test.each([
		['lines of a .txt file', '+41798284651\n079 828 46 52', '', 'numbers.txt', ['+41798284651', '079 828 46 52']],
		['a .csv name makes a one-column file a CSV with a header', 'phone\n+41798284651', '', 'a.csv', ['+41798284651']],
		['a named column makes any file a CSV', 'phone\n+41798284651', 'phone', undefined, ['+41798284651']],
		['a short row gives an empty value', 'a,b\n1,2\n3', 'b', undefined, ['2', '']],
	])('%s', (_name, text, column, fileName, expected) => {
		expect(valuesOfFile(text, column, fileName)).toEqual({ values: expected });
	});

	test('a missing column gives the columns there are', () => {
		expect(valuesOfFile('Name,Mobile\nAnna,1', 'phone', 'x.csv')).toEqual({
			missingColumn: true,
			columns: ['Name', 'Mobile'],
		});
	});
});

describe('TaskNumbers from a typed list', () => {
	test('the same list on every item is sent once, for the first item; a different list is added', () => {
		const numbers = new TaskNumbers(3, { removeDuplicates: true });
		numbers.addList(0, '+41798284651, +41798284652');
		numbers.addList(1, '+41798284651, +41798284652');
		numbers.addList(2, '+41798284653\nnope');
		expect(numbers.result()).toEqual({
			numbers: ['+41798284651', '+41798284652', '+41798284653'],
			duplicates: 0,
			rejected: [{ value: 'nope', item: 2, reason: expect.stringMatching(/letters/) }],
			numbersOfItem: [['+41798284651', '+41798284652'], [], ['+41798284653']],
		});
	});
});

describe('missingFileError', () => {
	test('names the binary fields the item has', () => {
		const error = missingFileError(3, 'data', ['attachment', 'photo']);
		expect(error).toBeInstanceOf(NumbersInputError);
		expect(error.message).toBe('Item 3 has no binary field "data"');
		expect(error.itemIndex).toBe(3);
		expect(error.advice).toBe(
			'The input items carry "attachment", "photo". ' +
				'Set Input Binary Field to the field that holds the file of numbers.',
		);
	});

	test('or says the item has no binary data', () => {
		expect(missingFileError(0, 'data', []).advice).toBe(
			'The input items carry no binary data. Set Input Binary Field to the field that holds the file of numbers.',
		);
	});
});
