import ExcelJS from 'exceljs';
import * as XLSX from '@e965/xlsx';
import { readResultRows, sniffResultFile } from '../../../nodes/EKycPro/results';
import { SharedStringsParser, WorksheetParser } from '../../../nodes/EKycPro/results/xlsx';
import { buildXlsx, escapeXml, type BuilderCell } from '../../helpers/xlsxBuilder';
import { expectedRows, expectSameRows, readAll, type WrittenValue } from './helpers/rows';

const AVATAR_HEADER = ['Number', 'age', 'avatar', 'category', 'gender', 'hair_color', 'skin_color', 'whatsapp'];
const AVATAR_ROWS: WrittenValue[][] = [
	[
		'+41798284651',
		25,
		'https://cdn.example.com/a.jpg?x=1&y=<2>',
		'individual portrait',
		'male',
		'black',
		'white',
		'yes',
	],
	['+8613800138000', null, null, null, null, null, null, 'no'],
	['+971501234567', 37, 'https://cdn.example.com/ع.jpg', 'pet avatar', 'female', 'blonde', 'black', 'yes'],
	['+4915112345678', null, null, null, null, null, null, 'no'],
	['+905321234567', 19, 'https://cdn.example.com/😀.png', '物体 object', 'female', 'brown', 'white', 'yes'],
];

async function excelWorkbook(sheets: Array<{ name: string; rows: unknown[][] }>): Promise<Uint8Array> {
	const workbook = new ExcelJS.Workbook();
	for (const sheet of sheets) {
		const worksheet = workbook.addWorksheet(sheet.name);
		for (const row of sheet.rows) worksheet.addRow(row);
	}
	return new Uint8Array(await workbook.xlsx.writeBuffer());
}

function sheetJsWorkbook(sheets: Array<{ name: string; rows: unknown[][] }>, sharedStrings: boolean): Uint8Array {
	const workbook = XLSX.utils.book_new();
	for (const sheet of sheets) XLSX.utils.book_append_sheet(workbook, XLSX.utils.aoa_to_sheet(sheet.rows), sheet.name);
	return new Uint8Array(XLSX.write(workbook, { type: 'buffer', bookType: 'xlsx', bookSST: sharedStrings }));
}

describe('XLSX written by exceljs (shared strings, as Excel writes them)', () => {
	it('reads every row of the avatar result with the header as keys', async () => {
		const data = await excelWorkbook([{ name: 'Result', rows: [AVATAR_HEADER, ...AVATAR_ROWS] }]);
		expect(sniffResultFile(data).format).toBe('xlsx');
		expect(await readAll(data)).toEqual(expectedRows(AVATAR_HEADER, AVATAR_ROWS));
	});

	it('keeps a phone number stored as a number as its digits, without inventing a +', async () => {
		const rows: WrittenValue[][] = [
			[41798284651, 'yes'],
			[8613800138000, 'no'],
			['+905321234567', 'yes'],
		];
		const data = await excelWorkbook([{ name: 'S', rows: [['Number', 'facebook'], ...rows] }]);
		const read = await readAll(data);
		expect(read.map((row) => row.number)).toEqual(['41798284651', '8613800138000', '+905321234567']);
		expect(read).toEqual(expectedRows(['Number', 'facebook'], rows));
	});

	it('reads booleans, formulas (their cached result), errors and rich text', async () => {
		const workbook = new ExcelJS.Workbook();
		const sheet = workbook.addWorksheet('Result');
		sheet.addRow(['Number', 'flag', 'total', 'error', 'note']);
		sheet.addRow([
			'+41798284651',
			true,
			{ formula: '1+1', result: 2 },
			{ error: '#N/A' },
			{ richText: [{ text: 'Hello ' }, { font: { bold: true }, text: 'wörld' }] },
		]);
		sheet.addRow(['+41798284652', false, { formula: '2+2', result: 4 }, null, 'plain']);
		const data = new Uint8Array(await workbook.xlsx.writeBuffer());
		expect(await readAll(data)).toEqual([
			{ number: '+41798284651', flag: 'TRUE', total: '2', error: '#N/A', note: 'Hello wörld' },
			{ number: '+41798284652', flag: 'FALSE', total: '4', error: '', note: 'plain' },
		]);
	});

	it('reads the first sheet of a workbook with two sheets', async () => {
		const first = [
			['Number', 'instagram'],
			['+41798284651', 'yes'],
			['+41798284652', 'no'],
		];
		const second = [
			['Other', 'columns'],
			['x', 'y'],
		];
		const data = await excelWorkbook([
			{ name: 'Results', rows: first },
			{ name: 'Summary', rows: second },
		]);
		expect(await readAll(data)).toEqual(expectedRows(first[0], first.slice(1)));
	});
});

