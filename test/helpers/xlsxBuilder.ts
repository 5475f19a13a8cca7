/**
 * The test-only XLSX builder, written by hand and sharing no code with the reader under test. It writes the
 * inline-string workbooks the sandbox serves (rows may be a generator: the sheet is made and zipped in chunks) and
 * the shapes exceljs and SheetJS do not write: inline strings (`<is><t>`), namespace prefixes, worksheets at unusual
 * paths or with absolute targets, cells without `r`, rich text and phonetic runs, entities.
 */
import { writeZip, writeZipStreamed, type ZipInput, type ZipOptions, type ZipStreamInput } from './zipWriter';

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
	/** The rows in order; an empty row stands for a row absent from the XML (row numbers then skip it). */
	rows: Iterable<BuilderCell[]>;
	/** Path of the worksheet part inside the package (default `xl/worksheets/sheet<N>.xml`). */
	path?: string;
	/** The sheet's `<dimension ref>` (default `A1`). */
	dimension?: string;
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
	/** Leave out `[Content_Types].xml` (the reader falls back to the rels and names). */
	omitContentTypes?: boolean;
	/** Add `xml:space="preserve"` to every `<t>`. */
	preserveSpace?: boolean;
	/** Add a minimal styles part, as Excel and most writers do. */
	styles?: boolean;
	zip?: ZipOptions;
	/** Changes made to the entries before zipping (to damage a file on purpose). */
	mapEntries?: (entries: ZipInput[]) => ZipInput[];
}

/** Rows of a sheet written per chunk of the worksheet part (a chunk is one string, then one Buffer). */
const ROWS_PER_CHUNK = 5000;
const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
const MAIN_NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const RELATIONSHIPS_NS = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const PACKAGE_RELATIONSHIPS_NS = 'http://schemas.openxmlformats.org/package/2006/relationships';
const STYLES =
	`<styleSheet xmlns="${MAIN_NS}">` +
	'<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>' +
	'<fills count="1"><fill><patternFill patternType="none"/></fill></fills>' +
	'<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>' +
	'<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>' +
	'<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>' +
	'</styleSheet>';

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

