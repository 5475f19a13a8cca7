/**
 * The test-only ZIP writer, independent of the reader under test: Node's zlib does the deflating. It writes the
 * result files the sandbox serves (an entry may come as a stream of chunks, so a large sheet never becomes one
 * string) and what the reader must cope with: stored and deflated entries, data descriptors (bit 3, zero sizes in
 * the local header), ZIP64 records and extra fields, and deliberately wrong checksums or sizes.
 */
import * as zlib from 'node:zlib';

export interface ZipInput {
	/** Path inside the archive, `/` separated (written as UTF-8, with the UTF-8 name flag). */
	name: string;
	data: Uint8Array | string;
	/** 0 = stored, 8 = deflated (default). */
	method?: 0 | 8;
	/** Write sizes and CRC after the data (general purpose flag bit 3) instead of in the local header. */
	dataDescriptor?: boolean;
	/** Overrides the CRC-32 written in the headers (to simulate a damaged entry). */
	crc32?: number;
	/** Overrides the uncompressed size written in the headers. */
	uncompressedSize?: number;
}

/** An entry for `writeZipStreamed`: its data may also be a stream of chunks. */
export interface ZipStreamInput extends Omit<ZipInput, 'data'> {
	data: ZipInput['data'] | Iterable<Uint8Array> | AsyncIterable<Uint8Array>;
}

export interface ZipOptions {
	/** Use ZIP64 extra fields for every entry and write the ZIP64 end records. */
	zip64?: boolean;
	comment?: string;
	/** Modification time of every entry (default: the DOS stamp 0x21000000). */
	modified?: Date;
}

let crcTable: Uint32Array | undefined;

// zlib.crc32 exists from Node 20.15 / 22.2; keep a table fallback so the writer never depends on it.
export function crc32Fallback(data: Uint8Array, previous = 0): number {
	if (!crcTable) {
		crcTable = new Uint32Array(256);
		for (let index = 0; index < 256; index++) {
			let value = index;
			for (let bit = 0; bit < 8; bit++) value = value & 1 ? 0xedb88320 ^ (value >>> 1) : value >>> 1;
			crcTable[index] = value >>> 0;
		}
	}
	let crc = ~previous >>> 0;
	for (let index = 0; index < data.length; index++) crc = crcTable[(crc ^ data[index]) & 0xff] ^ (crc >>> 8);
	return ~crc >>> 0;
}

export function crc32(data: Uint8Array, previous = 0): number {
	const native = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;
	return native ? native(data, previous) : crc32Fallback(data, previous);
}

/** An entry compressed and measured, ready to be laid out. */
interface PackedEntry {
	input: Omit<ZipInput, 'data'>;
	method: 0 | 8;
	crc: number;
	size: number;
	body: Buffer[];
	bodySize: number;
}

const encoder = new TextEncoder();

function bytesOf(data: Uint8Array | string): Buffer {
	return typeof data === 'string' ? Buffer.from(encoder.encode(data)) : Buffer.from(data);
}

function packBytes(input: Omit<ZipInput, 'data'>, raw: Buffer): PackedEntry {
	const method = input.method ?? 8;
	const body = method === 8 ? zlib.deflateRawSync(raw) : raw;
	return { input, method, crc: crc32(raw), size: raw.length, body: [body], bodySize: body.length };
}

/** Deflates (or stores) a stream of chunks as it comes, so that only the compressed entry is held. */
async function packStream(
	input: Omit<ZipInput, 'data'>,
	chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
): Promise<PackedEntry> {
	const method = input.method ?? 8;
	let crc = 0;
	let size = 0;
	const body: Buffer[] = [];
	let bodySize = 0;
	if (method === 0) {
		for await (const chunk of chunks) {
			crc = crc32(chunk, crc);
			size += chunk.length;
			body.push(Buffer.from(chunk));
			bodySize += chunk.length;
		}
		return { input, method, crc, size, body, bodySize };
	}
	const deflater = zlib.createDeflateRaw();
	deflater.on('data', (chunk: Buffer) => {
		body.push(chunk);
		bodySize += chunk.length;
	});
	const ended = new Promise<void>((resolve, reject) => {
		deflater.once('end', resolve);
		deflater.once('error', reject);
	});
	for await (const chunk of chunks) {
		crc = crc32(chunk, crc);
		size += chunk.length;
		if (!deflater.write(chunk)) await new Promise<void>((resolve) => deflater.once('drain', resolve));
	}
	deflater.end();
	await ended;
	return { input, method, crc, size, body, bodySize };
}

