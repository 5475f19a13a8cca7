/**
 * A simulated clock for workflow tests: runs a workflow whose nodes wait for minutes (the Wait node's polling, the
 * transport's retry back-off) in a fraction of a second of real time, while real sockets to the sandbox keep working.
 *
 * How it works
 * - jest's modern fake timers replace `Date`, `setTimeout` and `setInterval` on the test's global. `nextTick`,
 *   `setImmediate`, `queueMicrotask`, `hrtime` and `performance` stay real, so Node's streams, sockets and promise
 *   chains run as usual. n8n-workflow's `sleep` (setTimeout) and `Date.now()` (read by the wait loop and by the sandbox,
 *   which defaults to `Date.now()`) are therefore on the simulated clock. The helper itself waits with the real timers
 *   of `node:timers`, which the fake timers do not replace.
 * - A driver loop lets real I/O happen (a real `setImmediate` turn, or a 1 ms real delay while something is busy),
 *   then moves the fake clock to the next pending timer and fires only that one, until the run's promise settles.
 * - It moves the clock only when no HTTP request is in flight. axios arms a global `setTimeout` for its request
 *   timeout (its connect-phase timer, and follow-redirects' wall-clock timer): a jump while a request waits for its
 *   answer would fire that timeout early and fail a request the server was about to answer. Requests are counted
 *   by wrapping `http.request` and `https.request` (what axios and follow-redirects call) for the length of a run:
 *   a request counts from its creation until its `close` event.
 * - It also moves the clock only after the process has been quiet (no request started or ended) for two real
 *   turns, so the continuation of an answer (parsing, then arming the next sleep) runs before time moves on.
 * - Only one timer fires per step (`jest.advanceTimersToNextTimer()`), never a range, so two timers that are close
 *   in simulated time still get real I/O between them.
 *
 * Rules for tests
 * - Load the package (`loadPackage()` from the harness) before installing the clock: n8n-core's services start an
 *   interval on first use, which must be a real one (the harness unrefs it).
 * - Start the sandbox with its default clock (`now` left out): it then reads the fake `Date.now()`.
 * - Uninstall the clock (afterEach) before anything else waits on real timers.
 * - Cancel or fault at a simulated instant from `onAdvance`, which runs at quiet moments only, or from a fake
 *   `setTimeout` set there (it fires at its simulated instant, between two of the node's timers).
 * - After a run, `idle(ms)` lets time go on to show what a node still does in the background (a loop that did not
 *   stop after a cancel keeps its timers and makes calls).
 *
 * Limits
 * - A request that never gets an answer holds the clock still: the run then fails after `maxRealMs` of real time
 *   (the sandbox's `slow` fault waits in real time, so it works). Simulated network latency is zero.
 * - Every fake timer counts, not only the node's: a harness `timeoutMs` or a retry-on-fail wait of n8n-core fire at
 *   their simulated instant too, which is what a test wants.
 * - A run never moves the clock past `maxSimulatedMs` (a fake timer at the limit stops it there) and then fails.
 */
import http from 'node:http';
import https from 'node:https';
import { performance as realPerformance } from 'node:perf_hooks';
import { setImmediate as realSetImmediate, setTimeout as realSetTimeout } from 'node:timers';

export interface SimulatedRunOptions {
	/**
	 * Called after every move of the clock with the simulated milliseconds since the run started, while the run
	 * waits on a timer and no request is in flight: the place to cancel, fail a task or queue a fault "at" a time.
	 */
	onAdvance?: (elapsedMs: number) => void;
	/** Fails the run when it has not settled after this much simulated time (default 24 h): a wait that never ends. */
	maxSimulatedMs?: number;
	/** Fails the run when it has not settled after this much real time (default 30 s): a run stuck on real I/O. */
	maxRealMs?: number;
}

export interface SimulatedRun<T> {
	/** What the work resolved to. */
	value: T;
	/** Simulated milliseconds between the start of the run and its end. */
	simulatedMs: number;
	/** How often the clock was moved to the next timer. */
	advances: number;
	/** HTTP requests the run created (the sandbox's API and result host both count). */
	requests: number;
	/** Real milliseconds the run took. */
	realMs: number;
}

