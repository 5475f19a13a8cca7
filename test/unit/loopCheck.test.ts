import type { IConnections } from 'n8n-workflow';

import { outputLeadsBack } from '../../nodes/EKycPro/wait/loopCheck';

const to = (...nodes: string[]) => nodes.map((node) => ({ node, type: 'main' as const, index: 0 }));

describe('outputLeadsBack: is Check Again (output 0) wired back to the Wait node?', () => {
	test('directly to itself', () => {
		const connections: IConnections = { Wait: { main: [to('Wait'), to('Sheet'), []] } };
		expect(outputLeadsBack(connections, 'Wait', 0)).toBe(true);
	});

	test('through other nodes, including a branch that goes elsewhere', () => {
		const connections: IConnections = {
			Wait: { main: [to('Log', 'Note'), to('Sheet')] },
			Note: { main: [to('Wait')] },
			Log: { main: [to('Sheet')] },
		};
		expect(outputLeadsBack(connections, 'Wait', 0)).toBe(true);
	});

	test('not connected, or connected elsewhere only', () => {
		expect(outputLeadsBack({}, 'Wait', 0)).toBe(false);
		expect(outputLeadsBack({ Wait: { main: [[], to('Sheet')] } }, 'Wait', 0)).toBe(false);
		const elsewhere: IConnections = {
			Wait: { main: [to('Log')] },
			Log: { main: [to('Sheet')] },
			Sheet: { main: [to('Log')] },
		};
		expect(outputLeadsBack(elsewhere, 'Wait', 0)).toBe(false);
	});

	test('only Done wired back does not count: the items n8n resumes with leave on Check Again', () => {
		const connections: IConnections = { Wait: { main: [to('Sheet'), to('Wait')] } };
		expect(outputLeadsBack(connections, 'Wait', 0)).toBe(false);
	});
});
