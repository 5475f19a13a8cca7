/**
 * A test-only ZIP writer, independent of the reader under test: Node's zlib does the deflating and the CRC-32.
 * It can write what the reader must cope with: stored and deflated entries, data descriptors (bit 3, zero sizes in
 * the local header), ZIP64 records and extra fields, and deliberately wrong checksums or sizes.
 */
import { crc32, deflateRawSync, inflateRawSync } from 'zlib';

export interface ZipInput {
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

export interface ZipOptions {
	/** Use ZIP64 extra fields for every entry and write the ZIP64 end records. */
	zip64?: boolean;
	comment?: string;
}

const encoder = new TextEncoder();

export function writeZip(inputs: ZipInput[], options: ZipOptions = {}): Buffer {
	const zip64 = options.zip64 === true;
	const locals: Buffer[] = [];
	const centrals: Buffer[] = [];
	let offset = 0;
	for (const input of inputs) {
		const raw = typeof input.data === 'string' ? Buffer.from(encoder.encode(input.data)) : Buffer.from(input.data);
		const method = input.method ?? 8;
		const body = method === 8 ? deflateRawSync(raw) : raw;
		const crc = input.crc32 ?? crc32(raw);
		const size = input.uncompressedSize ?? raw.length;
		const name = Buffer.from(input.name, 'utf8');
		const flags = 0x0800 | (input.dataDescriptor ? 0x0008 : 0);

		const localExtra = zip64 ? zip64Extra([size, body.length]) : Buffer.alloc(0);
		const local = Buffer.alloc(30);
		local.writeUInt32LE(0x04034b50, 0);
		local.writeUInt16LE(zip64 ? 45 : 20, 4);
		local.writeUInt16LE(flags, 6);
		local.writeUInt16LE(method, 8);
		local.writeUInt32LE(0x21000000, 10); // 1996-08-01 00:00, any valid DOS time
		if (!input.dataDescriptor) {
			local.writeUInt32LE(crc, 14);
			local.writeUInt32LE(zip64 ? 0xffffffff : body.length, 18);
			local.writeUInt32LE(zip64 ? 0xffffffff : size, 22);
		}
		local.writeUInt16LE(name.length, 26);
		local.writeUInt16LE(localExtra.length, 28);
		const parts = [local, name, localExtra, body];
		if (input.dataDescriptor) {
			const descriptor = Buffer.alloc(zip64 ? 24 : 16);
			descriptor.writeUInt32LE(0x08074b50, 0);
			descriptor.writeUInt32LE(crc, 4);
			if (zip64) {
				descriptor.writeBigUInt64LE(BigInt(body.length), 8);
				descriptor.writeBigUInt64LE(BigInt(size), 16);
			} else {
				descriptor.writeUInt32LE(body.length, 8);
				descriptor.writeUInt32LE(size, 12);
			}
			parts.push(descriptor);
		}
		const localRecord = Buffer.concat(parts);

		const centralExtra = zip64 ? zip64Extra([size, body.length, offset]) : Buffer.alloc(0);
		const central = Buffer.alloc(46);
		central.writeUInt32LE(0x02014b50, 0);
		central.writeUInt16LE(zip64 ? 45 : 20, 4);
		central.writeUInt16LE(zip64 ? 45 : 20, 6);
		central.writeUInt16LE(flags, 8);
		central.writeUInt16LE(method, 10);
		central.writeUInt32LE(0x21000000, 12);
		central.writeUInt32LE(crc, 16);
		central.writeUInt32LE(zip64 ? 0xffffffff : body.length, 20);
		central.writeUInt32LE(zip64 ? 0xffffffff : size, 24);
		central.writeUInt16LE(name.length, 28);
		central.writeUInt16LE(centralExtra.length, 30);
		central.writeUInt32LE(zip64 ? 0xffffffff : offset, 42);
		centrals.push(Buffer.concat([central, name, centralExtra]));
		locals.push(localRecord);
		offset += localRecord.length;
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
		record.writeBigUInt64LE(BigInt(inputs.length), 24);
		record.writeBigUInt64LE(BigInt(inputs.length), 32);
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
	end.writeUInt16LE(zip64 ? 0xffff : inputs.length, 8);
	end.writeUInt16LE(zip64 ? 0xffff : inputs.length, 10);
	end.writeUInt32LE(zip64 ? 0xffffffff : directory.length, 12);
	end.writeUInt32LE(zip64 ? 0xffffffff : directoryOffset, 16);
	end.writeUInt16LE(comment.length, 20);
	return Buffer.concat([...locals, directory, ...tail, end, comment]);
}

function zip64Extra(values: number[]): Buffer {
	const extra = Buffer.alloc(4 + values.length * 8);
	extra.writeUInt16LE(0x0001, 0);
	extra.writeUInt16LE(values.length * 8, 2);
	values.forEach((value, index) => extra.writeBigUInt64LE(BigInt(value), 4 + index * 8));
	return extra;
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
		entries.set(name, method === 8 ? inflateRawSync(body) : Buffer.from(body));
		position += 46 + nameLength + extraLength + commentLength;
	}
	return entries;
}
