import ExcelJS from 'exceljs';
import { readResultRows, ResultFileError } from '../../../nodes/EKycPro/results';
import { listZip, writeZip } from '../../helpers/zipWriter';
import { fractionDraws } from '../../helpers/random';

/** What a user gets from a file: its rows, or the message of a ResultFileError. Anything else fails the test. */
async function outcome(data: Uint8Array): Promise<'rows' | 'error'> {
	try {
		for await (const row of readResultRows(data)) if (row === undefined) throw new Error('undefined row');
		return 'rows';
	} catch (error) {
		if (error instanceof ResultFileError && error.message.length > 20) return 'error';
		throw error;
	}
}

async function sampleWorkbook(): Promise<Uint8Array> {
	const workbook = new ExcelJS.Workbook();
	const sheet = workbook.addWorksheet('Result');
	sheet.addRow(['Number', 'age', 'avatar', 'whatsapp']);
	for (let index = 0; index < 300; index++) {
		sheet.addRow(
			index % 2
				? [`+4179${index}`, 20 + (index % 30), `https://x.example/${index}.jpg?a=1&b=2`, 'yes']
				: [`+4179${index}`, null, null, 'no'],
		);
	}
	return new Uint8Array(await workbook.xlsx.writeBuffer());
}

describe('damaged files never crash or hang the reader', () => {
	it('gives rows or a ResultFileError for 300 randomly damaged XLSX and ZIP files', async () => {
		const workbook = await sampleWorkbook();
		const archive = writeZip([{ name: 'r.csv', data: 'Number,whatsapp\r\n+41798284651,yes\r\n'.repeat(200) }]);
		const next = fractionDraws(42);
		const outcomes = { rows: 0, error: 0 };
		for (let round = 0; round < 300; round++) {
			const original = round % 2 ? workbook : archive;
			const damaged = new Uint8Array(original);
			const kind = round % 3;
			if (kind === 0) {
				// Flip a few bytes anywhere, the directory included.
				for (let flips = 1 + Math.floor(next() * 4); flips > 0; flips--)
					damaged[Math.floor(next() * damaged.length)] ^= 1 + Math.floor(next() * 255);
				outcomes[await outcome(damaged)]++;
			} else if (kind === 1) {
				// Cut the file anywhere.
				outcomes[await outcome(damaged.subarray(0, Math.floor(next() * damaged.length)))]++;
			} else {
				// Overwrite a run of bytes with garbage.
				const start = Math.floor(next() * damaged.length);
				for (let index = start; index < Math.min(damaged.length, start + 64); index++)
					damaged[index] = Math.floor(next() * 256);
				outcomes[await outcome(damaged)]++;
			}
		}
		expect(outcomes.rows + outcomes.error).toBe(300);
		expect(outcomes.error).toBeGreaterThan(150);
	});

	it('gives rows or a ResultFileError for worksheets with damaged XML in a sound ZIP', async () => {
		const entries = listZip(await sampleWorkbook());
		const sheet = (entries.get('xl/worksheets/sheet1.xml') as Buffer).toString('utf8');
		const shared = (entries.get('xl/sharedStrings.xml') as Buffer).toString('utf8');
		const next = fractionDraws(7);
		const damage = (xml: string) => {
			let text = xml;
			for (let edits = 1 + Math.floor(next() * 5); edits > 0; edits--) {
				const at = Math.floor(next() * text.length);
				const insert = ['<', '>', '"', '</c>', '<row>', '<c r="ZZZZZZ9" t="s"><v>99999999</v>', '&', '&#xFFFFFF;', ''][
					Math.floor(next() * 9)
				];
				text = text.slice(0, at) + insert + text.slice(at + Math.floor(next() * 20));
			}
			return text;
		};
		for (let round = 0; round < 150; round++) {
			const files = [...entries].map(([name, data]) => ({
				name,
				data:
					name === 'xl/worksheets/sheet1.xml' && round % 2 === 0
						? damage(sheet)
						: name === 'xl/sharedStrings.xml' && round % 2 === 1
							? damage(shared)
							: data,
			}));
			expect(['rows', 'error']).toContain(await outcome(writeZip(files)));
		}
	});
});

describe('elements that never end', () => {
	it('reports a CSV quote that is never closed in a large file', async () => {
		const lines = ['Number,note', '+41798284650,"opened and never closed'];
		for (let index = 1; index < 500000; index++)
			lines.push(`+4179${String(index).padStart(7, '0')},a plain note of some length`);
		const data = writeZip([{ name: 'r.csv', data: lines.join('\r\n') }]);
		await expect(outcome(data)).resolves.toBe('error');
		await expect(readResultRows(data).next()).rejects.toThrow(/quote \(\"\) is probably never closed/);
	});

	it('reports a worksheet cell that never ends', async () => {
		const sheet = `<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Number</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>${'x'.repeat(17 * 1024 * 1024)}`;
		const entries = [...listZip(await sampleWorkbook())].map(([name, data]) => ({
			name,
			data: name === 'xl/worksheets/sheet1.xml' ? sheet : data,
		}));
		await expect(readResultRows(writeZip(entries)).next()).rejects.toThrow(
			/element of more than 16 million characters/,
		);
	});
});