function dosDateTime(date: Date | undefined): { time: number; day: number } {
	if (!date) return { time: 0, day: 0x2100 };
	const year = Math.max(1980, date.getUTCFullYear());
	return {
		time: (date.getUTCHours() << 11) | (date.getUTCMinutes() << 5) | (date.getUTCSeconds() >> 1),
		day: ((year - 1980) << 9) | ((date.getUTCMonth() + 1) << 5) | date.getUTCDate(),
	};
}

function zip64Extra(values: number[]): Buffer {
	const extra = Buffer.alloc(4 + values.length * 8);
	extra.writeUInt16LE(0x0001, 0);
	extra.writeUInt16LE(values.length * 8, 2);
	values.forEach((value, index) => extra.writeBigUInt64LE(BigInt(value), 4 + index * 8));
	return extra;
}

/** Lays out the local headers, data, central directory and end records of packed entries, in order. */
function assemble(entries: PackedEntry[], options: ZipOptions): Buffer {
	const zip64 = options.zip64 === true;
	const { time, day } = dosDateTime(options.modified);
	const locals: Buffer[] = [];
	const centrals: Buffer[] = [];
	let offset = 0;
	for (const { input, method, crc: realCrc, size: realSize, body, bodySize } of entries) {
		const crc = input.crc32 ?? realCrc;
		const size = input.uncompressedSize ?? realSize;
		const name = Buffer.from(input.name, 'utf8');
		const flags = 0x0800 | (input.dataDescriptor ? 0x0008 : 0);

		const localExtra = zip64 ? zip64Extra([size, bodySize]) : Buffer.alloc(0);
		const local = Buffer.alloc(30);
		local.writeUInt32LE(0x04034b50, 0);
		local.writeUInt16LE(zip64 ? 45 : 20, 4);
		local.writeUInt16LE(flags, 6);
		local.writeUInt16LE(method, 8);
		local.writeUInt16LE(time, 10);
		local.writeUInt16LE(day, 12);
		if (!input.dataDescriptor) {
			local.writeUInt32LE(crc, 14);
			local.writeUInt32LE(zip64 ? 0xffffffff : bodySize, 18);
			local.writeUInt32LE(zip64 ? 0xffffffff : size, 22);
		}
		local.writeUInt16LE(name.length, 26);
		local.writeUInt16LE(localExtra.length, 28);
		const parts = [local, name, localExtra, ...body];
		let localLength = local.length + name.length + localExtra.length + bodySize;
		if (input.dataDescriptor) {
			const descriptor = Buffer.alloc(zip64 ? 24 : 16);
			descriptor.writeUInt32LE(0x08074b50, 0);
			descriptor.writeUInt32LE(crc, 4);
			if (zip64) {
				descriptor.writeBigUInt64LE(BigInt(bodySize), 8);
				descriptor.writeBigUInt64LE(BigInt(size), 16);
			} else {
				descriptor.writeUInt32LE(bodySize, 8);
				descriptor.writeUInt32LE(size, 12);
			}
			parts.push(descriptor);
			localLength += descriptor.length;
		}

		const centralExtra = zip64 ? zip64Extra([size, bodySize, offset]) : Buffer.alloc(0);
		const central = Buffer.alloc(46);
		central.writeUInt32LE(0x02014b50, 0);
		central.writeUInt16LE(zip64 ? 45 : 20, 4);
		central.writeUInt16LE(zip64 ? 45 : 20, 6);
		central.writeUInt16LE(flags, 8);
		central.writeUInt16LE(method, 10);
		central.writeUInt16LE(time, 12);
		central.writeUInt16LE(day, 14);
		central.writeUInt32LE(crc, 16);
		central.writeUInt32LE(zip64 ? 0xffffffff : bodySize, 20);
		central.writeUInt32LE(zip64 ? 0xffffffff : size, 24);
		central.writeUInt16LE(name.length, 28);
		central.writeUInt16LE(centralExtra.length, 30);
		// comment, disk, internal and external attributes stay 0
		central.writeUInt32LE(zip64 ? 0xffffffff : offset, 42);
		centrals.push(central, name, centralExtra);
		locals.push(...parts);
		offset += localLength;
	}
	const directory = Buffer.concat(centrals);
	const directoryOffset = offset;
	const tail: Buffer[] = [];
	if (zip64) {
		const record = Buffer.alloc(56);
		record.writeUInt32LE(0x06064b50, 0);
		record.writeBigUInt64LE(44n, 4);
		record.writeUInt16LE(45, 12);
		record.writeUInt16LE(45, 14);
		record.writeBigUInt64LE(BigInt(entries.length), 24);
		record.writeBigUInt64LE(BigInt(entries.length), 32);
		record.writeBigUInt64LE(BigInt(directory.length), 40);
		record.writeBigUInt64LE(BigInt(directoryOffset), 48);
		const locator = Buffer.alloc(20);
		locator.writeUInt32LE(0x07064b50, 0);
		locator.writeBigUInt64LE(BigInt(directoryOffset + directory.length), 8);
		locator.writeUInt32LE(1, 16);
		tail.push(record, locator);
	}
	const comment = Buffer.from(options.comment ?? '', 'utf8');
	const end = Buffer.alloc(22);
	end.writeUInt32LE(0x06054b50, 0);
	end.writeUInt16LE(zip64 ? 0xffff : entries.length, 8);
	end.writeUInt16LE(zip64 ? 0xffff : entries.length, 10);
	end.writeUInt32LE(zip64 ? 0xffffffff : directory.length, 12);
	end.writeUInt32LE(zip64 ? 0xffffffff : directoryOffset, 16);
	end.writeUInt16LE(comment.length, 20);
	return Buffer.concat([...locals, directory, ...tail, end, comment]);
}

