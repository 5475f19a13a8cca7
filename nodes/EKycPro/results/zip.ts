/**
 * A ZIP reader for a file held in memory: the central directory (with ZIP64), stored and deflated entries, and
 * a CRC-32 and size check of every entry read. Deflated entries are inflated as a stream with the global
 * DecompressionStream (framed as gzip so that the platform checks the CRC-32, see inflateChecked), so an entry is
 * never held whole unless the caller asks for it.
 */
import { updateCrc32 } from './crc32';
import { DOWNLOAD_AGAIN, ResultFileError } from './errors';

export interface ZipEntry {
	/** Path inside the archive, with `/` separators. */
	readonly name: string;
	readonly method: number;
	readonly flags: number;
	readonly crc32: number;
	readonly compressedSize: number;
	readonly uncompressedSize: number;
	readonly localHeaderOffset: number;
	readonly isDirectory: boolean;
}

export interface ZipArchive {
	readonly data: Uint8Array;
	readonly entries: readonly ZipEntry[];
	/** What to call this archive in messages, e.g. `the result file` or `"part1.xlsx" in the archive`. */
	readonly label: string;
}

const LOCAL_HEADER = 0x04034b50;
const CENTRAL_HEADER = 0x02014b50;
const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const ZIP64_END_OF_CENTRAL_DIRECTORY = 0x06064b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EXTRA_FIELD = 0x0001;
const METHOD_STORED = 0;
const METHOD_DEFLATED = 8;
const FLAG_ENCRYPTED = 0x0001;
const FLAG_UTF8_NAMES = 0x0800;
/** Compressed bytes handed to the inflater per write: small enough to keep memory flat, big enough to be cheap. */
const INFLATE_INPUT_CHUNK = 64 * 1024;
/** Stored entries are handed out in slices of this size so that the text decoding downstream stays chunked. */
const STORED_OUTPUT_CHUNK = 64 * 1024;
/** Entries up to this size are checked whole before any of their bytes is handed out. */
const VERIFY_FIRST_BYTES = 8 * 1024 * 1024;
/** Entries read whole (workbook parts, a table nested in an archive) must fit comfortably in memory. */
const MAX_IN_MEMORY_ENTRY = 1024 * 1024 * 1024;

const utf8Names = new TextDecoder('utf-8', { fatal: true });
const latin1Names = new TextDecoder('latin1');

export function startsWithZipSignature(data: Uint8Array): boolean {
	return data.length >= 4 && data[0] === 0x50 && data[1] === 0x4b && data[2] === 0x03 && data[3] === 0x04;
}

function damaged(label: string, detail: string): ResultFileError {
	return new ResultFileError(
		`${capitalise(label)} is not a readable ZIP/XLSX file (${detail}). It is probably damaged or the download was cut short. ${DOWNLOAD_AGAIN}`,
	);
}

function capitalise(text: string): string {
	return text.charAt(0).toUpperCase() + text.slice(1);
}

function findEndOfCentralDirectory(view: DataView): number {
	const length = view.byteLength;
	const lowest = Math.max(0, length - 22 - 0xffff);
	let fallback = -1;
	for (let offset = length - 22; offset >= lowest; offset--) {
		if (view.getUint32(offset, true) !== END_OF_CENTRAL_DIRECTORY) continue;
		const commentLength = view.getUint16(offset + 20, true);
		// The record whose comment ends exactly at the end of the file is the real one; accept others only as a fallback.
		if (offset + 22 + commentLength === length) return offset;
		if (fallback < 0 && offset + 22 + commentLength <= length) fallback = offset;
	}
	return fallback;
}

function readUint64(view: DataView, offset: number, label: string): number {
	const value = view.getBigUint64(offset, true);
	if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw damaged(label, 'a ZIP64 size or offset is out of range');
	return Number(value);
}

function decodeName(bytes: Uint8Array, flags: number): string {
	let name: string;
	if (flags & FLAG_UTF8_NAMES) {
		name = new TextDecoder('utf-8').decode(bytes);
	} else {
		// Names without the UTF-8 flag are officially CP437, but many tools write UTF-8 anyway.
		try {
			name = utf8Names.decode(bytes);
		} catch {
			name = latin1Names.decode(bytes);
		}
	}
	return name.replace(/\\/g, '/');
}

