import type { IDataObject } from 'n8n-workflow';

/**
 * Reads a field by name or dot path (`contact.mobile`, `phones.0`). A field whose own name contains dots wins over
 * the path, as n8n's own nodes do.
 */
export function getPath(data: IDataObject, path: string): unknown {
	const trimmed = path.trim();
	if (trimmed in data) return data[trimmed];
	let current: unknown = data;
	for (const key of trimmed.split('.')) {
		if (current === null || typeof current !== 'object') return undefined;
		current = (current as Record<string, unknown>)[key];
	}
	return current;
}
