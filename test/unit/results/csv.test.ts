import {
	CsvStreamParser,
	detectCsvDelimiter,
	parseCsv,
	ResultFileError,
	sniffResultFile,
} from '../../../nodes/EKycPro/results';
import { bytes, expectedRows, expectSameRows, readAll, type WrittenValue } from './helpers/rows';
import { writeZip } from '../../helpers/zipWriter';

/** Writes records the way spreadsheet programs do: quotes only around fields that need them, `""` inside. */
function writeCsv(records: string[][], delimiter: string, lineEnd: string): string {
	const needsQuotes = new RegExp(`["\\r\\n${delimiter === '\t' ? '\\t' : delimiter}]`);
	return records
		.map((record) =>
			record.map((field) => (needsQuotes.test(field) ? `"${field.replace(/"/g, '""')}"` : field)).join(delimiter),
		)
		.join(lineEnd);
}

const RECORDS: string[][] = [
	['Number', 'facebook', 'note'],
	['+41798284651', 'yes', 'plain'],
	['+41798284652', 'ban', 'with, comma; semicolon\tand tab'],
	['+41798284653', 'no', 'with "quotes" inside'],
	['+41798284654', 'yes', 'line one\nline two\r\nline three'],
	['+41798284655', 'no', ''],
	['+41798284656', 'yes', 'ünïcödé 中文 مرحبا 😀'],
];

describe('detectCsvDelimiter', () => {
	it.each([
		[',', 'Number,whatsapp,age\n+41,yes,3'],
		[';', 'Number;whatsapp;age\r\n+41;yes;3'],
		['\t', 'Number\twhatsapp\tage\n+41\tyes\t3'],
		[';', '\uFEFF"Number, as E.164";whatsapp\n'],
		[',', 'Number'],
		[',', ''],
	])('finds %j in the header line of %j', (delimiter, sample) => {
		expect(detectCsvDelimiter(sample)).toBe(delimiter);
	});

	it('looks at the header line only, not at the rows below it', () => {
		expect(detectCsvDelimiter('Number;flag\n"a,b,c,d";"e,f,g"')).toBe(';');
	});
});

describe('parseCsv', () => {
	it.each([
		[',', '\r\n'],
		[';', '\n'],
		['\t', '\r\n'],
		[',', '\r'],
	])('gives back every record written with delimiter %j and line end %j', (delimiter, lineEnd) => {
		const text = `\uFEFF${writeCsv(RECORDS, delimiter, lineEnd)}${lineEnd}`;
		expect([...parseCsv(text)]).toEqual(RECORDS);
		expect([...parseCsv(text, delimiter as ',' | ';' | '\t')]).toEqual(RECORDS);
	});

	it('keeps a last record without a line end and an unterminated quote at the end', () => {
		expect([...parseCsv('a,b\n1,2')]).toEqual([
			['a', 'b'],
			['1', '2'],
		]);
		expect([...parseCsv('a,b\n1,"open')]).toEqual([
			['a', 'b'],
			['1', 'open'],
		]);
	});

	it('keeps empty fields and empty lines as records of one empty field', () => {
		expect([...parseCsv('a,,c\n\n,,\n')]).toEqual([['a', '', 'c'], [''], ['', '', '']]);
	});

	it('takes a quote inside an unquoted field literally', () => {
		expect([...parseCsv('a,b\n5" screen,x\n')]).toEqual([
			['a', 'b'],
			['5" screen', 'x'],
		]);
	});
});

describe('CsvStreamParser', () => {
	it('gives the same records however the text is cut into chunks', () => {
		for (const [delimiter, lineEnd] of [
			[',', '\r\n'],
			[';', '\n'],
			['\t', '\r'],
		]) {
			const text = `\uFEFF${writeCsv(RECORDS, delimiter, lineEnd)}${lineEnd}`;
			for (let cut = 0; cut <= text.length; cut++) {
				const parser = new CsvStreamParser();
				const records = [...parser.push(text.slice(0, cut)), ...parser.push(text.slice(cut)), ...parser.finish()];
				expect({ delimiter, cut, records }).toEqual({ delimiter, cut, records: RECORDS });
			}
			for (const size of [1, 2, 3, 7]) {
				const parser = new CsvStreamParser();
				const records: string[][] = [];
				for (let start = 0; start < text.length; start += size)
					records.push(...parser.push(text.slice(start, start + size)));
				records.push(...parser.finish());
				expect(records).toEqual(RECORDS);
			}
		}
	});
});

