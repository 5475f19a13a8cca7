/**
 * The catalogue: one entry per eKYCPro check. Every operation of both nodes is generic over this table,
 * so adding a check is adding an entry here.
 */

/** `legacy`: POST {path}/tasks, GET {path}/tasks/{id}. `v1`: POST /v1/tasks with task_type, POST /v1/gettasks. */
export type ApiStyle = 'legacy' | 'v1';

export interface CheckDefinition {
	/**
	 * Written into every task the nodes output as `check`, so a later node can find the check again: the resource
	 * value for a catalogue check, `custom:v1:<task type>` or `custom:legacy:<path>` for a custom one.
	 */
	readonly id: string;
	/** Label shown in the editor. */
	readonly name: string;
	readonly description: string;
	readonly style: ApiStyle;
	/** Legacy style: path prefix without the trailing `/tasks`, e.g. `/wa/api/deep`. */
	readonly path?: string;
	/** v1 style: the `task_type` form field. */
	readonly taskType?: string;
	/** Result columns as the vendor documents them, header keys already normalised (trimmed, lower case). */
	readonly columns: readonly string[];
	/** The yes/no column that says whether the number has an account. */
	readonly flagColumn: string;
}

export const CHECKS: readonly CheckDefinition[] = [
	{
		id: 'whatsappAvatar',
		name: 'WhatsApp Avatar',
		description:
			'Whether each number has WhatsApp, and what its profile picture says: age, gender, hair and skin colour, picture type',
		style: 'legacy',
		path: '/wa/api/deep',
		columns: ['number', 'age', 'avatar', 'category', 'gender', 'hair_color', 'skin_color', 'whatsapp'],
		flagColumn: 'whatsapp',
	},
	{
		id: 'telegramAvatar',
		name: 'Telegram Avatar',
		description:
			'Whether each number has Telegram, and what its profile picture says: age, gender, hair and skin colour, picture type',
		style: 'v1',
		taskType: 'tg_avatar',
		columns: ['number', 'telegram', 'avatar', 'age', 'gender', 'category', 'hair_color', 'skin_color'],
		flagColumn: 'telegram',
	},
	{
		id: 'telegram',
		name: 'Telegram',
		description: 'Whether each number has a Telegram account',
		style: 'v1',
		taskType: 'tg',
		columns: ['number', 'telegram'],
		flagColumn: 'telegram',
	},
	{
		id: 'facebook',
		name: 'Facebook',
		description: 'Whether each number has a Facebook account (yes, no or ban)',
		style: 'legacy',
		path: '/fb/api/simple',
		columns: ['number', 'facebook'],
		flagColumn: 'facebook',
	},
	{
		id: 'instagram',
		name: 'Instagram',
		description: 'Whether each number has an Instagram account',
		style: 'legacy',
		path: '/ins/api/simple',
		columns: ['number', 'instagram'],
		flagColumn: 'instagram',
	},
];

/** Resource value of the check whose API style and task type or path the user types in. */
export const CUSTOM_CHECK_ID = 'custom';

const BY_ID = new Map(CHECKS.map((check) => [check.id, check]));

export function findCheck(id: string): CheckDefinition | undefined {
	return BY_ID.get(id);
}

/** The check a task's `check` field names: a catalogue id or a custom check's full id. */
export function checkFromId(id: string): { check: CheckDefinition } | { error: string } {
	const known = BY_ID.get(id.trim());
	if (known) return { check: known };
	const custom = /^custom:(v1|legacy):(.+)$/.exec(id.trim());
	if (custom) return customCheck(custom[1] as ApiStyle, custom[2]);
	return {
		error: `"${id}" is not a check: use one of ${CHECKS.map((check) => check.id).join(', ')}, or custom:v1:<task type> / custom:legacy:<path>`,
	};
}

const TASK_TYPE_PATTERN = /^[a-z0-9_-]{1,64}$/i;
const LEGACY_PATH_PATTERN = /^(\/[A-Za-z0-9_.-]+)+$/;

/**
 * Builds the definition of a custom check from what the user typed, or returns the reason it cannot be used.
 * A legacy path may be given with or without the trailing `/tasks`.
 */
export function customCheck(style: ApiStyle, value: string): { check: CheckDefinition } | { error: string } {
	const trimmed = value.trim();
	if (style === 'v1') {
		if (!TASK_TYPE_PATTERN.test(trimmed)) {
			return {
				error: `"${trimmed}" is not a task type: use letters, digits, "_" or "-" only, for example "ws_avatar"`,
			};
		}
		return {
			check: {
				id: `${CUSTOM_CHECK_ID}:v1:${trimmed}`,
				name: `Custom (${trimmed})`,
				description: `v1 task type ${trimmed}`,
				style,
				taskType: trimmed,
				columns: ['number'],
				flagColumn: trimmed,
			},
		};
	}
	const path = trimmed.replace(/\/+$/, '').replace(/\/tasks$/, '');
	if (!LEGACY_PATH_PATTERN.test(path)) {
		return {
			error: `"${trimmed}" is not an API path: give it as it appears in the vendor's docs, for example "/vk/api/simple"`,
		};
	}
	const flag = path.split('/')[1] ?? 'activated';
	return {
		check: {
			id: `${CUSTOM_CHECK_ID}:legacy:${path}`,
			name: `Custom (${path})`,
			description: `legacy path ${path}`,
			style,
			path,
			columns: ['number'],
			flagColumn: flag,
		},
	};
}
