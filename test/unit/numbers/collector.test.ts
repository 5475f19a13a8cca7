import { NumberCollector } from '../../../nodes/EKycPro/numbers';

describe('NumberCollector', () => {
	test('drops duplicates by E.164 whatever their format, keeps first-seen order, reports rejects', () => {
		const collector = new NumberCollector({ defaultCountry: 'CH', removeDuplicates: true });
		expect(collector.add('+41 79 828 46 51', 0)).toEqual({ ok: true, e164: '+41798284651' });
		expect(collector.add('+44 7700 900123', 1)).toEqual({ ok: true, e164: '+447700900123' });
		expect(collector.add('079 828 46 51', 2)).toEqual({ ok: true, e164: '+41798284651', duplicate: true });
		expect(collector.add('abc', 3)).toEqual({ ok: false, reason: expect.stringMatching(/letters/) });
		expect(collector.add(41798284651, 4)).toEqual({ ok: true, e164: '+41798284651', duplicate: true });
		expect(collector.add(null, 5)).toEqual({ ok: false, reason: 'The number is empty.' });
		expect(collector.add('0041 21 123 45 67', 6)).toEqual({ ok: true, e164: '+41211234567' });

		const batch = collector.result();
		expect(batch.numbers).toEqual(['+41798284651', '+447700900123', '+41211234567']);
		expect(batch.duplicates).toBe(2);
		expect(batch.rejected).toEqual([
			{ value: 'abc', index: 3, reason: expect.stringMatching(/letters/) },
			{ value: '(null)', index: 5, reason: 'The number is empty.' },
		]);
		expect(collector.toUploadText()).toBe('+41798284651\n+447700900123\n+41211234567');
	});

	test('a value that never reached add (a missing field) is reported in order with the others', () => {
		const collector = new NumberCollector({ removeDuplicates: true });
		collector.add('abc', 0);
		collector.reject(undefined, 1, 'The item has no field "phone"');
		collector.reject('x'.repeat(500), 2, 'The field is too long');
		expect(collector.result().rejected).toEqual([
			{ value: 'abc', index: 0, reason: expect.stringMatching(/letters/) },
			{ value: '(missing)', index: 1, reason: 'The item has no field "phone"' },
			{ value: `${'x'.repeat(200)}…`, index: 2, reason: 'The field is too long' },
		]);
	});

	test('keeps duplicates when not asked to remove them', () => {
		const collector = new NumberCollector({ removeDuplicates: false });
		for (const [index, raw] of ['+41798284651', '+41 79 828 46 51', '0041798284651'].entries()) {
			expect(collector.add(raw, index)).toEqual({ ok: true, e164: '+41798284651' });
		}
		expect(collector.result()).toEqual({
			numbers: ['+41798284651', '+41798284651', '+41798284651'],
			rejected: [],
			duplicates: 0,
		});
		expect(collector.toUploadText()).toBe('+41798284651\n+41798284651\n+41798284651');
	});

	test('without a Default Country, national numbers are rejected with a reason', () => {
		const collector = new NumberCollector({ removeDuplicates: true });
		collector.add('079 828 46 51', 7);
		expect(collector.result().rejected).toEqual([
			{ value: '079 828 46 51', index: 7, reason: expect.stringMatching(/set Default Country/) },
		]);
		expect(collector.toUploadText()).toBe('');
	});

	test('rejected values of other types are reported as text', () => {
		const collector = new NumberCollector({ defaultCountry: 'DE', removeDuplicates: true });
		collector.add({ phone: '123' }, 0);
		collector.add(12.5, 1);
		expect(collector.result().rejected.map((entry) => entry.value)).toEqual(['{"phone":"123"}', '12.5']);
	});

	test('an unknown Default Country is refused up front', () => {
		expect(() => new NumberCollector({ defaultCountry: 'ZZ', removeDuplicates: true })).toThrow(
			'Default Country "ZZ" is not a known two-letter country code',
		);
	});

	test('numbers that differ in one digit, or by exactly 2^32 as integers, are not duplicates', () => {
		const collector = new NumberCollector({ removeDuplicates: true });
		const inputs = ['+41798284651', '+41798284615', '+14155552671', '+18450519967', '+41798284651'];
		for (const [index, raw] of inputs.entries()) collector.add(raw, index);
		expect(collector.result()).toEqual({
			numbers: ['+41798284651', '+41798284615', '+14155552671', '+18450519967'],
			rejected: [],
			duplicates: 1,
		});
	});

	test('a million numbers: counts, order and upload text', () => {
		const total = 1_000_000;
		const collector = new NumberCollector({ defaultCountry: 'CH', removeDuplicates: true });
		for (let index = 0; index < total; index++) {
			if (index % 10 === 9) {
				collector.add('n/a', index);
				continue;
			}
			// 500,000 distinct numbers, each given twice (at index and index + 500,000), in three formats.
			const subscriber = 798000000 + (index % 500000);
			const format = index % 3;
			const raw =
				format === 0
					? `+41${subscriber}`
					: format === 1
						? `0${String(subscriber).slice(0, 2)} ${String(subscriber).slice(2, 5)} ${String(subscriber).slice(5)}`
						: subscriber;
			collector.add(raw, index);
		}
		const batch = collector.result();
		// Every 10th index is rejected; the other 900,000 hold 450,000 distinct numbers, each twice.
		expect(batch.rejected).toHaveLength(100_000);
		expect(batch.rejected[0]).toEqual({ value: 'n/a', index: 9, reason: expect.stringMatching(/letters/) });
		expect(batch.rejected[99_999].index).toBe(999_999);
		expect(batch.numbers).toHaveLength(450_000);
		expect(batch.duplicates).toBe(450_000);
		expect(batch.numbers.slice(0, 3)).toEqual(['+41798000000', '+41798000001', '+41798000002']);
		expect(batch.numbers[batch.numbers.length - 1]).toBe('+41798499998');

		const lines = collector.toUploadText().split('\n');
		expect(lines).toHaveLength(450_000);
		expect(new Set(lines).size).toBe(450_000);
		expect(lines.every((line) => /^\+41798[0-9]{6}$/.test(line))).toBe(true);
	});
});
