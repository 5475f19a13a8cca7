import { DEFAULT_SCHEDULE, parseApiTime, suggestNextCheckMs } from '../../nodes/EKycPro/polling/schedule';

const MINUTE = 60_000;
const now = Date.parse('2026-11-30T12:00:00Z');

describe("suggestNextCheckMs: Get Status's next_check_in_seconds", () => {
	test('half done after ten minutes: far from the end, a fraction of the ten minutes left', () => {
		const task = {
			status: 'processing',
			total: 20_000,
			success: 9_800,
			failure: 200,
			created_at: '2026-11-30T11:50:00Z',
		};
		const delay = suggestNextCheckMs(task, now) as number;
		expect(delay).toBeGreaterThanOrEqual(2 * MINUTE);
		expect(delay).toBeLessThan(10 * MINUTE);
	});

	test('nearly done: just after the estimated end, not minutes later', () => {
		const task = { status: 'processing', total: 1_000, success: 990, failure: 0, created_at: '2026-11-30T11:50:00Z' };
		expect(suggestNextCheckMs(task, now) as number).toBeLessThan(MINUTE);
	});

	test('a later start asks sooner than an early one at the same progress (the age is the evidence)', () => {
		const base = { status: 'processing', total: 10_000, success: 5_000, failure: 0 };
		const young = suggestNextCheckMs({ ...base, created_at: '2026-11-30T11:58:00Z' }, now) as number;
		const old = suggestNextCheckMs({ ...base, created_at: '2026-11-30T11:00:00Z' }, now) as number;
		expect(young).toBeLessThan(old);
	});

	test("within the schedule's bounds, also without a creation time", () => {
		for (const task of [
			{ status: 'pending', total: 0, success: 0, failure: 0 },
			{ status: 'processing', total: 100, success: 1, failure: 0, created_at: 'not a date' },
			{ status: 'completed', total: 100, success: 100, failure: 0, created_at: '2026-11-30T11:59:00Z' },
		]) {
			const delay = suggestNextCheckMs(task, now) as number;
			expect(delay).toBeGreaterThanOrEqual(DEFAULT_SCHEDULE.minIntervalMs);
			expect(delay).toBeLessThanOrEqual(DEFAULT_SCHEDULE.maxIntervalMs);
		}
	});

	test('nothing to suggest once the task is exported or failed', () => {
		expect(suggestNextCheckMs({ status: 'exported', total: 5, success: 5, failure: 0 }, now)).toBeUndefined();
		expect(suggestNextCheckMs({ status: 'FAILED', total: 5, success: 1, failure: 0 }, now)).toBeUndefined();
	});

	test("the API's timestamps, nanoseconds included", () => {
		expect(parseApiTime('2026-11-30T11:50:00.123456789Z')).toBe(Date.parse('2026-11-30T11:50:00.123Z'));
		expect(parseApiTime('2026-11-30T11:50:00Z')).toBe(Date.parse('2026-11-30T11:50:00Z'));
		expect(parseApiTime('soon')).toBeUndefined();
		expect(parseApiTime(undefined)).toBeUndefined();
	});
});