/** Parses the central directory. Throws a ResultFileError when the archive is truncated or damaged. */
export function openZip(data: Uint8Array, label = 'the result file'): ZipArchive {
	if (data.length < 22) throw damaged(label, `only ${data.length} bytes`);
	const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
	const eocd = findEndOfCentralDirectory(view);
	if (eocd < 0) throw damaged(label, 'its table of contents at the end is missing');

	let entryCount = view.getUint16(eocd + 10, true);
	let directorySize = view.getUint32(eocd + 12, true);
	let directoryOffset = view.getUint32(eocd + 16, true);

	const locator = eocd - 20;
	if (locator >= 0 && view.getUint32(locator, true) === ZIP64_LOCATOR) {
		const zip64Offset = readUint64(view, locator + 8, label);
		if (zip64Offset + 56 > data.length || view.getUint32(zip64Offset, true) !== ZIP64_END_OF_CENTRAL_DIRECTORY) {
			throw damaged(label, 'its ZIP64 table of contents is missing');
		}
		entryCount = readUint64(view, zip64Offset + 32, label);
		directorySize = readUint64(view, zip64Offset + 40, label);
		directoryOffset = readUint64(view, zip64Offset + 48, label);
	} else if (entryCount === 0xffff || directorySize === 0xffffffff || directoryOffset === 0xffffffff) {
		throw damaged(label, 'its ZIP64 table of contents is missing');
	}
	if (directoryOffset + directorySize > data.length) {
		throw damaged(label, 'its table of contents points past the end of the file');
	}

	const entries: ZipEntry[] = [];
	let offset = directoryOffset;
	const directoryEnd = directoryOffset + directorySize;
	for (let index = 0; index < entryCount; index++) {
		if (offset + 46 > directoryEnd || view.getUint32(offset, true) !== CENTRAL_HEADER) {
			throw damaged(label, `entry ${index + 1} of ${entryCount} in its table of contents is unreadable`);
		}
		const flags = view.getUint16(offset + 8, true);
		const method = view.getUint16(offset + 10, true);
		const crc32 = view.getUint32(offset + 16, true);
		let compressedSize = view.getUint32(offset + 20, true);
		let uncompressedSize = view.getUint32(offset + 24, true);
		const nameLength = view.getUint16(offset + 28, true);
		const extraLength = view.getUint16(offset + 30, true);
		const commentLength = view.getUint16(offset + 32, true);
		let localHeaderOffset = view.getUint32(offset + 42, true);
		const nameStart = offset + 46;
		const extraStart = nameStart + nameLength;
		const next = extraStart + extraLength + commentLength;
		if (next > directoryEnd) throw damaged(label, `entry ${index + 1} in its table of contents is cut short`);
		const name = decodeName(data.subarray(nameStart, extraStart), flags);

		if (compressedSize === 0xffffffff || uncompressedSize === 0xffffffff || localHeaderOffset === 0xffffffff) {
			// ZIP64 extra field: 8-byte values, present only for the fields that overflowed, in this order.
			let extra = extraStart;
			const extraEnd = extraStart + extraLength;
			let found = false;
			while (extra + 4 <= extraEnd) {
				const id = view.getUint16(extra, true);
				const size = view.getUint16(extra + 2, true);
				if (id === ZIP64_EXTRA_FIELD) {
					let field = extra + 4;
					const fieldEnd = field + size;
					if (uncompressedSize === 0xffffffff && field + 8 <= fieldEnd) {
						uncompressedSize = readUint64(view, field, label);
						field += 8;
					}
					if (compressedSize === 0xffffffff && field + 8 <= fieldEnd) {
						compressedSize = readUint64(view, field, label);
						field += 8;
					}
					if (localHeaderOffset === 0xffffffff && field + 8 <= fieldEnd) {
						localHeaderOffset = readUint64(view, field, label);
					}
					found = true;
					break;
				}
				extra += 4 + size;
			}
			if (!found) throw damaged(label, `the ZIP64 sizes of "${name}" are missing`);
		}

		entries.push({
			name,
			method,
			flags,
			crc32,
			compressedSize,
			uncompressedSize,
			localHeaderOffset,
			isDirectory: name.endsWith('/'),
		});
		offset = next;
	}
	return { data, entries, label };
}

