/**
 * mulberry32: a small deterministic generator, so that generated files, damaged files and simulated results are the
 * same on every run. One seed, a stream of 32-bit draws.
 */
export function uint32Draws(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let value = state;
		value = Math.imul(value ^ (value >>> 15), value | 1);
		value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
		return (value ^ (value >>> 14)) >>> 0;
	};
}

/** The same stream as fractions in [0, 1). */
export function fractionDraws(seed: number): () => number {
	const next = uint32Draws(seed);
	return () => next() / 4294967296;
}
