/** The one task shape every operation outputs, whichever API style answered. */
export interface EKycTask {
	task_id: string;
	/** Catalogue id of the check (`whatsappAvatar`, `telegram`, ..., `custom`). */
	check: string;
	status: string;
	total: number;
	success: number;
	failure: number;
	/** (success + failure) / total, 0..1; 0 while total is unknown. */
	progress: number;
	created_at?: string;
	updated_at?: string;
	user_id?: string;
	/** Present only once the task is exported. Expires; each status call may hand out a new one. */
	result_url?: string;
	/** v1 creates answer with a message such as "Task created successfully". */
	message?: string;
}

// The task states live in ../taskStatus; EXPORTED and FAILED are re-exported for the operations that import them here.
export { EXPORTED, FAILED } from '../taskStatus';
