/**
 * Request body parsing for the simulated API: multipart/form-data (hand-written, RFC 7578), URL-encoded forms and
 * JSON, all reduced to named fields.
 */

export interface FormField {
	name: string;
	/** Set when the part carried a filename (an uploaded file). */
	filename?: string;
	contentType?: string;
	data: Buffer;
}

export class BodyParseError extends Error {}

function headerParameter(header: string, name: string): string | undefined {
	// Matches name="quoted value" or name=token, case-insensitively, after a `;` or at the start.
	const pattern = new RegExp(`(?:^|;)\\s*${name}\\*?=\\s*(?:"((?:[^"\\\\]|\\\\.)*)"|([^;\\s]+))`, 'i');
	const match = pattern.exec(header);
	if (!match) return undefined;
	return match[1] !== undefined ? match[1].replace(/\\(.)/g, '$1') : match[2];
}

export function parseMultipart(body: Buffer, contentType: string): FormField[] {
	const boundary = headerParameter(contentType, 'boundary');
	if (!boundary) throw new BodyParseError('multipart body without a boundary');
	// Searching for CRLF--boundary in CRLF+body finds the first delimiter too, which has no CRLF before it.
	const delimiter = Buffer.from(`\r\n--${boundary}`, 'latin1');
	const data = Buffer.concat([Buffer.from('\r\n'), body]);
	const fields: FormField[] = [];
	let position = data.indexOf(delimiter);
	if (position < 0) throw new BodyParseError('multipart body without its boundary');
	for (;;) {
		let partStart = position + delimiter.length;
		if (data.subarray(partStart, partStart + 2).toString('latin1') === '--') break; // closing delimiter
		// Skip transport padding and the CRLF after the delimiter.
		while (data[partStart] === 0x20 || data[partStart] === 0x09) partStart++;
		if (data[partStart] !== 0x0d || data[partStart + 1] !== 0x0a)
			throw new BodyParseError('malformed multipart delimiter');
		partStart += 2;
		const next = data.indexOf(delimiter, partStart);
		if (next < 0) throw new BodyParseError('multipart body ends without its closing boundary');
		const part = data.subarray(partStart, next);
		const headerEnd = part.indexOf('\r\n\r\n');
		if (headerEnd < 0) throw new BodyParseError('multipart part without headers');
		const headers = new Map<string, string>();
		for (const line of part.subarray(0, headerEnd).toString('utf8').split('\r\n')) {
			const colon = line.indexOf(':');
			if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
		}
		const disposition = headers.get('content-disposition') ?? '';
		const name = headerParameter(disposition, 'name');
		if (name !== undefined) {
			fields.push({
				name,
				filename: headerParameter(disposition, 'filename'),
				contentType: headers.get('content-type'),
				data: part.subarray(headerEnd + 4),
			});
		}
		position = next;
	}
	return fields;
}

/** Fields of a multipart, URL-encoded or JSON body; an empty list for an empty body. */
export function parseForm(body: Buffer, contentType: string | undefined): FormField[] {
	const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
	if (type === 'multipart/form-data') return parseMultipart(body, contentType ?? '');
	if (body.length === 0) return [];
	if (type === 'application/x-www-form-urlencoded') {
		return [...new URLSearchParams(body.toString('utf8'))].map(([name, value]) => ({
			name,
			data: Buffer.from(value, 'utf8'),
		}));
	}
	if (type === 'application/json') {
		let parsed: unknown;
		try {
			parsed = JSON.parse(body.toString('utf8'));
		} catch {
			throw new BodyParseError('body is not valid JSON');
		}
		if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
			throw new BodyParseError('JSON body is not an object');
		return Object.entries(parsed as Record<string, unknown>)
			.filter(([, value]) => typeof value === 'string' || typeof value === 'number')
			.map(([name, value]) => ({ name, data: Buffer.from(String(value), 'utf8') }));
	}
	throw new BodyParseError(`unsupported Content-Type ${type || '(none)'}`);
}
