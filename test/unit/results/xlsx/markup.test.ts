/**
 * The helpers both workbook parsers share (xlsx/markup.ts): the document's namespace prefix, and the text of a
 * shared or inline string item.
 */
import { collectText, rootPrefix, stripPrefix } from '../../../../nodes/EKycPro/results/xlsx/markup';

describe('rootPrefix', () => {
	it('is the prefix of the document element, past the declaration and comments', () => {
		expect(rootPrefix('<?xml version="1.0"?>\n<!-- made by hand --><worksheet xmlns="main">')).toBe('');
		expect(rootPrefix('<?xml version="1.0"?><x:worksheet xmlns:x="main">')).toBe('x:');
		expect(rootPrefix('<ss:sst>')).toBe('ss:');
	});

	it('is not known yet while the document element is cut off', () => {
		expect(rootPrefix('')).toBeUndefined();
		expect(rootPrefix('<?xml version="1.0"')).toBeUndefined();
		expect(rootPrefix('<?xml version="1.0"?><x:work')).toBeUndefined();
	});
});

describe('stripPrefix', () => {
	it('removes the prefix from start and end tags only', () => {
		expect(stripPrefix('<x:row r="1"><x:c><x:v>x:1</x:v></x:c></x:row>', 'x:')).toBe(
			'<row r="1"><c><v>x:1</v></c></row>',
		);
		expect(stripPrefix('<row/>', '')).toBe('<row/>');
	});
});

describe('collectText', () => {
	it('reads a plain item, decoding entities and _xHHHH_ escapes', () => {
		expect(collectText('<t>Tom &amp; Jerry_x000D_</t>')).toBe('Tom & Jerry\r');
		expect(collectText('<t xml:space="preserve"> padded </t>')).toBe(' padded ');
		expect(collectText('<t/>')).toBe('');
		expect(collectText('')).toBe('');
	});

	it('joins rich text runs and leaves out phonetic runs', () => {
		expect(collectText('<r><t>Bold</t></r><r><rPr><b/></rPr><t xml:space="preserve"> and plain</t></r>')).toBe(
			'Bold and plain',
		);
		expect(collectText('<r><t>東京</t></r><rPh sb="0" eb="2"><t>トウキョウ</t></rPh><phoneticPr fontId="1"/>')).toBe(
			'東京',
		);
	});
});