describe('XLSX written by SheetJS', () => {
	it('reads formula-string cells (t="str", SheetJS default) with non-ASCII text', async () => {
		const rows: WrittenValue[][] = [
			['+41798284651', 'مرحبا', '你好', '👍🏽 ok', true],
			['+41798284652', 'a & b < c', '"quoted"', '  spaced  ', false],
		];
		const header = ['Number', 'arabic', 'chinese', 'emoji', 'flag'];
		const data = sheetJsWorkbook([{ name: 'Result', rows: [header, ...rows] }], false);
		expect(await readAll(data)).toEqual(expectedRows(header, rows));
	});

	it('reads shared strings written by SheetJS and the first of two sheets', async () => {
		const rows: WrittenValue[][] = [
			['+41798284651', 31, 'yes'],
			['+41798284652', null, 'no'],
		];
		const header = ['Number', 'age', 'telegram'];
		const data = sheetJsWorkbook(
			[
				{ name: 'First', rows: [header, ...rows] },
				{ name: 'Second', rows: [['a'], ['b']] },
			],
			true,
		);
		expect(await readAll(data)).toEqual(expectedRows(header, rows));
	});
});

describe('XLSX shapes written by hand', () => {
	const header = ['Number', 'age', 'avatar', 'whatsapp'];
	const rows: BuilderCell[][] = [
		['+41798284651', 25, 'https://x.example/a?b=1&c=2', 'yes'],
		['+41798284652', null, null, 'no'],
		['+41798284653', 40, 'Ünïcödé 中文 😀', 'yes'],
	];
	const expected = expectedRows(header, rows as WrittenValue[][]);

	it.each([
		['inline strings', { strings: 'inline' as const }],
		['shared strings', { strings: 'shared' as const }],
		['a namespace prefix on every element', { strings: 'shared' as const, prefix: 'x' }],
		['inline strings with xml:space="preserve"', { strings: 'inline' as const, preserveSpace: true }],
		['absolute relationship targets', { strings: 'shared' as const, absoluteTargets: true }],
		['no workbook entry in [Content_Types].xml', { strings: 'inline' as const, omitContentTypes: true }],
	])('reads %s', async (_label, options) => {
		const data = buildXlsx([{ name: 'Result', rows: [header, ...rows] }], options);
		expect(sniffResultFile(data).format).toBe('xlsx');
		expect(await readAll(data)).toEqual(expected);
	});

	it('finds the first sheet through the workbook when it is not sheet1.xml and the relationships are out of order', async () => {
		const data = buildXlsx(
			[
				{ name: 'Result', rows: [header, ...rows], path: 'xl/worksheets/sheet2.xml' },
				{ name: 'Other', rows: [['wrong'], ['sheet']], path: 'xl/worksheets/sheet1.xml' },
			],
			{ strings: 'shared', shuffleRelationships: true },
		);
		expect(await readAll(data)).toEqual(expected);
	});

	it('finds a worksheet stored at an unusual path given as an absolute target', async () => {
		const data = buildXlsx([{ name: 'R', rows: [header, ...rows], path: 'xl/data/results/main.xml' }], {
			strings: 'inline',
			absoluteTargets: true,
		});
		expect(await readAll(data)).toEqual(expected);
	});

	it('places cells without an r attribute one after another', async () => {
		const dense: BuilderCell[][] = [header, ['+41798284651', 25, 'u', 'yes'], ['+41798284652', 30, 'v', 'no']];
		const data = buildXlsx([{ name: 'R', rows: dense }], { strings: 'inline', omitCellReferences: true });
		expect(await readAll(data)).toEqual(expectedRows(header, dense.slice(1) as WrittenValue[][]));
	});

	it('places sparse cells by their reference and skips absent and empty rows', async () => {
		const sparse: BuilderCell[][] = [
			header,
			[],
			['+41798284651', null, null, 'no'],
			[null, null, null, null],
			[],
			[null, null, 'only avatar', null],
			['', '', '', ''],
			['+41798284652', 33, null, 'yes'],
		];
		const data = buildXlsx([{ name: 'R', rows: sparse }], { strings: 'shared' });
		expect(await readAll(data)).toEqual(expectedRows(header, sparse.slice(1) as WrittenValue[][]));
	});

	it('decodes entities, character references and Excel escapes', async () => {
		const texts = [
			'&#x2B;41&#43;&amp;&lt;&gt;&quot;&apos;',
			'line_x000D__x000A_two',
			'keep_x005F_x0041_literal',
			'&#x1F600;&#128512;',
		];
		const decoded = ['+41+&<>"\'', 'line\r\ntwo', 'keep_x0041_literal', '😀😀'];
		const data = buildXlsx(
			[
				{
					name: 'R',
					rows: [
						['Number', 'a', 'b', 'c', 'd'],
						[
							'+41798284651',
							...texts.map((text, index) => ({
								raw: `<c r="${String.fromCharCode(66 + index)}2" t="inlineStr"><is><t>${text}</t></is></c>`,
							})),
						],
					],
				},
			],
			{ strings: 'inline' },
		);
		expect(await readAll(data)).toEqual([
			{ number: '+41798284651', a: decoded[0], b: decoded[1], c: decoded[2], d: decoded[3] },
		]);
	});

	it('concatenates rich text runs and leaves phonetic runs out', async () => {
		const data = buildXlsx(
			[
				{
					name: 'R',
					rows: [
						['Number', 'name', 'label'],
						[
							'+41798284651',
							{ richText: ['Hel', 'lo ', 'wörld'] },
							{
								raw: '<c r="C2" t="inlineStr"><is><r><t>東</t></r><r><rPr><b/></rPr><t xml:space="preserve">京 </t></r><rPh sb="0" eb="1"><t>トウ</t></rPh><phoneticPr fontId="1"/></is></c>',
							},
						],
					],
				},
			],
			{ strings: 'inline' },
		);
		expect(await readAll(data)).toEqual([{ number: '+41798284651', name: 'Hello wörld', label: '東京 ' }]);
	});

	it('reads numbers, booleans, errors, dates, formula strings and empty cells', async () => {
		const data = buildXlsx(
			[
				{
					name: 'R',
					rows: [
						['Number', 'int', 'float', 'exp', 'bool', 'err', 'date', 'str', 'empty', 'selfclosed'],
						[
							{ raw: '<c r="A2"><v>4.1798284651E10</v></c>' },
							{ raw: '<c r="B2" s="3"><v>42</v></c>' },
							{ raw: '<c r="C2" t="n"><v>-3.25</v></c>' },
							{ raw: '<c r="D2"><v>1.5E3</v></c>' },
							{ raw: '<c r="E2" t="b"><v>1</v></c>' },
							{ raw: '<c r="F2" t="e"><f>1/0</f><v>#DIV/0!</v></c>' },
							{ raw: '<c r="G2" t="d"><v>2024-10-19T18:24:56Z</v></c>' },
							{ raw: '<c r="H2" t="str"><f>"a"&amp;"b"</f><v>ab</v></c>' },
							{ raw: '<c r="I2" t="s"></c>' },
							{ raw: '<c r="J2" s="1"/>' },
						],
					],
				},
			],
			{ strings: 'inline' },
		);
		expect(await readAll(data)).toEqual([
			{
				number: '41798284651',
				int: '42',
				float: '-3.25',
				exp: '1500',
				bool: 'TRUE',
				err: '#DIV/0!',
				date: '2024-10-19T18:24:56Z',
				str: 'ab',
				empty: '',
				selfclosed: '',
			},
		]);
	});

	it('normalises header names and keeps duplicate, empty and extra columns', async () => {
		const data = buildXlsx(
			[
				{
					name: 'R',
					rows: [
						[' Number ', 'AGE', 'whatsapp', 'WhatsApp', null, 'x'],
						['+41798284651', 25, 'yes', 'no', 'unnamed', 'x1', 'beyond the header'],
					],
				},
			],
			{ strings: 'inline' },
		);
		expect(await readAll(data)).toEqual([
			{
				number: '+41798284651',
				age: '25',
				whatsapp: 'yes',
				whatsapp_2: 'no',
				column_5: 'unnamed',
				x: 'x1',
				column_7: 'beyond the header',
			},
		]);
	});

	it('returns no rows for a workbook with only a header or an empty sheet', async () => {
		expect(await readAll(buildXlsx([{ name: 'R', rows: [header] }], { strings: 'inline' }))).toEqual([]);
		expect(await readAll(buildXlsx([{ name: 'R', rows: [] }], { strings: 'inline' }))).toEqual([]);
	});

	it('says which part is missing when the workbook does not link its sheet', async () => {
		const data = buildXlsx([{ name: 'R', rows: [header] }], {
			mapEntries: (entries) => entries.filter((entry) => entry.name !== 'xl/worksheets/sheet1.xml'),
		});
		await expect(readAll(data)).rejects.toThrow(/worksheet "xl\/worksheets\/sheet1.xml" is missing/);
	});
});