/** The package's parts in order; the worksheet parts (and the shared strings after them) are made as they are read. */
function xlsxEntries(sheets: BuilderSheet[], options: BuilderOptions): ZipStreamInput[] {
	const p = options.prefix ? `${options.prefix}:` : '';
	const ns = options.prefix ? `xmlns:${options.prefix}="${MAIN_NS}"` : `xmlns="${MAIN_NS}"`;
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

	const cellXml = (cell: BuilderCell, ref: string): string => {
		if (cell === null) return '';
		if (typeof cell === 'object' && 'raw' in cell) return cell.raw;
		if (typeof cell === 'number') return `<${p}c${ref}><${p}v>${cell}</${p}v></${p}c>`;
		if (typeof cell === 'boolean') return `<${p}c${ref} t="b"><${p}v>${cell ? 1 : 0}</${p}v></${p}c>`;
		if (typeof cell === 'object' && 'error' in cell)
			return `<${p}c${ref} t="e"><${p}v>${escapeXml(cell.error)}</${p}v></${p}c>`;
		if (typeof cell === 'object' && 'richText' in cell) {
			const runs = cell.richText
				.map(
					(run, runIndex) =>
						`<${p}r>${runIndex % 2 ? `<${p}rPr><${p}b/></${p}rPr>` : ''}<${p}t${space}>${escapeXml(run)}</${p}t></${p}r>`,
				)
				.join('');
			return `<${p}c${ref} t="inlineStr"><${p}is>${runs}</${p}is></${p}c>`;
		}
		if (options.strings === 'shared') return `<${p}c${ref} t="s"><${p}v>${sharedId(cell)}</${p}v></${p}c>`;
		return `<${p}c${ref} t="inlineStr"><${p}is><${p}t${space}>${escapeXml(cell)}</${p}t></${p}is></${p}c>`;
	};

	function* sheetChunks(sheet: BuilderSheet): Generator<Buffer> {
		let xml =
			`${XML_DECLARATION}<${p}worksheet ${ns} xmlns:r="${RELATIONSHIPS_NS}">` +
			`<${p}dimension ref="${sheet.dimension ?? 'A1'}"/><${p}sheetData>`;
		let rowNumber = 0;
		for (const cells of sheet.rows) {
			rowNumber++;
			if (cells.length > 0) {
				xml += `<${p}row r="${rowNumber}">`;
				for (let column = 0; column < cells.length; column++) {
					xml += cellXml(cells[column], options.omitCellReferences ? '' : ` r="${columnLetters(column)}${rowNumber}"`);
				}
				xml += `</${p}row>`;
			}
			// The header row is row 1, so a chunk ends after every ROWS_PER_CHUNK rows that follow it.
			if ((rowNumber - 1) % ROWS_PER_CHUNK === 0 && rowNumber > 1) {
				yield Buffer.from(xml, 'utf8');
				xml = '';
			}
		}
		yield Buffer.from(`${xml}</${p}sheetData></${p}worksheet>`, 'utf8');
	}

	const sheetPaths = sheets.map((sheet, index) => sheet.path ?? `xl/worksheets/sheet${index + 1}.xml`);
	const sheetId = (index: number) => `rId${options.shuffleRelationships ? 10 + index : index + 1}`;
	const target = (path: string) => (options.absoluteTargets ? `/${path}` : path.replace(/^xl\//, ''));
	const relationships = sheets.map(
		(_sheet, index) =>
			`<Relationship Id="${sheetId(index)}" Type="${RELATIONSHIPS_NS}/worksheet" Target="${target(sheetPaths[index])}"/>`,
	);
	if (options.shuffleRelationships) relationships.reverse();
	if (options.styles) {
		relationships.push(
			`<Relationship Id="rId${sheets.length + 1}" Type="${RELATIONSHIPS_NS}/styles" Target="${target('xl/styles.xml')}"/>`,
		);
	}
	if (options.strings === 'shared') {
		relationships.push(
			`<Relationship Id="rId99" Type="${RELATIONSHIPS_NS}/sharedStrings" Target="${target('xl/sharedStrings.xml')}"/>`,
		);
	}
	const sheetElements = sheets
		.map(
			(sheet, index) => `<${p}sheet name="${escapeXml(sheet.name)}" sheetId="${index + 1}" r:id="${sheetId(index)}"/>`,
		)
		.join('');

	const entries: ZipStreamInput[] = [];
	if (!options.omitContentTypes) {
		const override = (path: string, type: string) =>
			`<Override PartName="/${path}" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.${type}+xml"/>`;
		entries.push({
			name: '[Content_Types].xml',
			data:
				`${XML_DECLARATION}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
				'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
				'<Default Extension="xml" ContentType="application/xml"/>' +
				override('xl/workbook.xml', 'sheet.main') +
				sheetPaths.map((path) => override(path, 'worksheet')).join('') +
				(options.styles ? override('xl/styles.xml', 'styles') : '') +
				(options.strings === 'shared' ? override('xl/sharedStrings.xml', 'sharedStrings') : '') +
				'</Types>',
		});
	}
	entries.push(
		{
			name: '_rels/.rels',
			data:
				`${XML_DECLARATION}<Relationships xmlns="${PACKAGE_RELATIONSHIPS_NS}">` +
				`<Relationship Id="rId1" Type="${RELATIONSHIPS_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
		},
		{
			name: 'xl/workbook.xml',
			data: `${XML_DECLARATION}<${p}workbook ${ns} xmlns:r="${RELATIONSHIPS_NS}"><${p}sheets>${sheetElements}</${p}sheets></${p}workbook>`,
		},
		{
			name: 'xl/_rels/workbook.xml.rels',
			data: `${XML_DECLARATION}<Relationships xmlns="${PACKAGE_RELATIONSHIPS_NS}">${relationships.join('')}</Relationships>`,
		},
	);
	if (options.styles) entries.push({ name: 'xl/styles.xml', data: XML_DECLARATION + STYLES });
	sheets.forEach((sheet, index) => entries.push({ name: sheetPaths[index], data: sheetChunks(sheet) }));
	if (options.strings === 'shared') {
		// Read after the worksheets, so every string is known by then.
		const sharedStringsXml = function* (): Generator<Buffer> {
			const items = shared.map((text) => `<${p}si><${p}t${space}>${escapeXml(text)}</${p}t></${p}si>`).join('');
			yield Buffer.from(
				`${XML_DECLARATION}<${p}sst ${ns} count="${shared.length}" uniqueCount="${shared.length}">${items}</${p}sst>`,
			);
		};
		entries.push({ name: 'xl/sharedStrings.xml', data: sharedStringsXml() });
	}
	return entries;
}

/** An XLSX of the sheets, built in memory (the entries can be changed with `mapEntries` before zipping). */
export function buildXlsx(sheets: BuilderSheet[], options: BuilderOptions = {}): Buffer {
	// In order: the worksheets are made before the shared strings that they fill.
	const entries: ZipInput[] = xlsxEntries(sheets, options).map(({ data, ...entry }) => ({
		...entry,
		data:
			typeof data === 'string' || data instanceof Uint8Array ? data : Buffer.concat([...(data as Iterable<Buffer>)]),
	}));
	return writeZip(options.mapEntries ? options.mapEntries(entries) : entries, options.zip);
}

/** An XLSX of the sheets whose worksheet parts are made and deflated a chunk at a time (rows may be a generator). */
export async function buildXlsxStreamed(
	sheets: BuilderSheet[],
	options: Omit<BuilderOptions, 'mapEntries'> = {},
): Promise<Buffer> {
	return writeZipStreamed(xlsxEntries(sheets, options), options.zip);
}
