/**
 * CRC-32 (the ZIP polynomial 0xEDB88320), slice-by-8: eight table lookups per eight bytes, so checking every
 * entry costs a fraction of inflating it.
 */
const TABLES = buildTables();

function buildTables(): Int32Array {
	const tables = new Int32Array(256 * 8);
	for (let n = 0; n < 256; n++) {
		let c = n;
		for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
		tables[n] = c;
	}
	for (let n = 0; n < 256; n++) {
		let c = tables[n];
		for (let t = 1; t < 8; t++) {
			c = tables[c & 0xff] ^ (c >>> 8);
			tables[t * 256 + n] = c;
		}
	}
	return tables;
}

/** Continues a running CRC-32 over `bytes`; start with 0, the result is the unsigned CRC. */
export function updateCrc32(crc: number, bytes: Uint8Array): number {
	const t = TABLES;
	let c = ~crc;
	let i = 0;
	const length = bytes.length;
	const fastEnd = length - (length & 7);
	while (i < fastEnd) {
		const lo = c ^ (bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24));
		c =
			t[1792 + (lo & 0xff)] ^
			t[1536 + ((lo >>> 8) & 0xff)] ^
			t[1280 + ((lo >>> 16) & 0xff)] ^
			t[1024 + (lo >>> 24)] ^
			t[768 + bytes[i + 4]] ^
			t[512 + bytes[i + 5]] ^
			t[256 + bytes[i + 6]] ^
			t[bytes[i + 7]];
		i += 8;
	}
	while (i < length) c = t[(c ^ bytes[i++]) & 0xff] ^ (c >>> 8);
	return ~c >>> 0;
}
