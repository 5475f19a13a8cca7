import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { INode, INodeExecutionData, IPairedItemData } from 'n8n-workflow';

/** Errors leave the nodes as n8n errors with the item index; ours already are, anything else is wrapped. */
export function toNodeError(node: INode, error: unknown, itemIndex?: number): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	return new NodeOperationError(node, error instanceof Error ? error : String(error), { itemIndex });
}

/**
 * The item an operation outputs for a failed item under Continue On Fail. n8n routes an item to the node's error
 * output ("Continue (using error output)") only when it carries the error itself, with json `{ error }`.
 */
export function errorItem(
	node: INode,
	error: unknown,
	pairedItem: IPairedItemData | IPairedItemData[],
	itemIndex?: number,
): INodeExecutionData {
	const nodeError = toNodeError(node, error, itemIndex);
	return { json: { error: nodeError.message }, error: nodeError, pairedItem };
}