export interface SimulatedIdle extends Omit<SimulatedRun<unknown>, 'value'> {
	/** Nothing was left to happen (no timer, no request) within the time given. */
	settled: boolean;
}

/** Real turns without request activity before the clock may move. */
const QUIET_TURNS = 2;
const DEFAULT_MAX_SIMULATED_MS = 24 * 60 * 60_000;
const DEFAULT_MAX_REAL_MS = 30_000;

/** Counts HTTP client requests from creation to `close`, by wrapping `request` of `node:http` and `node:https`. */
class RequestCounter {
	inFlight = 0;
	started = 0;
	ended = 0;
	private readonly restores: Array<() => void> = [];

	install(): void {
		for (const transport of [http, https] as const) {
			const original = transport.request;
			const counter = this;
			const counted = function countedRequest(this: unknown, ...args: unknown[]): http.ClientRequest {
				const request = (original as (...a: unknown[]) => http.ClientRequest).apply(this, args);
				counter.inFlight++;
				counter.started++;
				request.once('close', () => {
					counter.inFlight--;
					counter.ended++;
				});
				return request;
			};
			transport.request = counted as typeof transport.request;
			this.restores.push(() => {
				transport.request = original as typeof transport.request;
			});
		}
	}

	uninstall(): void {
		for (const restore of this.restores.splice(0)) restore();
	}

	/** Changes whenever a request starts or ends. */
	activity(): number {
		return this.started + this.ended;
	}
}

function realTurn(): Promise<void> {
	return new Promise((resolve) => realSetImmediate(resolve));
}

function realDelay(ms: number): Promise<void> {
	return new Promise((resolve) => realSetTimeout(resolve, ms));
}

export class SimulatedClock {
	private installed = true;
	private running = false;

	private constructor(readonly startedAt: number) {}

	/**
	 * Installs jest's fake timers with the clock at `startAt` (default 2025-03-02T10:00:00Z). Uninstall it when the
	 * test is done.
	 */
	static install(startAt = Date.parse('2025-03-02T10:00:00Z')): SimulatedClock {
		jest.useFakeTimers({
			doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask', 'hrtime', 'performance'],
			now: startAt,
		});
		return new SimulatedClock(startAt);
	}

	/** The simulated time (the fake `Date.now()`). */
	now(): number {
		return Date.now();
	}

	/** Simulated milliseconds since install. */
	elapsed(): number {
		return Date.now() - this.startedAt;
	}

	/** Moves the clock by hand between runs (no run in progress), firing the timers due on the way. */
	advanceBy(ms: number): void {
		if (this.running) throw new Error('advanceBy is for use between runs; use onAdvance during a run');
		jest.advanceTimersByTime(ms);
	}

	/** Runs `work` (typically `() => runWorkflow(...)`) to its end on the simulated clock. */
	async run<T>(work: () => Promise<T>, options: SimulatedRunOptions = {}): Promise<SimulatedRun<T>> {
		const state: { outcome?: { ok: true; value: T } | { ok: false; error: unknown } } = {};
		const driven = await this.drive(
			() => {
				// Started inside drive, with requests already counted; a synchronous throw of `work` lands here too.
				void (async () => await work())().then(
					(value) => (state.outcome = { ok: true, value }),
					(error: unknown) => (state.outcome = { ok: false, error }),
				);
			},
			() => state.outcome !== undefined,
			options,
			'The run did not settle',
		);
		const outcome = state.outcome;
		if (outcome === undefined) throw new Error('The run stopped before it settled');
		if (!outcome.ok) throw outcome.error;
		return { value: outcome.value, ...driven };
	}

