/**
 * Collects the numbers of one upload: normalises each, remembers the rejected ones with their reason and position,
 * and drops duplicates when asked. Built for a million numbers: one pass, a typed-array hash set for duplicates,
 * no per-number work beyond the normalisation itself.
 */

import type { CountryInfo } from './countries';
import { normaliseToE164, resolveDefaultCountry, type NormaliseResult } from './normalise';

export interface RejectedNumber {
	/** The value as given, as text (cut to 200 characters). */
	value: string;
	/** Position of the value in the input (item index, line number ...), as passed to `add`. */
	index: number;
	reason: string;
}

export interface NumberBatch {
	/** Accepted numbers in E.164, in first-seen order. */
	numbers: string[];
	rejected: RejectedNumber[];
	/** How many accepted numbers were dropped because the same E.164 number came earlier (0 unless removing them). */
	duplicates: number;
}

export interface NumberCollectorOptions {
	/** ISO 3166-1 alpha-2 code used to complete national numbers; empty or missing for none. */
	defaultCountry?: string;
	removeDuplicates: boolean;
}

/**
 * A set of E.164 numbers keyed by their digits as a float64 (15 digits fit exactly, and the leading digit is never
 * 0, so the value identifies the number). Open addressing in one typed array: no object or string kept per entry.
 */
class E164Set {
	private keys = new Float64Array(1 << 12);
	private mask = (1 << 12) - 1;
	private count = 0;

	/** Adds the number; false when it was there already. */
	add(e164: string): boolean {
		let value = 0;
		for (let i = 1; i < e164.length; i++) value = value * 10 + (e164.charCodeAt(i) - 48);
		if (this.count * 2 >= this.keys.length) this.grow();
		return this.insert(value);
	}

	private insert(value: number): boolean {
		const keys = this.keys;
		// Multiplicative hash of the low and high 32 bits of the value.
		let slot = (Math.imul((value >>> 0) ^ Math.floor(value / 4294967296), 0x9e3779b1) >>> 0) & this.mask;
		for (;;) {
			const key = keys[slot];
			if (key === 0) {
				keys[slot] = value;
				this.count++;
				return true;
			}
			if (key === value) return false;
			slot = (slot + 1) & this.mask;
		}
	}

	private grow(): void {
		const old = this.keys;
		this.keys = new Float64Array(old.length * 2);
		this.mask = this.keys.length - 1;
		this.count = 0;
		for (let i = 0; i < old.length; i++) if (old[i] !== 0) this.insert(old[i]);
	}
}

/** Rejected values are kept for the report; a runaway value (a whole file in one field) is cut to this length. */
const MAX_REPORTED_VALUE_LENGTH = 200;

function valueAsText(raw: unknown): string {
	const text = describeValue(raw);
	return text.length > MAX_REPORTED_VALUE_LENGTH ? `${text.slice(0, MAX_REPORTED_VALUE_LENGTH)}…` : text;
}

function describeValue(raw: unknown): string {
	if (typeof raw === 'string') return raw;
	if (raw === undefined) return '(missing)';
	if (raw === null) return '(null)';
	if (typeof raw === 'number' || typeof raw === 'bigint' || typeof raw === 'boolean') return String(raw);
	try {
		return JSON.stringify(raw) ?? String(raw);
	} catch {
		return String(raw);
	}
}

export class NumberCollector {
	private readonly country: CountryInfo | undefined;
	private readonly removeDuplicates: boolean;
	private readonly numbers: string[] = [];
	private readonly rejected: RejectedNumber[] = [];
	private readonly seen: E164Set | undefined;
	private duplicates = 0;

	/** @throws Error when `defaultCountry` is not a known ISO 3166-1 alpha-2 code. */
	constructor(options: NumberCollectorOptions) {
		const country = resolveDefaultCountry(options.defaultCountry);
		if (typeof country === 'string') throw new Error(country);
		this.country = country;
		this.removeDuplicates = options.removeDuplicates;
		this.seen = options.removeDuplicates ? new E164Set() : undefined;
	}

	/**
	 * Normalises `raw` and keeps it (or records why not). `index` is where the value came from, for the report.
	 * `duplicate: true` means the number is valid but was dropped because it came before.
	 */
	add(raw: unknown, index: number): NormaliseResult & { duplicate?: boolean } {
		const result = normaliseToE164(raw, this.country);
		if (typeof result !== 'string') {
			this.rejected.push({ value: valueAsText(raw), index, reason: result.reason });
			return { ok: false, reason: result.reason };
		}
		if (this.seen !== undefined && !this.seen.add(result)) {
			this.duplicates++;
			return { ok: true, e164: result, duplicate: true };
		}
		this.numbers.push(result);
		return { ok: true, e164: result };
	}

	/** Records a value that never reached `add` (an absent or empty field), so the report has every rejection. */
	reject(raw: unknown, index: number, reason: string): void {
		this.rejected.push({ value: valueAsText(raw), index, reason });
	}

	/** What was collected so far. The arrays are the collector's own: do not change them while adding more. */
	result(): NumberBatch {
		return { numbers: this.numbers, rejected: this.rejected, duplicates: this.removeDuplicates ? this.duplicates : 0 };
	}

	/** The upload file's text: one E.164 number per line, separated by `\n`, no trailing newline. */
	toUploadText(): string {
		return this.numbers.join('\n');
	}
}
