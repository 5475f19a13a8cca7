// Normalising a million numbers: prints wall and CPU time, duplicates and memory for E.164, national and mixed input.
// Run: npx tsx bench/numbers/run.ts
import { NumberCollector, splitNumberList } from '../../nodes/EKycPro/numbers';
const N = 1_000_000;
function makeInputs(kind: string): unknown[] {
	const out: unknown[] = new Array(N);
	for (let i = 0; i < N; i++) {
		const sub = String(1000000 + (i % 900000)).slice(1); // 6 digits, repeats after 900k -> 100k duplicates
		if (kind === 'e164') out[i] = `+41798${sub}`;
		else if (kind === 'national') out[i] = `079 8${sub.slice(0, 2)} ${sub.slice(2, 4)} ${sub.slice(4)}`;
		else if (kind === 'mixed')
			out[i] =
				i % 4 === 0
					? `+41798${sub}`
					: i % 4 === 1
						? `0798${sub}`
						: i % 4 === 2
							? Number(`41798${sub}`)
							: `+41 (0)79 8${sub.slice(0, 2)} ${sub.slice(2, 4)} ${sub.slice(4)}`;
	}
	return out;
}
for (const kind of ['e164', 'national', 'mixed']) {
	const inputs = makeInputs(kind);
	for (const removeDuplicates of [true, false])
		for (let run = 0; run < 3; run++) {
			global.gc?.();
			const heapBefore = process.memoryUsage().heapUsed;
			const cpu0 = process.cpuUsage();
			const t0 = performance.now();
			const c = new NumberCollector({ defaultCountry: 'CH', removeDuplicates });
			for (let i = 0; i < N; i++) c.add(inputs[i], i);
			const t1 = performance.now();
			const cpuAdd = process.cpuUsage(cpu0);
			const text = c.toUploadText();
			const t2 = performance.now();
			const r = c.result();
			console.log(
				`${kind.padEnd(8)} dedup=${removeDuplicates ? 'on ' : 'off'} add ${(t1 - t0).toFixed(0)} ms wall / ${((cpuAdd.user + cpuAdd.system) / 1000).toFixed(0)} ms cpu, toUploadText ${(t2 - t1).toFixed(0)} ms, accepted ${r.numbers.length}, dup ${r.duplicates}, rejected ${r.rejected.length}, text ${(text.length / 1e6).toFixed(1)} MB, heap +${((process.memoryUsage().heapUsed - heapBefore) / 1e6).toFixed(0)} MB`,
			);
		}
}
const list = Array.from({ length: N }, (_, i) => `+1 415 555 ${String(1000 + (i % 9000))}`).join('\n');
const t0 = performance.now();
const parts = splitNumberList(list);
console.log(`splitNumberList 1M lines with spaces: ${(performance.now() - t0).toFixed(0)} ms, ${parts.length} parts`);
const list2 = Array.from({ length: N }, (_, i) => `+4179${String(1000000 + i).slice(1)}`).join('\n');
const t1 = performance.now();
const parts2 = splitNumberList(list2);
console.log(`splitNumberList 1M plain lines: ${(performance.now() - t1).toFixed(0)} ms, ${parts2.length} parts`);