/** A ZIP archive of the entries, in order, from data held in memory. */
export function writeZip(inputs: ZipInput[], options: ZipOptions = {}): Buffer {
	return assemble(
		inputs.map(({ data, ...input }) => packBytes(input, bytesOf(data))),
		options,
	);
}

/** A ZIP archive of the entries, in order; an entry given as chunks is compressed as they come. */
export async function writeZipStreamed(inputs: readonly ZipStreamInput[], options: ZipOptions = {}): Promise<Buffer> {
	const entries: PackedEntry[] = [];
	for (const { data, ...input } of inputs) {
		if (typeof data === 'string' || data instanceof Uint8Array) entries.push(packBytes(input, bytesOf(data)));
		else entries.push(await packStream(input, data));
	}
	return assemble(entries, options);
}

/** Entry names and contents of a ZIP, read with a minimal independent parser (for re-packing test files). */
export function listZip(data: Uint8Array): Map<string, Buffer> {
	const buffer = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
	let end = buffer.length - 22;
	while (end >= 0 && buffer.readUInt32LE(end) !== 0x06054b50) end--;
	const count = buffer.readUInt16LE(end + 10);
	let position = buffer.readUInt32LE(end + 16);
	const entries = new Map<string, Buffer>();
	for (let index = 0; index < count; index++) {
		const method = buffer.readUInt16LE(position + 10);
		const compressedSize = buffer.readUInt32LE(position + 20);
		const nameLength = buffer.readUInt16LE(position + 28);
		const extraLength = buffer.readUInt16LE(position + 30);
		const commentLength = buffer.readUInt16LE(position + 32);
		const localOffset = buffer.readUInt32LE(position + 42);
		const name = buffer.toString('utf8', position + 46, position + 46 + nameLength);
		const dataStart = localOffset + 30 + buffer.readUInt16LE(localOffset + 26) + buffer.readUInt16LE(localOffset + 28);
		const body = buffer.subarray(dataStart, dataStart + compressedSize);
		entries.set(name, method === 8 ? zlib.inflateRawSync(body) : Buffer.from(body));
		position += 46 + nameLength + extraLength + commentLength;
	}
	return entries;
}