describe('streaming parsers cut at every position', () => {
	const sheetXml =
		'<?xml version="1.0" encoding="UTF-8"?>\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetPr/><dimension ref="A1:D4"/><sheetData>' +
		'<row r="1" spans="1:4"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>age</t></is></c><c r="D1" t="s"><v>1</v></c></row>' +
		'<row r="3"><c r="A3" t="s"><v>2</v></c><c r="B3"><v>31</v></c><c r="C3" t="inlineStr"><is><r><t>a&amp;</t></r><r><t>b</t></r></is></c><c r="D3" t="b"><v>0</v></c></row>' +
		'<!-- a comment <c r="A9"><v>9</v></c> --><row r="4"><c r="A4" t="str"><f>X</f><v>+41 79</v></c><c r="B4" s="2"/><c r="C4"><v>1.5</v></c></row>' +
		'</sheetData><mergeCells count="0"/></worksheet>';
	const sharedXml =
		'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="3" uniqueCount="3">' +
		'<si><t>Number</t></si><si><t xml:space="preserve">whatsapp </t></si><si><r><t>+41</t></r><r><rPr><b/></rPr><t>798284651</t></r><rPh><t>x</t></rPh></si><si/><si><t>&lt;é&gt;</t></si></sst>';

	function parseSharedStrings(pieces: string[]): string[] {
		const parser = new SharedStringsParser();
		for (const piece of pieces) parser.push(piece);
		parser.finish();
		return parser.toArray();
	}

	function parseSheet(pieces: string[], shared: string[]): unknown[][] {
		const parser = new WorksheetParser({ get: (index) => shared[index] ?? '' });
		const records: unknown[][] = [];
		for (const piece of pieces) records.push(...parser.push(piece));
		records.push(...parser.finish());
		return records.map((record) => Array.from(record, (value) => (value === undefined ? '<absent>' : value)));
	}

	const sharedStrings = ['Number', 'whatsapp ', '+41798284651', '', '<é>'];
	const expectedRecords = [
		['Number', 'age', '<absent>', 'whatsapp '],
		['+41798284651', 31, 'a&b', false],
		['+41 79', '<absent>', 1.5],
	];

	it('gives the same shared strings and rows however the text is split in two', () => {
		for (let cut = 0; cut <= sharedXml.length; cut++) {
			expect(parseSharedStrings([sharedXml.slice(0, cut), sharedXml.slice(cut)])).toEqual(sharedStrings);
		}
		for (let cut = 0; cut <= sheetXml.length; cut++) {
			expect(parseSheet([sheetXml.slice(0, cut), sheetXml.slice(cut)], sharedStrings)).toEqual(expectedRecords);
		}
	});

	it('gives the same rows when the text arrives a few characters at a time', () => {
		for (const size of [1, 2, 3, 5, 7, 11]) {
			const pieces: string[] = [];
			for (let start = 0; start < sheetXml.length; start += size) pieces.push(sheetXml.slice(start, start + size));
			expect(parseSheet(pieces, sharedStrings)).toEqual(expectedRecords);
			const sharedPieces: string[] = [];
			for (let start = 0; start < sharedXml.length; start += size)
				sharedPieces.push(sharedXml.slice(start, start + size));
			expect(parseSharedStrings(sharedPieces)).toEqual(sharedStrings);
		}
	});

	it('reads a worksheet whose elements carry a namespace prefix split across chunks', () => {
		const prefixed = sheetXml
			.replace('<worksheet xmlns=', '<x:worksheet xmlns:x=')
			.replace('</worksheet>', '</x:worksheet>')
			.replace(/<(\/?)(sheetPr|dimension|sheetData|row|c|v|is|t|r|f|mergeCells)([ >/])/g, '<$1x:$2$3');
		for (const size of [1, 4, 9]) {
			const pieces: string[] = [];
			for (let start = 0; start < prefixed.length; start += size) pieces.push(prefixed.slice(start, start + size));
			expect(parseSheet(pieces, sharedStrings)).toEqual(expectedRecords);
		}
	});
});

