import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { IDataObject, INode, INodeExecutionData, IPairedItemData } from 'n8n-workflow';

/** Errors leave the nodes as n8n errors with the item index; ours already are, anything else is wrapped. */
export function toNodeError(node: INode, error: unknown, itemIndex?: number): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	return new NodeOperationError(node, error instanceof Error ? error : String(error), { itemIndex });
}

/**
 * The item an operation outputs for a failed item under Continue On Fail: json `{ error, message }`, the error's
 * message and its description (what was charged, what to do). That exact shape is one n8n 1.x and 2.x both route to
 * the error output ("Continue (using error output)"); an item carrying the error object instead would be cut down
 * to `{ error }` by n8n, and the description lost.
 */
export function errorItem(
	node: INode,
	error: unknown,
	pairedItem: IPairedItemData | IPairedItemData[],
	itemIndex?: number,
): INodeExecutionData {
	const nodeError = toNodeError(node, error, itemIndex);
	const json: IDataObject = { error: nodeError.message };
	if (nodeError.description) json.message = nodeError.description;
	return { json, pairedItem };
}
