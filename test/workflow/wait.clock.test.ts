/**
 * The simulated clock the Wait workflow tests run on (clock.ts): time moves only from timer to timer, real sockets
 * keep working, a request in flight is never cut short by a jump, and what goes on after a run can be observed.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { setTimeout as realSetTimeout } from 'node:timers';

import type { AxiosStatic } from 'axios';
import { sleep } from 'n8n-workflow';

import { runOnSimulatedClock, SimulatedClock } from './clock';

// The copy of axios that n8n-core sends the nodes' requests with (n8n-core's dependency, not one of this package's).
const axios = require(require.resolve('axios', { paths: [require.resolve('n8n-core')] })) as AxiosStatic;

/** A local server that answers every request after `delayMs` of real time. */
async function slowServer(delayMs: number): Promise<{ url: string; close: () => Promise<void> }> {
	const server = http.createServer((request, response) => {
		request.resume();
		realSetTimeout(() => response.end('answer'), delayMs);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}/`,
		close: async () => {
			server.closeAllConnections();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}

let clock: SimulatedClock | undefined;
afterEach(() => {
	clock?.uninstall();
	clock = undefined;
});

test('an hour of sleeps (n8n-workflow sleep, Date.now) passes on the simulated clock', async () => {
	const startAt = Date.parse('2025-06-01T00:00:00Z');
	const run = await runOnSimulatedClock(
		async () => {
			const seen: number[] = [];
			for (let minute = 0; minute < 60; minute++) {
				await sleep(60_000);
				seen.push(Date.now());
			}
			return seen;
		},
		{ startAt },
	);
	expect(run.value).toEqual(Array.from({ length: 60 }, (_, index) => startAt + (index + 1) * 60_000));
	expect(run.simulatedMs).toBe(60 * 60_000);
	expect(run.advances).toBe(60);
	// Back on the real clock afterwards.
	expect(Math.abs(Date.now() - (performance.timeOrigin + performance.now()))).toBeLessThan(1_000);
});

describe('requests in flight', () => {
	let server: Awaited<ReturnType<typeof slowServer>>;
	beforeAll(async () => (server = await slowServer(150)));
	afterAll(async () => await server.close());

	test("the hazard is real: a jump of the fake clock during a request fires axios's timeout", async () => {
		clock = SimulatedClock.install();
		const request = axios.get(server.url, { timeout: 5_000, maxRedirects: 0 });
		// What a naive driver does: jump to the next timer while the answer is on its way.
		await new Promise((resolve) => setImmediate(resolve));
		jest.advanceTimersByTime(5_000);
		await expect(request).rejects.toThrow('timeout of 5000ms exceeded');
	});

	test('the clock does not move while a request is in flight, even when another timer is pending', async () => {
		const events: string[] = [];
		const run = await runOnSimulatedClock(async () => {
			const other = sleep(10_000).then(() => events.push('other timer'));
			// A timeout shorter than the pending timer: a jump would fire it.
			const answer = await axios.get(server.url, { timeout: 5_000, maxRedirects: 0 });
			events.push(`answer ${String(answer.data)}`);
			await other;
			return answer.status;
		});
		expect(run.value).toBe(200);
		expect(events).toEqual(['answer answer', 'other timer']);
		expect(run.simulatedMs).toBe(10_000);
		expect(run.requests).toBe(1);
	});

	test('a request started when a timer fires is answered before the next timer, one millisecond later, fires', async () => {
		const events: string[] = [];
		const run = await runOnSimulatedClock(async () => {
			const first = sleep(1_000).then(async () => {
				events.push('first timer');
				const answer = await axios.get(server.url, { timeout: 30_000, maxRedirects: 5 });
				events.push(`answer at +${Date.now() - start} ms`);
				return answer;
			});
			const second = sleep(1_001).then(() => events.push(`second timer at +${Date.now() - start} ms`));
			const start = Date.now();
			await Promise.all([first, second]);
		});
		expect(events).toEqual(['first timer', 'answer at +1000 ms', 'second timer at +1001 ms']);
		expect(run.simulatedMs).toBe(1_001);
	});
});

test('idle shows a loop that goes on in the background after the run has returned', async () => {
	clock = SimulatedClock.install();
	let ticks = 0;
	let stop = false;
	const run = await clock.run(async () => {
		void (async () => {
			while (!stop) {
				await sleep(1_000);
				ticks++;
			}
		})();
		return 'returned';
	});
	expect(run.value).toBe('returned');
	expect(run.simulatedMs).toBe(0);

	const busy = await clock.idle(5_000);
	expect(busy.settled).toBe(false);
	expect(ticks).toBe(5);

	stop = true;
	const calm = await clock.idle(5_000);
	expect(calm.settled).toBe(true);
	expect(calm.simulatedMs).toBe(1_000);
	expect(ticks).toBe(6);
});

test('a run that rejects rejects with its own error, and the clock can run again', async () => {
	clock = SimulatedClock.install();
	await expect(
		clock.run(async () => {
			await sleep(30_000);
			throw new Error('gave up');
		}),
	).rejects.toThrow('gave up');
	const again = await clock.run(async () => {
		await sleep(2_000);
		return clock?.elapsed();
	});
	expect(again.value).toBe(32_000);
});

test('a run that never settles fails after its simulated limit instead of hanging', async () => {
	clock = SimulatedClock.install();
	await expect(
		clock.run(
			async () => {
				for (;;) await sleep(60_000);
			},
			{ maxSimulatedMs: 10 * 60_000 },
		),
	).rejects.toThrow('The run did not settle within 600000 ms of simulated time');
});