describe('a large workbook', () => {
	it('reads 30,000 rows written by exceljs with every value where it belongs', async () => {
		const rows: WrittenValue[][] = [];
		for (let index = 0; index < 30000; index++) {
			rows.push(
				index % 5 < 3
					? [`+4179${String(index).padStart(7, '0')}`, null, null, 'no']
					: [
							`+4179${String(index).padStart(7, '0')}`,
							18 + (index % 50),
							`https://x.example/${index}.jpg?a=1&b=${escapeXml('<')}`,
							'yes',
						],
			);
		}
		const data = await excelWorkbook([{ name: 'Result', rows: [['Number', 'age', 'avatar', 'whatsapp'], ...rows] }]);
		expectSameRows(await readAll(data), expectedRows(['Number', 'age', 'avatar', 'whatsapp'], rows));
	});
});

describe('a shared strings part of several megabytes', () => {
	it('resolves every string, with multi-byte characters and references wherever the part is cut', async () => {
		const header = ['Number', 'name', 'avatar'];
		const rows: WrittenValue[][] = [];
		for (let index = 0; index < 60000; index++) {
			rows.push([
				`+4179${String(index).padStart(7, '0')}`,
				index % 3 === 0 ? `Zoë & Chloé <${index}> 😀` : `name ${index} 中文`,
				`https://wapic.example.com/avatar/${index.toString(36)}.jpg?size=${index % 640}&v=2`,
			]);
		}
		const data = buildXlsx([{ name: 'R', rows: [header, ...(rows as BuilderCell[][])] }], { strings: 'shared' });
		expectSameRows(await readAll(data), expectedRows(header, rows));
	});
});

