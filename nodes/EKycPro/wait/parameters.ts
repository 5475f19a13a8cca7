/** The Wait node's settings, read once before any waiting: a mistyped setting fails before a status call is spent. */
import type { IExecuteFunctions } from 'n8n-workflow';

import { readResultOutputSettings } from '../common.descriptions';
import type { ResultOutputSettings } from '../common.descriptions';
import { DEFAULT_SCHEDULE } from '../polling/schedule';
import type { ScheduleOptions } from '../polling/schedule';

export const DEFAULT_MAX_WAIT_MINUTES = 120;

/** The Polling collection as n8n hands it over: only the options the user added are present. */
interface PollingParameters {
	schedule?: 'adaptive' | 'fixed';
	minIntervalSeconds?: number;
	maxIntervalSeconds?: number;
	fixedIntervalSeconds?: number;
	maxWaitMinutes?: number;
	onTimeout?: 'output' | 'error';
}

export interface WaitParameters {
	/** Between status calls: sleep inside the execution, or park it (the loop through Check Again). */
	betweenChecks: 'keepRunning' | 'park';
	/** Result rows, or the input items with their results merged in. */
	mode: 'rows' | 'enrich';
	/** How rows mode outputs a result; undefined in enrich mode. */
	output?: ResultOutputSettings;
	/** Enrich mode's Simplify. */
	simplify: boolean;
	schedule: ScheduleOptions;
	maxWaitMs: number;
	/** Tasks that did not finish: on the Not Finished output, or an error. */
	onTimeout: 'output' | 'error';
}

export function scheduleFrom(parameters: PollingParameters): ScheduleOptions {
	const seconds = (value: number | undefined, fallbackMs: number) =>
		value === undefined || !Number.isFinite(value) || value <= 0 ? fallbackMs : value * 1000;
	const minIntervalMs = seconds(parameters.minIntervalSeconds, DEFAULT_SCHEDULE.minIntervalMs);
	return {
		mode: parameters.schedule ?? DEFAULT_SCHEDULE.mode,
		minIntervalMs,
		maxIntervalMs: Math.max(minIntervalMs, seconds(parameters.maxIntervalSeconds, DEFAULT_SCHEDULE.maxIntervalMs)),
		fixedIntervalMs: seconds(parameters.fixedIntervalSeconds, DEFAULT_SCHEDULE.fixedIntervalMs),
	};
}

export function readWaitParameters(ctx: IExecuteFunctions): WaitParameters {
	const mode = ctx.getNodeParameter('mode', 0) as WaitParameters['mode'];
	const polling = ctx.getNodeParameter('polling', 0, {}) as PollingParameters;
	return {
		betweenChecks: ctx.getNodeParameter('betweenChecks', 0, 'keepRunning') as WaitParameters['betweenChecks'],
		mode,
		output: mode === 'rows' ? readResultOutputSettings(ctx, 0) : undefined,
		simplify: mode === 'enrich' ? (ctx.getNodeParameter('simplify', 0, true) as boolean) : false,
		schedule: scheduleFrom(polling),
		maxWaitMs: (polling.maxWaitMinutes ?? DEFAULT_MAX_WAIT_MINUTES) * 60_000,
		onTimeout: polling.onTimeout ?? 'output',
	};
}
