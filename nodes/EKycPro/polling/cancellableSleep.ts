/**
 * The one cancellable sleep, for the wait loop and the transport's retry back-off. Effects are injected: the nodes
 * pass n8n-workflow's `sleep` (no timers of our own: n8n's cloud rules forbid them) and their cancel signal; tests
 * and the benchmark pass a fake clock.
 */

export interface SleepEffects {
	sleep(ms: number): Promise<void>;
	isCancelled(): boolean;
}

/**
 * Sleeps `ms` in slices of at most `sliceMs`, so a cancelled execution stops within one slice, not after a wait of
 * minutes. Returns false when cancelled (before, during or right after the sleep), true when the whole time passed.
 */
export async function cancellableSleep(ms: number, sliceMs: number, effects: SleepEffects): Promise<boolean> {
	let slept = 0;
	while (slept < ms) {
		if (effects.isCancelled()) return false;
		// A slice of 0 would never end: then the whole time is one slice.
		const slice = Math.min(sliceMs > 0 ? sliceMs : ms, ms - slept);
		await effects.sleep(slice);
		slept += slice;
	}
	return !effects.isCancelled();
}
