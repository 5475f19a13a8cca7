/**
 * What the simulated vendor answers for each check: the header row of its result file and a deterministic row per
 * number (a hash of the check and the number), so tests can compute the expected output without a fixture.
 */
import { CHECKS } from '../../nodes/EKycPro/checks';
import { uint32Draws } from '../helpers/random';

export type SandboxApiStyle = 'legacy' | 'v1';

export interface SandboxCheck {
	/** Catalogue id when the check is in nodes/EKycPro/checks.ts, else the legacy path or the v1 task type. */
	key: string;
	style: SandboxApiStyle;
	/** Legacy: path prefix without `/tasks`, e.g. `/wa/api/deep`. */
	path?: string;
	/** v1: the `task_type` form field. */
	taskType?: string;
	/** Header row exactly as the vendor's result file spells it. */
	header: readonly string[];
	/** The yes/no (or yes/no/ban) column. */
	flagColumn: string;
	flagValues: readonly string[];
	/** Whether the avatar columns (age, avatar, category, gender, hair_color, skin_color) are filled for a `yes`. */
	avatar: boolean;
}

interface KnownShape {
	header: readonly string[];
	flagColumn: string;
	flagValues: readonly string[];
	avatar: boolean;
}

const YES_NO = ['yes', 'no'] as const;

// Header rows as API.md lists them per check (the vendor's order differs between WhatsApp and Telegram avatar).
const LEGACY_SHAPES: Record<string, KnownShape> = {
	'/wa/api/deep': {
		header: ['Number', 'age', 'avatar', 'category', 'gender', 'hair_color', 'skin_color', 'whatsapp'],
		flagColumn: 'whatsapp',
		flagValues: YES_NO,
		avatar: true,
	},
	'/fb/api/simple': {
		header: ['Number', 'facebook'],
		flagColumn: 'facebook',
		flagValues: ['yes', 'no', 'ban'],
		avatar: false,
	},
	'/ins/api/simple': {
		header: ['Number', 'instagram'],
		flagColumn: 'instagram',
		flagValues: YES_NO,
		avatar: false,
	},
};

const V1_SHAPES: Record<string, KnownShape> = {
	tg_avatar: {
		header: ['Number', 'telegram', 'avatar', 'age', 'gender', 'category', 'hair_color', 'skin_color'],
		flagColumn: 'telegram',
		flagValues: YES_NO,
		avatar: true,
	},
	tg: {
		header: ['Number', 'telegram'],
		flagColumn: 'telegram',
		flagValues: YES_NO,
		avatar: false,
	},
};

/** Legacy paths the server routes: `/<x>/api/<y>`. */
export const LEGACY_PATH_PATTERN = /^\/([A-Za-z0-9_-]+)\/api\/([A-Za-z0-9_-]+)$/;
/** v1 task types the server accepts. */
export const TASK_TYPE_PATTERN = /^[a-z0-9_]+$/;

function catalogueIdFor(style: SandboxApiStyle, pathOrType: string): string | undefined {
	const entry = CHECKS.find((check) =>
		style === 'legacy'
			? check.style === 'legacy' && check.path === pathOrType
			: check.style === 'v1' && check.taskType === pathOrType,
	);
	return entry?.id;
}

/** The check behind a legacy path or a v1 task type. */
export function checkFor(style: SandboxApiStyle, pathOrType: string): SandboxCheck {
	const key = catalogueIdFor(style, pathOrType) ?? pathOrType;
	if (style === 'legacy') {
		const known = LEGACY_SHAPES[pathOrType];
		if (known) return { key, style, path: pathOrType, ...known };
		// Custom legacy checks answer `Number, <x>` where <x> is the first path segment.
		const platform = LEGACY_PATH_PATTERN.exec(pathOrType)?.[1] ?? pathOrType.split('/')[1] ?? 'activated';
		return {
			key,
			style,
			path: pathOrType,
			header: ['Number', platform],
			flagColumn: platform,
			flagValues: YES_NO,
			avatar: false,
		};
	}
	const known = V1_SHAPES[pathOrType];
	if (known) return { key, style, taskType: pathOrType, ...known };
	return {
		key,
		style,
		taskType: pathOrType,
		header: ['Number', 'activated'],
		flagColumn: 'activated',
		flagValues: YES_NO,
		avatar: false,
	};
}

/**
 * Resolves what a caller names a check by: a catalogue id (`whatsappAvatar`), a legacy path (`/wa/api/deep`, with or
 * without `/tasks`) or a v1 task type (`tg`).
 */
export function resolveCheck(name: string): SandboxCheck {
	if (name.startsWith('/')) return checkFor('legacy', name.replace(/\/+$/, '').replace(/\/tasks$/, ''));
	const entry = CHECKS.find((check) => check.id === name);
	if (entry?.style === 'legacy' && entry.path) return checkFor('legacy', entry.path);
	if (entry?.style === 'v1' && entry.taskType) return checkFor('v1', entry.taskType);
	return checkFor('v1', name);
}

// FNV-1a over the UTF-16 code units: fast enough for a million numbers and stable across runs and machines.
function fnv1a(text: string): number {
	let hash = 0x811c9dc5;
	for (let index = 0; index < text.length; index++) {
		hash ^= text.charCodeAt(index);
		hash = Math.imul(hash, 0x01000193);
	}
	return hash >>> 0;
}

function seedOf(check: SandboxCheck): string {
	return check.style === 'legacy' ? `legacy:${check.path}` : `v1:${check.taskType}`;
}

/** Whether the vendor counts this number under `failure` (about 2%): its row comes out with an empty flag. */
export function isFailure(check: SandboxCheck, e164: string): boolean {
	return fnv1a(`${seedOf(check)}|fail|${e164}`) % 1000 < 20;
}

const CATEGORIES = [
	'individual portrait',
	'individual portrait',
	'individual portrait',
	'pet avatar',
	'object',
	'group photo',
];
const GENDERS = ['male', 'female'];
const HAIR_COLORS = ['black', 'brown', 'blonde', 'red', 'gray'];
const SKIN_COLORS = ['white', 'black', 'brown', 'yellow'];

function pick(list: readonly string[], draw: number): string {
	return list[draw % list.length];
}

/** The result row for one number as a map from the file's header to the cell text ('' for an empty cell). */
export function rowFor(check: SandboxCheck, e164: string): Record<string, string> {
	const row: Record<string, string> = {};
	for (const column of check.header) row[column] = '';
	row[check.header[0]] = e164;
	if (isFailure(check, e164)) return row;
	const next = uint32Draws(fnv1a(`${seedOf(check)}|${e164}`));
	const roll = next() % 100;
	// About 40% yes; Facebook also answers ban for about 5%.
	const flag = roll < 40 ? 'yes' : check.flagValues.includes('ban') && roll < 45 ? 'ban' : 'no';
	row[check.flagColumn] = flag;
	if (check.avatar && flag === 'yes') {
		row.age = String(18 + (next() % 48));
		row.avatar = `https://avatars.example.com/${check.flagColumn}/${next().toString(16).padStart(8, '0')}${next()
			.toString(16)
			.padStart(8, '0')}.jpg`;
		row.category = pick(CATEGORIES, next());
		row.gender = pick(GENDERS, next());
		row.hair_color = pick(HAIR_COLORS, next());
		row.skin_color = pick(SKIN_COLORS, next());
	}
	return row;
}

/** Cells of a row in header order. */
export function cellsFor(check: SandboxCheck, e164: string): string[] {
	const row = rowFor(check, e164);
	return check.header.map((column) => row[column]);
}
