/**
 * Polling benchmark on a simulated clock: how many status calls each schedule spends on a task, and how long after
 * the result file was exported the wait loop saw it. The task shapes are described in `simulate.ts`.
 *
 *   npx tsx bench/polling/run.ts            tasks of 1 min, 10 min, 30 min and 3 h
 *   npx tsx bench/polling/run.ts --brief    only the 30-minute tasks
 *
 * Every cell runs 12 variants: export phases of 10, 35 and 60 s, each at 4 phases (the task takes 0, 13, 29 or 47 s
 * longer, so a fixed schedule's figures do not hinge on its interval dividing the duration). Targets (DESIGN.md): a
 * 30-minute task followed with at most ~15 status calls, its end seen within about a minute.
 */

import { DEFAULT_SCHEDULE, type ScheduleOptions } from '../../nodes/EKycPro/polling/schedule';
import { runScenario, type Shape } from './simulate';

const SCHEDULES: Array<{ name: string; options: ScheduleOptions }> = [
	{ name: 'adaptive (default)', options: DEFAULT_SCHEDULE },
	// The default maximum is 10 min; this shows what a 5-minute cap costs.
	{ name: 'adaptive, max 5 min', options: { ...DEFAULT_SCHEDULE, maxIntervalMs: 5 * 60_000 } },
	{ name: 'fixed 10 s', options: { ...DEFAULT_SCHEDULE, mode: 'fixed', fixedIntervalMs: 10_000 } },
	{ name: 'fixed 60 s', options: { ...DEFAULT_SCHEDULE, mode: 'fixed', fixedIntervalMs: 60_000 } },
];
const DURATIONS: Array<[string, number]> = [
	['1 min', 60_000],
	['10 min', 600_000],
	['30 min', 1_800_000],
	['3 h', 3 * 3600_000],
];
/** The brief's two shapes first; the targets are checked on them. The others probe what the schedule risks. */
const TARGET_SHAPES: Shape[] = ['steady', 'stalling'];
const SHAPES: Shape[] = [...TARGET_SHAPES, 'bursty', 'queued', 'wavy', 'speeding', 'straggling'];
const EXPORTS_MS = [10_000, 35_000, 60_000];
const PHASES_MS = [0, 13_000, 29_000, 47_000];
const TARGET_CALLS = 15;
const TARGET_LATE_MS = 60_000;

interface Tally {
	runs: number;
	calls: number;
	maxCalls: number;
	lateMs: number;
	maxLateMs: number;
}

function emptyTally(): Tally {
	return { runs: 0, calls: 0, maxCalls: 0, lateMs: 0, maxLateMs: 0 };
}

function add(tally: Tally, calls: number, lateMs: number): void {
	tally.runs++;
	tally.calls += calls;
	tally.maxCalls = Math.max(tally.maxCalls, calls);
	tally.lateMs += lateMs;
	tally.maxLateMs = Math.max(tally.maxLateMs, lateMs);
}

/** "calls mean/max, late mean/max s" */
function describe(tally: Tally): string {
	const meanCalls = (tally.calls / tally.runs).toFixed(1);
	const meanLate = (tally.lateMs / tally.runs / 1000).toFixed(0);
	return `${meanCalls}/${tally.maxCalls} calls, ${meanLate}/${(tally.maxLateMs / 1000).toFixed(0)} s`;
}

function pad(text: string, width: number): string {
	return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

async function main(): Promise<void> {
	const brief = process.argv.includes('--brief');
	const durations = brief ? DURATIONS.filter(([label]) => label === '30 min') : DURATIONS;
	const columns = [22, 28, 28, 28, 28];
	const row = (cells: string[]) => console.log(cells.map((cell, index) => pad(cell, columns[index])).join(''));
	const started = Date.now();

	const { minIntervalMs, maxIntervalMs } = DEFAULT_SCHEDULE;
	console.log(`adaptive defaults: min ${minIntervalMs / 1000} s, max ${maxIntervalMs / 1000} s`);
	console.log('cells: status calls mean/max, then s from export to the call that saw it mean/max (12 runs each)\n');
	row(['task', ...SCHEDULES.map((schedule) => schedule.name)]);

	const targetTallies = new Map<string, Tally>();
	for (const [label, baseMs] of durations) {
		for (const shape of SHAPES) {
			const cells = [`${label} ${shape}`];
			for (const schedule of SCHEDULES) {
				const tally = emptyTally();
				for (const exportMs of EXPORTS_MS) {
					for (const phaseMs of PHASES_MS) {
						const scenario = { durationMs: baseMs + phaseMs, shape, exportMs };
						const result = await runScenario(scenario, schedule.options);
						if (result.kind !== 'exported') {
							throw new Error(`${cells[0]} / ${schedule.name}: ended ${result.kind}`);
						}
						add(tally, result.calls, result.lateMs);
						if (label === '30 min' && TARGET_SHAPES.includes(shape)) {
							const total = targetTallies.get(schedule.name) ?? emptyTally();
							add(total, result.calls, result.lateMs);
							targetTallies.set(schedule.name, total);
						}
					}
				}
				cells.push(describe(tally));
			}
			row(cells);
		}
		console.log('');
	}

	console.log(`targets, 30-minute steady and stalling tasks: at most ~${TARGET_CALLS} calls, end seen within ~60 s`);
	for (const schedule of SCHEDULES) {
		const tally = targetTallies.get(schedule.name);
		if (!tally) continue;
		const met = tally.maxCalls <= TARGET_CALLS && tally.maxLateMs <= TARGET_LATE_MS;
		console.log(`  ${pad(schedule.name, 20)} ${describe(tally)}  ${met ? 'met' : 'not met'}`);
	}
	console.log(`\n(${((Date.now() - started) / 1000).toFixed(1)} s of real time)`);
}

main().catch((error) => {
	console.error(error);
	process.exitCode = 1;
});
