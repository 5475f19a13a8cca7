import { NodeApiError } from 'n8n-workflow';
import type { JsonObject } from 'n8n-workflow';

import type { TransportContext } from './session';

/** The API's own words from an error body, without anything that could echo the request. */
export function apiReason(body: unknown): string | undefined {
	if (body && typeof body === 'object' && !Array.isArray(body)) {
		const record = body as Record<string, unknown>;
		// Every distinct text the API gave: {"error":"file too large","message":"the upload exceeds 1 MB"} says both.
		const texts: string[] = [];
		for (const key of ['error', 'message', 'detail', 'msg', 'reason']) {
			const value = record[key];
			const text =
				typeof value === 'string' ? value.trim() : value && typeof value === 'object' ? apiReason(value) : undefined;
			if (text && !texts.includes(text)) texts.push(text);
		}
		return texts.length === 0 ? undefined : texts.join(': ').slice(0, 500);
	}
	if (typeof body === 'string') {
		const text = body
			.replace(/<[^>]*>/g, ' ')
			.replace(/\s+/g, ' ')
			.trim();
		return text === '' ? undefined : text.slice(0, 300);
	}
	if (body instanceof Uint8Array) return apiReason(new TextDecoder().decode(body.subarray(0, 2000)));
	return undefined;
}

/** A NodeApiError built from status and body only: no request, so no header and no key can be echoed. */
export function apiError(
	ctx: Pick<TransportContext, 'getNode'>,
	statusCode: number | undefined,
	message: string,
	description: string,
	itemIndex: number,
	extra: JsonObject = {},
): NodeApiError {
	const response: JsonObject = { message, ...extra };
	if (statusCode !== undefined) response.httpCode = String(statusCode);
	return new NodeApiError(ctx.getNode(), response, {
		message,
		description,
		httpCode: statusCode === undefined ? undefined : String(statusCode),
		itemIndex,
	});
}
