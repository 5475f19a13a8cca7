/**
 * The workbook's package structure: whether an archive is a workbook at all, and which parts hold the first
 * worksheet and the shared strings, found through `[Content_Types].xml` and the relationships.
 */
import { DOWNLOAD_AGAIN, ResultFileError } from '../errors';
import { findElements, readAttribute } from '../text';
import { findEntry, readEntryText, type ZipArchive, type ZipEntry } from '../zip';

const WORKBOOK_CONTENT_TYPES = [
	'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml',
	'application/vnd.ms-excel.sheet.macroEnabled.main+xml',
	'application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml',
	'application/vnd.ms-excel.template.macroEnabled.main+xml',
];
const BINARY_WORKBOOK_CONTENT_TYPE = 'application/vnd.ms-excel.sheet.binary.macroEnabled.main';

/** True when the archive's entry names say it is a spreadsheet rather than an archive of files. */
export function looksLikeXlsx(zip: ZipArchive): boolean {
	let hasContentTypes = false;
	let hasWorkbook = false;
	for (const entry of zip.entries) {
		const name = entry.name.toLowerCase();
		if (name === 'xl/workbook.xml' || name === 'xl/workbook.bin') return true;
		if (name === '[content_types].xml') hasContentTypes = true;
		else if (/(^|\/)workbook\.(xml|bin)$/.test(name)) hasWorkbook = true;
	}
	return hasContentTypes && hasWorkbook;
}

function broken(zip: ZipArchive, detail: string): ResultFileError {
	return new ResultFileError(
		`${zip.label.charAt(0).toUpperCase()}${zip.label.slice(1)} is an Excel workbook that cannot be read: ${detail}. ${DOWNLOAD_AGAIN}`,
	);
}

function directoryOf(path: string): string {
	const slash = path.lastIndexOf('/');
	return slash < 0 ? '' : path.slice(0, slash + 1);
}

/** Resolves a relationship target: absolute (`/xl/...`) from the package root, otherwise relative to the source part. */
function resolveTarget(sourcePath: string, target: string): string {
	let decoded = target;
	try {
		decoded = decodeURIComponent(target);
	} catch {
		// Not URL-encoded; keep it as written.
	}
	const joined = decoded.startsWith('/') ? decoded.slice(1) : directoryOf(sourcePath) + decoded;
	const parts: string[] = [];
	for (const part of joined.split('/')) {
		if (part === '..') parts.pop();
		else if (part !== '.' && part !== '') parts.push(part);
	}
	return parts.join('/');
}

interface Relationship {
	id: string;
	type: string;
	target: string;
}

async function readRelationships(zip: ZipArchive, sourcePath: string): Promise<Relationship[]> {
	const relsPath = `${directoryOf(sourcePath)}_rels/${sourcePath.slice(directoryOf(sourcePath).length)}.rels`;
	const entry = findEntry(zip, relsPath);
	if (!entry) return [];
	const xml = await readEntryText(zip, entry);
	return findElements(xml, 'Relationship').map((attributes) => ({
		id: readAttribute(attributes, 'Id') ?? '',
		type: readAttribute(attributes, 'Type') ?? '',
		target: readAttribute(attributes, 'Target') ?? '',
	}));
}

async function findWorkbookPath(zip: ZipArchive): Promise<string> {
	const contentTypes = findEntry(zip, '[Content_Types].xml');
	if (contentTypes) {
		const xml = await readEntryText(zip, contentTypes);
		for (const attributes of findElements(xml, 'Override')) {
			const contentType = (readAttribute(attributes, 'ContentType') ?? '').trim();
			const partName = readAttribute(attributes, 'PartName');
			if (!partName) continue;
			if (contentType.startsWith(BINARY_WORKBOOK_CONTENT_TYPE)) {
				throw new ResultFileError(
					`${zip.label.charAt(0).toUpperCase()}${zip.label.slice(1)} is a binary Excel workbook (.xlsb), which this node cannot read. Save it as .xlsx or .csv and try again.`,
				);
			}
			if (WORKBOOK_CONTENT_TYPES.includes(contentType)) return resolveTarget('', partName);
		}
	}
	const packageRels = await readRelationships(zip, '');
	const officeDocument = packageRels.find((rel) => rel.type.endsWith('/officeDocument'));
	if (officeDocument) return resolveTarget('', officeDocument.target);
	return 'xl/workbook.xml';
}

export interface WorkbookParts {
	sheet: ZipEntry;
	sheetName: string;
	sharedStrings?: ZipEntry;
}

/** Finds the first worksheet (in the workbook's tab order) and the shared strings, through the relationships. */
export async function locateWorkbookParts(zip: ZipArchive): Promise<WorkbookParts> {
	const workbookPath = await findWorkbookPath(zip);
	const workbookEntry = findEntry(zip, workbookPath);
	if (!workbookEntry) throw broken(zip, `its workbook part "${workbookPath}" is missing`);
	const workbookXml = await readEntryText(zip, workbookEntry);
	const relationships = await readRelationships(zip, workbookEntry.name);
	const byId = new Map(relationships.map((rel) => [rel.id, rel]));

	const sheets = findElements(workbookXml, 'sheet');
	if (sheets.length === 0) throw broken(zip, 'its workbook lists no sheets');
	let chosen: { name: string; path: string } | undefined;
	for (const attributes of sheets) {
		const id = readAttribute(attributes, 'r:id') ?? readAttribute(attributes, 'id');
		const rel = id === undefined ? undefined : byId.get(id);
		if (!rel) continue;
		// A chart sheet or dialog sheet holds no cells; the first sheet with rows is the result.
		if (rel.type && !rel.type.endsWith('/worksheet')) continue;
		chosen = { name: readAttribute(attributes, 'name') ?? '', path: resolveTarget(workbookEntry.name, rel.target) };
		break;
	}
	if (!chosen) throw broken(zip, 'no worksheet is linked from its workbook');
	const sheet = findEntry(zip, chosen.path);
	if (!sheet) throw broken(zip, `its worksheet "${chosen.path}" is missing`);

	const sharedStringsRel = relationships.find((rel) => rel.type.endsWith('/sharedStrings'));
	const sharedStrings = sharedStringsRel
		? findEntry(zip, resolveTarget(workbookEntry.name, sharedStringsRel.target))
		: findEntry(zip, `${directoryOf(workbookEntry.name)}sharedStrings.xml`);
	return { sheet, sheetName: chosen.name, sharedStrings };
}