describe('readResultRows on an XLSX', () => {
	// Enough rows for the worksheet to inflate in many chunks, so that reading can stop in the middle.
	const manyRows: BuilderCell[][] = Array.from({ length: 30000 }, (_, index) => [
		`+4179${String(index).padStart(7, '0')}`,
		index % 2 ? 'yes' : 'no',
	]);
	const manyRowsXlsx = buildXlsx([{ name: 'R', rows: [['Number', 'whatsapp'], ...manyRows] }], { strings: 'shared' });

	it('stops at once when the signal is aborted', async () => {
		const controller = new AbortController();
		const seen = [];
		for await (const row of readResultRows(manyRowsXlsx, { signal: controller.signal })) {
			seen.push(row);
			if (seen.length === 7) controller.abort();
		}
		expect(seen).toHaveLength(7);
		expect(seen[6]).toEqual({ number: '+41790000006', whatsapp: 'no' });
	});

	it('reads nothing when the signal is already aborted', async () => {
		const controller = new AbortController();
		controller.abort();
		expect(await readAll(manyRowsXlsx, { signal: controller.signal })).toEqual([]);
	});

	it('simplifies yes/no, the age and empty cells when asked', async () => {
		const data = await excelWorkbook([{ name: 'Result', rows: [AVATAR_HEADER, ...AVATAR_ROWS] }]);
		const rows = [];
		for await (const row of readResultRows(data, { simplify: true })) rows.push(row);
		expect(rows[0]).toEqual({
			number: '+41798284651',
			age: 25,
			avatar: AVATAR_ROWS[0][2],
			category: 'individual portrait',
			gender: 'male',
			hair_color: 'black',
			skin_color: 'white',
			whatsapp: true,
		});
		expect(rows[1]).toEqual({
			number: '+8613800138000',
			age: null,
			avatar: null,
			category: null,
			gender: null,
			hair_color: null,
			skin_color: null,
			whatsapp: false,
		});
	});
});

describe('one rule for every format', () => {
	const header = ['Number', 'age', 'whatsapp', 'risk_score', 'note'];
	const xlsxRows: WrittenValue[][] = [
		['+41798284651', 25, 'yes', 0.75, 'ok'],
		['+41798284652', '', 'no', 12, ''],
	];
	const csv = 'Number,age,whatsapp,risk_score,note\n+41798284651,25,yes,0.75,ok\n+41798284652,,no,12,\n';

	it.each([false, true])('XLSX number cells and the same CSV give the same rows (simplify %s)', async (simplify) => {
		const fromXlsx = await readAll(await excelWorkbook([{ name: 'Result', rows: [header, ...xlsxRows] }]), {
			simplify,
		});
		const fromCsv = await readAll(new TextEncoder().encode(csv), { simplify });
		expect(fromXlsx).toEqual(fromCsv);
		// Known columns are typed only when simplifying; an unknown numeric column stays text either way.
		expect(fromXlsx[0]).toEqual(
			simplify
				? { number: '+41798284651', age: 25, whatsapp: true, risk_score: '0.75', note: 'ok' }
				: { number: '+41798284651', age: '25', whatsapp: 'yes', risk_score: '0.75', note: 'ok' },
		);
	});
});