/** The compressed bytes of an entry, found through its local header. Sizes come from the central directory. */
function compressedBytes(zip: ZipArchive, entry: ZipEntry): Uint8Array {
	const { data } = zip;
	const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
	const header = entry.localHeaderOffset;
	if (header + 30 > data.length || view.getUint32(header, true) !== LOCAL_HEADER) {
		throw damaged(zip.label, `the entry "${entry.name}" is missing`);
	}
	const start = header + 30 + view.getUint16(header + 26, true) + view.getUint16(header + 28, true);
	const end = start + entry.compressedSize;
	if (end > data.length) throw damaged(zip.label, `the entry "${entry.name}" is cut short`);
	return data.subarray(start, end);
}

function checkReadable(zip: ZipArchive, entry: ZipEntry): void {
	if (entry.flags & FLAG_ENCRYPTED) {
		throw new ResultFileError(
			`"${entry.name}" in ${zip.label} is password-protected, which this node cannot open. Save the result without a password and try again.`,
		);
	}
	if (entry.method !== METHOD_STORED && entry.method !== METHOD_DEFLATED) {
		throw new ResultFileError(
			`"${entry.name}" in ${zip.label} uses ZIP compression method ${entry.method}; only stored and deflated entries can be read. Re-pack the archive with standard ZIP compression.`,
		);
	}
	if (entry.method === METHOD_STORED && entry.compressedSize !== entry.uncompressedSize) {
		throw damaged(zip.label, `the stored entry "${entry.name}" has two different sizes`);
	}
	// Deflate cannot expand data more than about 1032 times; a larger claim is a damaged table of contents.
	if (entry.method === METHOD_DEFLATED && entry.uncompressedSize > entry.compressedSize * 1032 + 1024) {
		throw damaged(zip.label, `the size given for "${entry.name}" is impossible`);
	}
}

/**
 * Inflates an entry's raw deflate data as a stream, with its CRC-32 and size checked by the platform: the data is
 * framed as a gzip member (a 10-byte header, the deflate data as is, then the CRC-32 and size from the central
 * directory as the trailer), so DecompressionStream('gzip') inflates it and verifies both natively. That check
 * costs a fraction of a CRC-32 computed in JavaScript, which would take longer than the inflating itself.
 * The compressed bytes go in by slices while the output is consumed, so neither side is ever held whole.
 * Stopping the generator early cancels the inflater.
 */
async function* inflateChecked(compressed: Uint8Array, crc32: number, size: number): AsyncGenerator<Uint8Array> {
	const header = new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
	const trailer = new Uint8Array(8);
	const trailerView = new DataView(trailer.buffer);
	trailerView.setUint32(0, crc32 >>> 0, true);
	// gzip keeps the size modulo 2^32; the exact size is counted by the caller.
	trailerView.setUint32(4, size % 0x100000000, true);
	const stream = new DecompressionStream('gzip');
	const writer = stream.writable.getWriter();
	const reader = stream.readable.getReader();
	const feeding = (async () => {
		await writer.write(header);
		for (let offset = 0; offset < compressed.length; offset += INFLATE_INPUT_CHUNK) {
			// The DOM typing wants an ArrayBuffer-backed view; the bytes are only read.
			await writer.write(compressed.subarray(offset, offset + INFLATE_INPUT_CHUNK) as Uint8Array<ArrayBuffer>);
		}
		await writer.write(trailer);
		await writer.close();
	})();
	// A failure while feeding also errors the readable side, where it is reported; this only avoids an unhandled rejection.
	feeding.catch(() => undefined);
	let finished = false;
	try {
		for (;;) {
			const { done, value } = await reader.read();
			if (done) break;
			yield value;
		}
		finished = true;
	} finally {
		if (!finished) {
			reader.cancel().catch(() => undefined);
			writer.abort().catch(() => undefined);
		}
	}
}

/**
 * The uncompressed bytes of an entry, chunk by chunk, with its CRC-32 and size checked. A mismatch throws a
 * ResultFileError. An entry of up to VERIFY_FIRST_BYTES is checked before its first chunk is handed out, so a
 * damaged small file never yields rows. A larger entry is streamed and can only be checked at its end (the checksum
 * covers all of it): its chunks are handed out as they come and the error, if any, follows the last one.
 */
