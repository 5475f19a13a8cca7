import ExcelJS from 'exceljs';
import { ResultFileError, readResultRows, simplifyRow, sniffResultFile } from '../../../nodes/EKycPro/results';
import { bytes } from './helpers/rows';
import { writeZip } from '../../helpers/zipWriter';

async function firstError(data: Uint8Array): Promise<unknown> {
	try {
		for await (const row of readResultRows(data)) throw new Error(`a row came out: ${JSON.stringify(row)}`);
	} catch (error) {
		return error;
	}
	return undefined;
}

describe('sniffResultFile', () => {
	it('tells an XLSX from a ZIP archive by its content, not its name', async () => {
		const workbook = new ExcelJS.Workbook();
		workbook.addWorksheet('R').addRow(['Number']);
		const xlsx = new Uint8Array(await workbook.xlsx.writeBuffer());
		expect(sniffResultFile(xlsx)).toEqual({
			format: 'xlsx',
			mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
			extension: 'xlsx',
		});
		// An archive whose only member is named like a workbook part is still an archive of that member.
		expect(sniffResultFile(writeZip([{ name: 'result.xlsx', data: xlsx }])).format).toBe('zip');
		expect(sniffResultFile(writeZip([{ name: 'a.csv', data: 'Number\n+41' }])).format).toBe('zip');
		expect(sniffResultFile(bytes('Number,whatsapp\n+41798284651,yes\n'))).toEqual({
			format: 'csv',
			mimeType: 'text/csv',
			extension: 'csv',
		});
	});

	it('rejects an empty download', () => {
		expect(() => sniffResultFile(new Uint8Array(0))).toThrow(ResultFileError);
		expect(() => sniffResultFile(new Uint8Array(0))).toThrow(/empty \(0 bytes\)/);
		expect(() => sniffResultFile(bytes('  \r\n\t'))).toThrow(/only blank space/);
	});

	it('explains an HTML error page, naming its title and what to do', () => {
		const page = '<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head><body><h1>502</h1></body></html>';
		expect(() => sniffResultFile(bytes(page))).toThrow(
			/a web page \("502 Bad Gateway"\) instead of a table .*fresh result_url/,
		);
	});

	it('explains an expired S3 link from its XML error', () => {
		const xml =
			'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>Request has expired</Message><Expires>2024-10-19T18:53:43Z</Expires></Error>';
		expect(() => sniffResultFile(bytes(xml))).toThrow(/\(AccessDenied: Request has expired\).*expired/);
	});

	it('explains a JSON error body, quoting its message', () => {
		expect(() => sniffResultFile(bytes('{"error":"task not found"}'))).toThrow(
			/JSON message instead of a table: task not found/,
		);
		expect(() => sniffResultFile(bytes('{"message":{"code":7}}'))).toThrow(/\{"code":7\}/);
	});

	it('names other kinds of file that are not tables', () => {
		expect(() => sniffResultFile(bytes('%PDF-1.7\n...'))).toThrow(/PDF document/);
		expect(() => sniffResultFile(new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0]))).toThrow(/gzip-compressed/);
		expect(() => sniffResultFile(new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0]))).toThrow(
			/old-style Excel file \(\.xls\)/,
		);
		expect(() =>
			sniffResultFile(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13])),
		).toThrow(/binary data/);
		expect(() => sniffResultFile(bytes('PK\u0003\u0004 but nothing more'))).toThrow(/not a readable ZIP\/XLSX file/);
	});

	it('makes readResultRows fail with the same message and no rows', async () => {
		const error = await firstError(bytes('<html><title>Forbidden</title></html>'));
		expect(error).toBeInstanceOf(ResultFileError);
		expect((error as Error).message).toMatch(/"Forbidden"/);
	});
});

describe('simplifyRow', () => {
	it('turns yes/no into booleans, the age into a number and empty cells into null', () => {
		const row = {
			number: '+41798284651',
			whatsapp: 'Yes',
			facebook: 'ban',
			age: '25',
			gender: '',
			telegram: ' no ',
			avatar: 'https://x/no',
		};
		expect(simplifyRow(row)).toEqual({
			number: '+41798284651',
			whatsapp: true,
			facebook: 'ban',
			age: 25,
			gender: null,
			telegram: false,
			avatar: 'https://x/no',
		});
		// The input row is left as it was.
		expect(row.whatsapp).toBe('Yes');
	});

	it('leaves numbers, booleans, an age that is not a number and a phone number alone', () => {
		expect(simplifyRow({ number: '41798284651', age: 'unknown', total: 3, flag: true })).toEqual({
			number: '41798284651',
			age: 'unknown',
			total: 3,
			flag: true,
		});
	});
});
