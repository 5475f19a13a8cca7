import {
	COMPLETED,
	EXPORTED,
	FAILED,
	isProcessedStatus,
	isTerminal,
	normaliseStatus,
	PENDING,
	PROCESSING,
} from '../../nodes/EKycPro/taskStatus';
import { EXPORTED as EXPORTED_FROM_TYPES, FAILED as FAILED_FROM_TYPES } from '../../nodes/EKycPro/transport/types';

describe('task states', () => {
	it('are the words the API uses', () => {
		expect([PENDING, PROCESSING, COMPLETED, EXPORTED, FAILED]).toEqual([
			'pending',
			'processing',
			'completed',
			'exported',
			'failed',
		]);
		// The operations import these two from the transport's types: the same values.
		expect([EXPORTED_FROM_TYPES, FAILED_FROM_TYPES]).toEqual([EXPORTED, FAILED]);
	});

	it('normalises the raw status as the server may spell it', () => {
		expect(normaliseStatus(' Exported ')).toBe('exported');
		expect(normaliseStatus('FAILED')).toBe('failed');
		expect(normaliseStatus('processing')).toBe('processing');
		expect(normaliseStatus(undefined)).toBe('');
		expect(normaliseStatus(null)).toBe('');
		expect(normaliseStatus(3)).toBe('3');
	});

	it('exported and failed are terminal, whatever their case; the others are not', () => {
		expect(isTerminal('exported')).toBe(true);
		expect(isTerminal(' FAILED')).toBe(true);
		for (const status of ['pending', 'processing', 'completed', 'Completed', '', 'unknown']) {
			expect(isTerminal(status)).toBe(false);
		}
	});

	it('completed and exported say processing is over; pending, processing and failed do not', () => {
		expect(isProcessedStatus('completed')).toBe(true);
		expect(isProcessedStatus('EXPORTED ')).toBe(true);
		for (const status of ['pending', 'processing', 'failed', '']) expect(isProcessedStatus(status)).toBe(false);
	});
});
