/**
 * A minimal ZIP writer (deflate or store, no ZIP64): enough for the result files the simulated vendor serves.
 * Entries may be given as one buffer or as a stream of chunks, so large sheets never become one string.
 */
import * as zlib from 'node:zlib';

export interface ZipEntry {
	/** Path inside the archive, `/` separated. */
	name: string;
	data: Buffer | Iterable<Buffer> | AsyncIterable<Buffer>;
	/** Store without compression (default: deflate). */
	store?: boolean;
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

interface PreparedEntry {
	name: Buffer;
	method: number;
	crc: number;
	size: number;
	compressed: Buffer[];
	compressedSize: number;
}

async function prepare(entry: ZipEntry): Promise<PreparedEntry> {
	const name = Buffer.from(entry.name, 'utf8');
	const method = entry.store ? 0 : 8;
	if (Buffer.isBuffer(entry.data)) {
		const compressed = entry.store ? entry.data : zlib.deflateRawSync(entry.data);
		return {
			name,
			method,
			crc: crc32(entry.data),
			size: entry.data.length,
			compressed: [compressed],
			compressedSize: compressed.length,
		};
	}
	let crc = 0;
	let size = 0;
	const compressed: Buffer[] = [];
	let compressedSize = 0;
	if (entry.store) {
		for await (const chunk of entry.data) {
			crc = crc32(chunk, crc);
			size += chunk.length;
			compressed.push(chunk);
			compressedSize += chunk.length;
		}
		return { name, method, crc, size, compressed, compressedSize };
	}
	const deflater = zlib.createDeflateRaw();
	deflater.on('data', (chunk: Buffer) => {
		compressed.push(chunk);
		compressedSize += chunk.length;
	});
	const ended = new Promise<void>((resolve, reject) => {
		deflater.once('end', resolve);
		deflater.once('error', reject);
	});
	for await (const chunk of entry.data) {
		crc = crc32(chunk, crc);
		size += chunk.length;
		if (!deflater.write(chunk)) await new Promise<void>((resolve) => deflater.once('drain', resolve));
	}
	deflater.end();
	await ended;
	return { name, method, crc, size, compressed, compressedSize };
}

function dosDateTime(date: Date): { time: number; day: number } {
	const year = Math.max(1980, date.getUTCFullYear());
	return {
		time: (date.getUTCHours() << 11) | (date.getUTCMinutes() << 5) | (date.getUTCSeconds() >> 1),
		day: ((year - 1980) << 9) | ((date.getUTCMonth() + 1) << 5) | date.getUTCDate(),
	};
}

/** Builds a ZIP archive (UTF-8 names, deflate) from the entries, in order. */
export async function writeZip(entries: readonly ZipEntry[], modified = new Date(Date.UTC(2025, 0, 1))): Promise<Buffer> {
	const { time, day } = dosDateTime(modified);
	const parts: Buffer[] = [];
	const central: Buffer[] = [];
	let offset = 0;
	for (const entry of entries) {
		const prepared = await prepare(entry);
		const local = Buffer.alloc(30);
		local.writeUInt32LE(0x04034b50, 0);
		local.writeUInt16LE(20, 4); // version needed: 2.0 (deflate)
		local.writeUInt16LE(0x0800, 6); // names are UTF-8
		local.writeUInt16LE(prepared.method, 8);
		local.writeUInt16LE(time, 10);
		local.writeUInt16LE(day, 12);
		local.writeUInt32LE(prepared.crc, 14);
		local.writeUInt32LE(prepared.compressedSize, 18);
		local.writeUInt32LE(prepared.size, 22);
		local.writeUInt16LE(prepared.name.length, 26);
		local.writeUInt16LE(0, 28);
		parts.push(local, prepared.name, ...prepared.compressed);

		const header = Buffer.alloc(46);
		header.writeUInt32LE(0x02014b50, 0);
		header.writeUInt16LE(20, 4);
		header.writeUInt16LE(20, 6);
		header.writeUInt16LE(0x0800, 8);
		header.writeUInt16LE(prepared.method, 10);
		header.writeUInt16LE(time, 12);
		header.writeUInt16LE(day, 14);
		header.writeUInt32LE(prepared.crc, 16);
		header.writeUInt32LE(prepared.compressedSize, 20);
		header.writeUInt32LE(prepared.size, 24);
		header.writeUInt16LE(prepared.name.length, 28);
		// extra, comment, disk, internal and external attributes stay 0
		header.writeUInt32LE(offset, 42);
		central.push(header, prepared.name);

		offset += local.length + prepared.name.length + prepared.compressedSize;
	}
	const centralSize = central.reduce((sum, part) => sum + part.length, 0);
	const end = Buffer.alloc(22);
	end.writeUInt32LE(0x06054b50, 0);
	end.writeUInt16LE(entries.length, 8);
	end.writeUInt16LE(entries.length, 10);
	end.writeUInt32LE(centralSize, 12);
	end.writeUInt32LE(offset, 16);
	return Buffer.concat([...parts, ...central, end]);
}