describe('readResultRows on a CSV', () => {
	const header = RECORDS[0];
	const rows = RECORDS.slice(1) as WrittenValue[][];

	it.each([
		['comma, CRLF, BOM', ',', '\r\n', true],
		['semicolon, LF', ';', '\n', false],
		['tab, CRLF', '\t', '\r\n', true],
	])('reads a result file (%s)', async (_label, delimiter, lineEnd, bom) => {
		const data = bytes(`${bom ? '\uFEFF' : ''}${writeCsv(RECORDS, delimiter, lineEnd)}${lineEnd}`);
		expect(sniffResultFile(data)).toEqual({ format: 'csv', mimeType: 'text/csv', extension: 'csv' });
		expect(await readAll(data)).toEqual(expectedRows(header, rows));
	});

	it('reads a UTF-16 text export (as Excel saves "Unicode text")', async () => {
		const text = `\uFEFF${writeCsv(RECORDS, '\t', '\r\n')}\r\n`;
		const data = new Uint8Array(Buffer.from(text, 'utf16le'));
		expect(sniffResultFile(data).format).toBe('csv');
		expect(await readAll(data)).toEqual(expectedRows(header, rows));
	});

	it('reads a CSV larger than one decoding slice, with a multi-byte character on the slice boundary', async () => {
		const many: string[][] = [['Number', 'name']];
		for (let index = 0; index < 60000; index++)
			many.push([`+4179${String(index).padStart(7, '0')}`, index % 7 ? 'ü中😀' : 'q"uote,d']);
		// Pad the first row until the byte at 1 MiB (where one of the reader's decoding slices ends) is inside a character.
		let data = bytes(writeCsv(many, ',', '\r\n'));
		while ((data[1024 * 1024] & 0xc0) !== 0x80) {
			many[1][1] = `x${many[1][1]}`;
			data = bytes(writeCsv(many, ',', '\r\n'));
		}
		expectSameRows(await readAll(data), expectedRows(['Number', 'name'], many.slice(1)));
	});

	it('skips empty lines and keeps extra and short rows', async () => {
		const data = bytes('Number,whatsapp\r\n\r\n+41798284651,yes,extra\r\n,\r\n+41798284652\r\n');
		expect(await readAll(data)).toEqual([
			{ number: '+41798284651', whatsapp: 'yes', column_3: 'extra' },
			// Once a row has had a cell beyond the header, later rows carry that column too.
			{ number: '+41798284652', whatsapp: '', column_3: '' },
		]);
	});

	it('simplifies yes/no, the age and empty cells, and leaves a third value as written', async () => {
		const data = bytes(
			'Number,facebook,age,avatar\n+41798284651,yes,25,\n+41798284652,ban,,x\n+41798284653,NO, 31 ,\n',
		);
		expect(await readAll(data, { simplify: true })).toEqual([
			{ number: '+41798284651', facebook: true, age: 25, avatar: null },
			{ number: '+41798284652', facebook: 'ban', age: null, avatar: 'x' },
			{ number: '+41798284653', facebook: false, age: 31, avatar: null },
		]);
	});

	it('reads a CSV with lone CR line ends inside a ZIP', async () => {
		const data = writeZip([{ name: 'r.csv', data: writeCsv(RECORDS, ',', '\r') }]);
		expect(await readAll(data)).toEqual(expectedRows(header, rows));
	});
});

describe('readResultRows tells a table of numbers from other text', () => {
	it('accepts a header without a known number column when the first row holds phone numbers', async () => {
		const data = bytes('Phone Number,WhatsApp\n+41 79 828 46 51,yes\n');
		expect(await readAll(data)).toEqual([{ 'phone number': '+41 79 828 46 51', whatsapp: 'yes' }]);
	});

	it('reads a file without a header row as rows keyed number, column_2, ...: the first number is a row too', async () => {
		expect(await readAll(bytes('+41798284651,yes\n+41798284652,no,late\n'))).toEqual([
			{ number: '+41798284651', column_2: 'yes' },
			{ number: '+41798284652', column_2: 'no', column_3: 'late' },
		]);
	});

	it('accepts a result with a Number column and no rows (nothing found)', async () => {
		expect(await readAll(bytes('Number,instagram\r\n'))).toEqual([]);
	});

	it.each([
		[
			'two lines of prose',
			'Your export is being prepared.\nPlease come back later.\n',
			/first lines hold no phone number \("Your export is being prepared\.", then "Please come back later\."\)/,
		],
		[
			'one line of prose',
			'Export failed, contact support\n',
			/its only line holds no phone number \("Export failed, contact support"\)/,
		],
		['a table of something else', 'name,city\nAda,London\n', /has no Number column/],
	])('refuses %s with a message that quotes it', async (_label, text, message) => {
		const error = await readAll(bytes(text)).catch((caught: unknown) => caught);
		expect(error).toBeInstanceOf(ResultFileError);
		expect((error as Error).message).toMatch(message);
		expect((error as Error).message).toMatch(/^The result file is not a table of phone numbers/);
	});
});
