/**
 * A hand-written XLSX builder for the shapes exceljs and SheetJS do not write: inline strings (`<is><t>`),
 * namespace prefixes, worksheets at unusual paths or with absolute targets, cells without `r`, rich text and
 * phonetic runs, entities. It shares no code with the reader under test.
 */
import { writeZip, type ZipInput, type ZipOptions } from './zip-writer';

export type BuilderCell =
	| string
	| number
	| boolean
	| null
	| { error: string }
	| { raw: string } // the cell's full XML, written as is
	| { richText: string[] }; // inline rich text runs

export interface BuilderSheet {
	name: string;
	rows: BuilderCell[][];
	/** Path of the worksheet part inside the package (default `xl/worksheets/sheet<N>.xml`). */
	path?: string;
}

export interface BuilderOptions {
	/** `inline` writes `t="inlineStr"` cells, `shared` a shared strings part. */
	strings?: 'inline' | 'shared';
	/** Namespace prefix for the spreadsheet elements, e.g. `x`. */
	prefix?: string;
	/** Write relationship targets as absolute paths (`/xl/worksheets/...`). */
	absoluteTargets?: boolean;
	/** Leave out the `r` attribute of cells (the reader must place them one after another). */
	omitCellReferences?: boolean;
	/** Write the first sheet's relationship last and with a high id, so the order of rels is not the sheet order. */
	shuffleRelationships?: boolean;
	/** Leave out `[Content_Types].xml`'s workbook override (the reader falls back to the rels and names). */
	omitContentTypes?: boolean;
	/** Add `xml:space="preserve"` to every `<t>`. */
	preserveSpace?: boolean;
	zip?: ZipOptions;
	/** Changes made to the entries before zipping (to damage a file on purpose). */
	mapEntries?: (entries: ZipInput[]) => ZipInput[];
}

export function escapeXml(text: string): string {
	return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function columnLetters(index: number): string {
	let letters = '';
	let rest = index + 1;
	while (rest > 0) {
		const remainder = (rest - 1) % 26;
		letters = String.fromCharCode(65 + remainder) + letters;
		rest = Math.floor((rest - 1) / 26);
	}
	return letters;
}

export function buildXlsx(sheets: BuilderSheet[], options: BuilderOptions = {}): Buffer {
	const p = options.prefix ? `${options.prefix}:` : '';
	const ns = options.prefix
		? `xmlns:${options.prefix}="http://schemas.openxmlformats.org/spreadsheetml/2006/main"`
		: 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"';
	const space = options.preserveSpace ? ' xml:space="preserve"' : '';
	const shared: string[] = [];
	const sharedIndex = new Map<string, number>();
	const sharedId = (text: string) => {
		let id = sharedIndex.get(text);
		if (id === undefined) {
			id = shared.length;
			shared.push(text);
			sharedIndex.set(text, id);
		}
		return id;
	};

	const sheetPaths = sheets.map((sheet, index) => sheet.path ?? `xl/worksheets/sheet${index + 1}.xml`);
	const entries: ZipInput[] = [];
	sheets.forEach((sheet, sheetIndex) => {
		const rowsXml = sheet.rows
			.map((cells, rowIndex) => {
				const rowNumber = rowIndex + 1;
				// An empty array stands for a row that is absent from the XML (row numbers then skip it).
				if (cells.length === 0) return '';
				const cellsXml = cells
					.map((cell, columnIndex) => {
						const ref = options.omitCellReferences ? '' : ` r="${columnLetters(columnIndex)}${rowNumber}"`;
						if (cell === null) return '';
						if (typeof cell === 'object' && 'raw' in cell) return cell.raw;
						if (typeof cell === 'number') return `<${p}c${ref}><${p}v>${cell}</${p}v></${p}c>`;
						if (typeof cell === 'boolean') return `<${p}c${ref} t="b"><${p}v>${cell ? 1 : 0}</${p}v></${p}c>`;
						if (typeof cell === 'object' && 'error' in cell) {
							return `<${p}c${ref} t="e"><${p}v>${escapeXml(cell.error)}</${p}v></${p}c>`;
						}
						if (typeof cell === 'object' && 'richText' in cell) {
							const runs = cell.richText
								.map((run, runIndex) => `<${p}r>${runIndex % 2 ? `<${p}rPr><${p}b/></${p}rPr>` : ''}<${p}t${space}>${escapeXml(run)}</${p}t></${p}r>`)
								.join('');
							return `<${p}c${ref} t="inlineStr"><${p}is>${runs}</${p}is></${p}c>`;
						}
						if (options.strings === 'shared') return `<${p}c${ref} t="s"><${p}v>${sharedId(cell)}</${p}v></${p}c>`;
						return `<${p}c${ref} t="inlineStr"><${p}is><${p}t${space}>${escapeXml(cell)}</${p}t></${p}is></${p}c>`;
					})
					.join('');
				return `<${p}row r="${rowNumber}">${cellsXml}</${p}row>`;
			})
			.join('');
		entries.push({
			name: sheetPaths[sheetIndex],
			data: `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<${p}worksheet ${ns}><${p}dimension ref="A1"/><${p}sheetData>${rowsXml}</${p}sheetData></${p}worksheet>`,
		});
	});

	const target = (path: string) => (options.absoluteTargets ? `/${path}` : path.replace(/^xl\//, ''));
	const relationships = sheets.map(
		(_sheet, index) =>
			`<Relationship Id="rId${options.shuffleRelationships ? 10 + index : index + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="${target(sheetPaths[index])}"/>`,
	);
	if (options.shuffleRelationships) relationships.reverse();
	if (options.strings === 'shared') {
		relationships.push(
			`<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="${target('xl/sharedStrings.xml')}"/>`,
		);
		entries.push({
			name: 'xl/sharedStrings.xml',
			data: `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<${p}sst ${ns} count="${shared.length}" uniqueCount="${shared.length}">${shared
				.map((text) => `<${p}si><${p}t${space}>${escapeXml(text)}</${p}t></${p}si>`)
				.join('')}</${p}sst>`,
		});
	}
	const sheetElements = sheets
		.map((sheet, index) => `<${p}sheet name="${escapeXml(sheet.name)}" sheetId="${index + 1}" r:id="rId${options.shuffleRelationships ? 10 + index : index + 1}"/>`)
		.join('');
	entries.unshift(
		{
			name: 'xl/workbook.xml',
			data: `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<${p}workbook ${ns} xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><${p}sheets>${sheetElements}</${p}sheets></${p}workbook>`,
		},
		{
			name: 'xl/_rels/workbook.xml.rels',
			data: `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${relationships.join('')}</Relationships>`,
		},
		{
			name: '_rels/.rels',
			data: '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
		},
	);
	if (!options.omitContentTypes) {
		entries.unshift({
			name: '[Content_Types].xml',
			data:
				'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>' +
				'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>',
		});
	}
	return writeZip(options.mapEntries ? options.mapEntries(entries) : entries, options.zip);
}
