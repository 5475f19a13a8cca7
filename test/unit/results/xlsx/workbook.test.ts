/**
 * Finding the parts of a workbook (xlsx/workbook.ts): the first worksheet in tab order and the shared strings,
 * through `[Content_Types].xml` and the relationships, wherever the writer put them.
 */
import { ResultFileError } from '../../../../nodes/EKycPro/results';
import { locateWorkbookParts, looksLikeXlsx } from '../../../../nodes/EKycPro/results/xlsx';
import { openZip } from '../../../../nodes/EKycPro/results/zip';
import { buildXlsx, type BuilderOptions, type BuilderSheet } from '../../../helpers/xlsxBuilder';
import { writeZip } from '../../../helpers/zipWriter';

const ROWS = [['Number'], ['+41798284651']];

async function partsOf(sheets: BuilderSheet[], options: BuilderOptions = {}) {
	const parts = await locateWorkbookParts(openZip(buildXlsx(sheets, options)));
	return { sheet: parts.sheet.name, sheetName: parts.sheetName, sharedStrings: parts.sharedStrings?.name };
}

describe('looksLikeXlsx', () => {
	it('tells a workbook from an archive of files by the names of its entries', () => {
		expect(looksLikeXlsx(openZip(buildXlsx([{ name: 'R', rows: ROWS }])))).toBe(true);
		expect(looksLikeXlsx(openZip(buildXlsx([{ name: 'R', rows: ROWS }], { omitContentTypes: true })))).toBe(true);
		expect(looksLikeXlsx(openZip(writeZip([{ name: 'result.csv', data: 'Number\n+41798284651\n' }])))).toBe(false);
		expect(looksLikeXlsx(openZip(writeZip([{ name: 'export/workbook.xml', data: '<x/>' }])))).toBe(false);
	});
});

describe('locateWorkbookParts', () => {
	it('takes the first sheet in tab order, not in the order of the relationships', async () => {
		const sheets = [
			{ name: 'First', rows: ROWS },
			{ name: 'Second', rows: ROWS },
		];
		expect(await partsOf(sheets, { shuffleRelationships: true, strings: 'shared' })).toEqual({
			sheet: 'xl/worksheets/sheet1.xml',
			sheetName: 'First',
			sharedStrings: 'xl/sharedStrings.xml',
		});
	});

	it('follows absolute targets to a worksheet at an unusual path', async () => {
		expect(
			await partsOf([{ name: 'R', rows: ROWS, path: 'xl/data/results/main.xml' }], { absoluteTargets: true }),
		).toEqual({
			sheet: 'xl/data/results/main.xml',
			sheetName: 'R',
			sharedStrings: undefined,
		});
	});

	it('finds the workbook through the package relationships when there are no content types', async () => {
		expect(await partsOf([{ name: 'R', rows: ROWS }], { omitContentTypes: true, strings: 'shared' })).toEqual({
			sheet: 'xl/worksheets/sheet1.xml',
			sheetName: 'R',
			sharedStrings: 'xl/sharedStrings.xml',
		});
	});

	it('says a binary workbook (.xlsb) cannot be read and what to do instead', async () => {
		const xlsb = (text: string) =>
			text.replace(
				'openxmlformats-officedocument.spreadsheetml.sheet.main+xml',
				'ms-excel.sheet.binary.macroEnabled.main',
			);
		const data = buildXlsx([{ name: 'R', rows: ROWS }], {
			mapEntries: (entries) =>
				entries.map((entry) =>
					entry.name === '[Content_Types].xml' ? { ...entry, data: xlsb(String(entry.data)) } : entry,
				),
		});
		const located = locateWorkbookParts(openZip(data));
		await expect(located).rejects.toBeInstanceOf(ResultFileError);
		await expect(located).rejects.toThrow(/binary Excel workbook \(\.xlsb\).*Save it as \.xlsx or \.csv/);
	});

	it('says which part is missing', async () => {
		const data = buildXlsx([{ name: 'R', rows: ROWS }], {
			mapEntries: (entries) => entries.filter((entry) => entry.name !== 'xl/workbook.xml'),
		});
		await expect(locateWorkbookParts(openZip(data))).rejects.toThrow(/workbook part "xl\/workbook.xml" is missing/);
	});
});