export async function* readEntryChunks(zip: ZipArchive, entry: ZipEntry): AsyncGenerator<Uint8Array> {
	if (entry.uncompressedSize > VERIFY_FIRST_BYTES) {
		yield* checkedChunks(zip, entry);
		return;
	}
	const held: Uint8Array[] = [];
	for await (const chunk of checkedChunks(zip, entry)) held.push(chunk);
	for (const chunk of held) yield chunk;
}

async function* checkedChunks(zip: ZipArchive, entry: ZipEntry): AsyncGenerator<Uint8Array> {
	checkReadable(zip, entry);
	const compressed = compressedBytes(zip, entry);
	const expected = entry.uncompressedSize;
	let produced = 0;
	if (entry.method === METHOD_STORED) {
		let crc = 0;
		for (let offset = 0; offset < compressed.length; offset += STORED_OUTPUT_CHUNK) {
			const chunk = compressed.subarray(offset, offset + STORED_OUTPUT_CHUNK);
			crc = updateCrc32(crc, chunk);
			produced += chunk.length;
			yield chunk;
		}
		if (crc !== entry.crc32) throw checksumMismatch(zip, entry);
		return;
	}
	if (compressed.length === 0) {
		// Some writers store an empty file as "deflated" with no data at all; there is nothing to inflate.
		if (expected !== 0) throw sizeMismatch(zip, entry, 0);
		if (entry.crc32 !== 0) throw checksumMismatch(zip, entry);
		return;
	}
	const chunks = inflateChecked(compressed, entry.crc32, expected);
	try {
		for (;;) {
			let step: IteratorResult<Uint8Array>;
			try {
				step = await chunks.next();
			} catch (error) {
				const reason = error instanceof Error && error.message ? error.message : String(error);
				if (/incorrect data check/i.test(reason)) throw checksumMismatch(zip, entry);
				if (/incorrect length check/i.test(reason)) throw sizeMismatch(zip, entry, produced);
				throw damaged(zip.label, `"${entry.name}" cannot be decompressed (${reason})`);
			}
			if (step.done) break;
			const chunk = step.value;
			produced += chunk.length;
			if (produced > expected) {
				throw damaged(zip.label, `"${entry.name}" is longer than the ${expected} bytes its header states`);
			}
			yield chunk;
		}
	} finally {
		// Stops the inflater when the caller stops early or the entry failed a check; harmless when it is done.
		await chunks.return(undefined);
	}
	if (produced !== expected) throw sizeMismatch(zip, entry, produced);
}

function checksumMismatch(zip: ZipArchive, entry: ZipEntry): ResultFileError {
	return damaged(zip.label, `the checksum (CRC-32) of "${entry.name}" does not match its content`);
}

function sizeMismatch(zip: ZipArchive, entry: ZipEntry, produced: number): ResultFileError {
	return damaged(
		zip.label,
		`"${entry.name}" holds ${produced} of the ${entry.uncompressedSize} bytes its header states`,
	);
}

/** A whole entry in memory, checked. For small parts (workbook, relationships) and tables nested in an archive. */
export async function readEntryBytes(zip: ZipArchive, entry: ZipEntry): Promise<Uint8Array> {
	checkReadable(zip, entry);
	if (entry.uncompressedSize > MAX_IN_MEMORY_ENTRY) {
		throw new ResultFileError(
			`"${entry.name}" in ${zip.label} is ${Math.round(entry.uncompressedSize / 1e6)} MB uncompressed, too large to open here. Ask for the result as a CSV or in smaller parts.`,
		);
	}
	const result = new Uint8Array(entry.uncompressedSize);
	let offset = 0;
	for await (const chunk of readEntryChunks(zip, entry)) {
		result.set(chunk, offset);
		offset += chunk.length;
	}
	return result;
}

export async function readEntryText(zip: ZipArchive, entry: ZipEntry): Promise<string> {
	return new TextDecoder('utf-8').decode(await readEntryBytes(zip, entry));
}

/** Finds an entry by path: exact first, then ignoring case and a leading slash. */
export function findEntry(zip: ZipArchive, path: string): ZipEntry | undefined {
	const wanted = path.replace(/^\/+/, '');
	const exact = zip.entries.find((entry) => entry.name === wanted);
	if (exact) return exact;
	const lower = wanted.toLowerCase();
	return zip.entries.find((entry) => entry.name.replace(/^\/+/, '').toLowerCase() === lower);
}
