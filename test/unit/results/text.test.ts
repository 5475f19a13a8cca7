import { decodeChunks, decodeXmlEntities, decodeXmlText } from '../../../nodes/EKycPro/results/text';

async function decodeAll(pieces: Uint8Array[], encoding?: string): Promise<string> {
	async function* source() {
		for (const piece of pieces) yield piece;
	}
	let text = '';
	for await (const chunk of decodeChunks(source(), encoding)) text += chunk;
	return text;
}

describe('decodeChunks', () => {
	const text = 'a é 中 😀 b ع ß €\n'.repeat(3);
	const bytes = new TextEncoder().encode(`\uFEFF${text}`);

	it('gives back the text however the bytes are cut, characters of 1 to 4 bytes included, BOM dropped', async () => {
		for (let cut = 0; cut <= bytes.length; cut++) {
			expect(await decodeAll([bytes.subarray(0, cut), bytes.subarray(cut)])).toBe(text);
		}
		const single = Array.from(bytes, (byte) => new Uint8Array([byte]));
		expect(await decodeAll(single)).toBe(text);
	});

	it('decodes UTF-16 text exports', async () => {
		const utf16 = new Uint8Array(Buffer.from(`\uFEFF${text}`, 'utf16le'));
		expect(await decodeAll([utf16.subarray(0, 7), utf16.subarray(7)], 'utf-16le')).toBe(text);
	});
});

describe('XML text decoding', () => {
	it('replaces the predefined entities and character references, and leaves unknown ones as written', () => {
		expect(
			decodeXmlEntities(
				'&lt;a&gt; &amp;amp; &quot;q&quot; &apos;s&apos; &#43;&#x2B;&#X2b; &#128512; &nbsp; & &#xZZ; &#;',
			),
		).toBe('<a> &amp; "q" \'s\' +++ 😀 &nbsp; & &#xZZ; &#;');
	});

	it('decodes CDATA sections and Excel escapes only in strings', () => {
		expect(decodeXmlText('a<![CDATA[<b> & c]]>&amp;d', true)).toBe('a<b> & c&d');
		expect(decodeXmlText('x_x000A_y_x005F_x0041_', true)).toBe('x\ny_x0041_');
		expect(decodeXmlText('x_x000A_y', false)).toBe('x_x000A_y');
	});
});
