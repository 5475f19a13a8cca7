/**
 * Tells what a downloaded result file is from its bytes, never from its name or the server's content type:
 * an XLSX workbook, a ZIP archive of tables, a CSV text, or something else (an error page, a PDF...) that is
 * reported with a message saying what came back and what to do.
 */
import { DOWNLOAD_AGAIN, ResultFileError } from './errors';
import { looksLikeXlsx } from './xlsx';
import { openZip, startsWithZipSignature, type ZipArchive } from './zip';

export interface ResultFileKind {
	format: 'xlsx' | 'zip' | 'csv';
	mimeType: string;
	extension: string;
}

export const XLSX_KIND: ResultFileKind = {
	format: 'xlsx',
	mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
	extension: 'xlsx',
};
export const ZIP_KIND: ResultFileKind = { format: 'zip', mimeType: 'application/zip', extension: 'zip' };
export const CSV_KIND: ResultFileKind = { format: 'csv', mimeType: 'text/csv', extension: 'csv' };

const SAMPLE_BYTES = 4096;
const EXPIRED_LINK_ADVICE =
	'The download link has probably expired or was refused: ask for the task status again to get a fresh result_url, then download that one.';

function startsWith(data: Uint8Array, bytes: readonly number[]): boolean {
	if (data.length < bytes.length) return false;
	for (let index = 0; index < bytes.length; index++) if (data[index] !== bytes[index]) return false;
	return true;
}

/** Text encoding of a text file from its byte order mark. */
export function textEncodingOf(data: Uint8Array): 'utf-8' | 'utf-16le' | 'utf-16be' {
	if (startsWith(data, [0xff, 0xfe])) return 'utf-16le';
	if (startsWith(data, [0xfe, 0xff])) return 'utf-16be';
	return 'utf-8';
}

function shorten(text: string, length = 160): string {
	const single = text.replace(/\s+/g, ' ').trim();
	return single.length > length ? `${single.slice(0, length - 1)}…` : single;
}

function elementText(xml: string, name: string): string | undefined {
	const match = new RegExp(`<${name}(?:\\s[^>]*)?>([\\s\\S]*?)</${name}>`, 'i').exec(xml);
	return match ? shorten(match[1].replace(/<[^>]*>/g, ' ')) : undefined;
}

function markupError(text: string): ResultFileError {
	const code = elementText(text, 'Code');
	const message = elementText(text, 'Message');
	if (code || message) {
		// The shape of an S3 error (expired presigned link, access denied).
		const detail = [code, message].filter(Boolean).join(': ');
		return new ResultFileError(
			`The result link answered with an error instead of the file (${detail}). ${EXPIRED_LINK_ADVICE}`,
		);
	}
	const title = elementText(text, 'title') ?? elementText(text, 'h1');
	const what = /<html|<!doctype html/i.test(text) ? 'a web page' : 'an XML document';
	return new ResultFileError(
		`The result download returned ${what}${title ? ` ("${title}")` : ''} instead of a table (XLSX, ZIP or CSV). ${EXPIRED_LINK_ADVICE}`,
	);
}

function jsonError(data: Uint8Array, text: string): ResultFileError {
	let detail: string | undefined;
	if (data.length <= 1024 * 1024) {
		try {
			const parsed = JSON.parse(new TextDecoder().decode(data)) as unknown;
			if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
				const body = parsed as Record<string, unknown>;
				const found = body.error ?? body.message ?? body.msg ?? body.detail;
				if (typeof found === 'string') detail = found;
				else if (found && typeof found === 'object') detail = JSON.stringify(found);
			}
		} catch {
			// Not valid JSON after all; show its beginning instead.
		}
	}
	return new ResultFileError(
		`The result download returned a JSON message instead of a table: ${shorten(detail ?? text)}. ${EXPIRED_LINK_ADVICE}`,
	);
}

function hasBinaryControlCharacters(text: string): boolean {
	for (let index = 0; index < text.length; index++) {
		const code = text.charCodeAt(index);
		if (code < 32 && code !== 9 && code !== 10 && code !== 13 && code !== 12) return true;
	}
	return false;
}

interface Sniffed {
	kind: ResultFileKind;
	zip?: ZipArchive;
}

/** Sniffs and, for a ZIP, keeps the parsed directory so the reader does not parse it twice. */
export function sniff(data: Uint8Array): Sniffed {
	if (!data || data.length === 0) {
		throw new ResultFileError(`The result file is empty (0 bytes). ${DOWNLOAD_AGAIN}`);
	}
	if (startsWithZipSignature(data)) {
		const zip = openZip(data);
		if (looksLikeXlsx(zip)) return { kind: XLSX_KIND, zip };
		if (zip.entries.every((entry) => entry.isDirectory)) {
			throw new ResultFileError(`The result file is a ZIP archive with no files in it. ${DOWNLOAD_AGAIN}`);
		}
		return { kind: ZIP_KIND, zip };
	}
	if (startsWith(data, [0x50, 0x4b, 0x05, 0x06])) {
		throw new ResultFileError(`The result file is an empty ZIP archive. ${DOWNLOAD_AGAIN}`);
	}
	if (startsWith(data, [0x50, 0x4b])) {
		throw new ResultFileError(
			`The result file looks like a ZIP archive but does not start like one (it may be split into volumes or damaged). ${DOWNLOAD_AGAIN}`,
		);
	}
	if (startsWith(data, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) {
		throw new ResultFileError(
			'The result file is an old-style Excel file (.xls) or a password-protected workbook, which this node cannot read. Save it as .xlsx or .csv without a password and try again.',
		);
	}
	if (startsWith(data, [0x25, 0x50, 0x44, 0x46])) {
		throw new ResultFileError(`The result download is a PDF document, not a table. ${EXPIRED_LINK_ADVICE}`);
	}
	if (startsWith(data, [0x1f, 0x8b])) {
		throw new ResultFileError(
			'The result file is gzip-compressed, which this node does not unpack. Download it without compression (or as a ZIP) and try again.',
		);
	}
	const encoding = textEncodingOf(data);
	if (encoding !== 'utf-8') return { kind: CSV_KIND };
	const sample = new TextDecoder('utf-8').decode(data.subarray(0, SAMPLE_BYTES));
	const text = sample.replace(/^\uFEFF/, '').trimStart();
	if (text.length === 0) {
		throw new ResultFileError(`The result file holds only blank space, no table. ${DOWNLOAD_AGAIN}`);
	}
	if (text.startsWith('<')) throw markupError(sample);
	if (text.startsWith('{') || text.startsWith('[')) throw jsonError(data, text);
	if (hasBinaryControlCharacters(sample) || sample.includes('\uFFFD\uFFFD')) {
		throw new ResultFileError(
			`The result file is neither an Excel workbook, a ZIP archive nor a CSV text (it starts with unreadable binary data). ${DOWNLOAD_AGAIN}`,
		);
	}
	return { kind: CSV_KIND };
}

/** The format of a result file from its first bytes. Throws a ResultFileError for an empty or unusable file. */
export function sniffResultFile(data: Uint8Array): ResultFileKind {
	return { ...sniff(data).kind };
}