	/**
	 * Lets time go on after a run, with real I/O between timers, until nothing is left to happen (no timer pending,
	 * no request in flight) or `maxMs` of simulated time have passed. Shows what a node still does in the background
	 * once n8n considers the execution over, for example after a cancel.
	 */
	async idle(maxMs: number, options: Omit<SimulatedRunOptions, 'maxSimulatedMs'> = {}): Promise<SimulatedIdle> {
		let counterRef: RequestCounter | undefined;
		const driven = await this.drive(
			(counter) => (counterRef = counter),
			() => (counterRef?.inFlight ?? 0) === 0 && jest.getTimerCount() === 0,
			{ ...options, maxSimulatedMs: maxMs },
			undefined,
		);
		return { ...driven, settled: jest.getTimerCount() === 0 };
	}

	/**
	 * The driver loop shared by run and idle: real turns for I/O, clock moves to the next timer at quiet moments,
	 * until `isDone`. Past `maxSimulatedMs` it throws `overrunMessage`, or simply stops when there is none.
	 */
	private async drive(
		begin: (counter: RequestCounter) => void,
		isDone: () => boolean,
		options: SimulatedRunOptions,
		overrunMessage: string | undefined,
	): Promise<Omit<SimulatedRun<unknown>, 'value'>> {
		if (!this.installed) throw new Error('The simulated clock is uninstalled');
		if (this.running) throw new Error('One run at a time on a simulated clock');
		const maxSimulatedMs = options.maxSimulatedMs ?? DEFAULT_MAX_SIMULATED_MS;
		const maxRealMs = options.maxRealMs ?? DEFAULT_MAX_REAL_MS;
		const counter = new RequestCounter();
		const start = Date.now();
		const realStart = performanceNow();
		let advances = 0;

		this.running = true;
		counter.install();
		try {
			begin(counter);
			let quietTurns = 0;
			let lastActivity = counter.activity();
			while (true) {
				await realTurn();
				const activity = counter.activity();
				const quiet = counter.inFlight === 0 && activity === lastActivity;
				if (quiet && isDone()) break;
				if (performanceNow() - realStart > maxRealMs) {
					throw new Error(
						`${overrunMessage ?? 'Idle time did not end'} within ${maxRealMs} ms of real time (${counter.inFlight} requests ` +
							`in flight, ${jest.getTimerCount()} timers pending, ${Date.now() - start} ms simulated)`,
					);
				}
				if (!quiet) {
					// Waiting for a server's answer (or its continuation): real time, without spinning the CPU.
					lastActivity = activity;
					quietTurns = 0;
					if (counter.inFlight > 0) await realDelay(1);
					continue;
				}
				if (++quietTurns < QUIET_TURNS) continue;
				if (jest.getTimerCount() === 0) {
					// Busy with real work that is no request (inflating a file, for example): let it run.
					await realDelay(1);
					continue;
				}
				const remaining = start + maxSimulatedMs - Date.now();
				if (remaining <= 0) {
					if (overrunMessage !== undefined) {
						throw new Error(`${overrunMessage} within ${maxSimulatedMs} ms of simulated time`);
					}
					break;
				}
				// A fake timer at the limit: the clock never moves past it, whatever the next timer is.
				const limit = setTimeout(() => undefined, remaining);
				jest.advanceTimersToNextTimer();
				clearTimeout(limit);
				advances++;
				quietTurns = 0;
				options.onAdvance?.(Date.now() - start);
			}
		} finally {
			counter.uninstall();
			this.running = false;
		}
		return {
			simulatedMs: Date.now() - start,
			advances,
			requests: counter.started,
			realMs: Math.round(performanceNow() - realStart),
		};
	}

	/** Back to real timers; pending fake timers are dropped. */
	uninstall(): void {
		if (!this.installed) return;
		this.installed = false;
		jest.useRealTimers();
	}
}

/** Real elapsed time, from the module's own `performance` (the fake timers replace only the global one, if any). */
function performanceNow(): number {
	return realPerformance.now();
}

/** Installs a clock, runs `work` on it and uninstalls it: for a test with a single run. */
export async function runOnSimulatedClock<T>(
	work: () => Promise<T>,
	options: SimulatedRunOptions & { startAt?: number } = {},
): Promise<SimulatedRun<T>> {
	const clock = SimulatedClock.install(options.startAt);
	try {
		return await clock.run(work, options);
	} finally {
		clock.uninstall();
	}
}
