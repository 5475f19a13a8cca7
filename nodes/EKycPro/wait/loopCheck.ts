/**
 * Park mode's checks before an execution is parked: n8n resumes a parked execution by sending the node's input items
 * out on output 0 (Check Again), so that output must lead back to this node, and only a saved workflow resumes.
 */
import { NodeOperationError } from 'n8n-workflow';
import type { IConnections, IExecuteFunctions } from 'n8n-workflow';

/**
 * The workflow's connections by source node. n8n's node contexts hold the workflow but expose no accessor for its
 * connections; undefined where a host does not hold it that way (then the check is skipped, not failed).
 */
function connectionsBySource(ctx: IExecuteFunctions): IConnections | undefined {
	const workflow = (ctx as unknown as { workflow?: { connectionsBySourceNode?: unknown } }).workflow;
	const connections = workflow?.connectionsBySourceNode;
	return connections !== null && typeof connections === 'object' ? (connections as IConnections) : undefined;
}

/** Whether `output` of `from` leads back to `from`, directly or through other nodes (main connections). */
export function outputLeadsBack(connections: IConnections, from: string, output: number): boolean {
	const start = connections[from]?.main?.[output] ?? [];
	const queue = start.map((connection) => connection.node);
	const seen = new Set<string>();
	while (queue.length > 0) {
		const name = queue.shift() as string;
		if (name === from) return true;
		if (seen.has(name)) continue;
		seen.add(name);
		for (const targets of connections[name]?.main ?? []) {
			for (const connection of targets ?? []) queue.push(connection.node);
		}
	}
	return false;
}

export const CHECK_AGAIN_OUTPUT = 0;

/** Throws, with what to do, when parking would strand the items; checked before any status call of a pass. */
export function assertCanPark(ctx: IExecuteFunctions, taskIds: readonly string[]): void {
	const node = ctx.getNode();
	const tasks = `Task${taskIds.length === 1 ? '' : 's'} ${taskIds.join(', ')} go${taskIds.length === 1 ? 'es' : ''} on at eKYCPro: collect ${taskIds.length === 1 ? 'it' : 'them'} later with Get Status and Download Result.`;
	const connections = connectionsBySource(ctx);
	if (connections !== undefined && !outputLeadsBack(connections, node.name, CHECK_AGAIN_OUTPUT)) {
		throw new NodeOperationError(node, 'The "Check Again" output is not connected back to this node', {
			description:
				'With Between Checks set to "Park the Execution", n8n sends the waiting items out on "Check Again" when it resumes the execution. ' +
				`Drag a connection from "Check Again" to the input of "${node.name}" itself, or set Between Checks to "Keep the Execution Running". ${tasks}`,
		});
	}
	if (!ctx.getWorkflow().id) {
		throw new NodeOperationError(node, 'Save the workflow first: only a saved workflow can be parked and resumed', {
			description:
				'With Between Checks set to "Park the Execution", the execution is stored while it waits and n8n resumes it later, which needs a saved workflow. ' +
				`Save it and run it again, or set Between Checks to "Keep the Execution Running" for a test run. ${tasks}`,
		});
	}
}
