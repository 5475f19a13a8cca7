/**
 * n8n's own REST API (the one the editor talks to, under /rest), for what the CLI cannot do: set up the owner, then
 * create and read n8n Data Tables (n8n 1.123's Data Table node has row operations only). The session is the
 * editor's: the `n8n-auth` cookie, bound to a fixed browser id that every request sends.
 */
import type * as http from 'node:http';

import { httpRequest } from './n8n';
import type { RunningN8n } from './n8n';

export const REST_OWNER = {
	email: 'owner@example.com',
	firstName: 'Erin',
	lastName: 'Editor',
	password: 'Ekycpro-e2e-2024',
};

export type DataTableColumnType = 'string' | 'number' | 'boolean' | 'date';

export interface DataTableColumn {
	name: string;
	type: DataTableColumnType;
}

/** A row as n8n returns it: the user's columns plus `id`, `createdAt` and `updatedAt`. */
export type DataTableRow = Record<string, unknown> & { id: number };

interface RestAnswer {
	status: number;
	body: string;
	setCookie: string[];
}

export class N8nRest {
	private cookie: string | undefined;
	private readonly browserId = 'ekycpro-e2e-browser';

	constructor(readonly baseUrl: string) {}

	static forN8n(n8n: RunningN8n): N8nRest {
		return new N8nRest(n8n.baseUrl);
	}

	/** Sets up the instance owner (allowed once; the session cookie comes with the answer), else logs in. */
	async signIn(owner = REST_OWNER): Promise<void> {
		const setup = await this.send('POST', '/rest/owner/setup', owner);
		if (setup.status === 200) return this.keepCookie(setup);
		const login = await this.send('POST', '/rest/login', {
			emailOrLdapLoginId: owner.email,
			password: owner.password,
		});
		if (login.status !== 200) {
			throw new Error(`owner setup (${setup.status}) and login (${login.status}) failed: ${login.body.slice(0, 300)}`);
		}
		this.keepCookie(login);
	}

	/** The signed-in user's personal project: imported workflows and credentials live there. */
	async personalProjectId(): Promise<string> {
		const project = await this.call<{ id: string }>('GET', '/rest/projects/personal');
		return project.id;
	}

	async createDataTable(projectId: string, name: string, columns: DataTableColumn[]): Promise<{ id: string }> {
		return await this.call('POST', `/rest/projects/${projectId}/data-tables`, { name, columns });
	}

	async insertRows(projectId: string, tableId: string, rows: Array<Record<string, unknown>>): Promise<DataTableRow[]> {
		return await this.call('POST', `/rest/projects/${projectId}/data-tables/${tableId}/insert`, {
			data: rows,
			returnType: 'all',
		});
	}

	/** Every row of the table, in id order. */
	async rows(projectId: string, tableId: string): Promise<DataTableRow[]> {
		const page = await this.call<{ count: number; data: DataTableRow[] }>(
			'GET',
			`/rest/projects/${projectId}/data-tables/${tableId}/rows?take=1000`,
		);
		if (page.count > page.data.length) throw new Error(`table ${tableId} has ${page.count} rows, read only 1000`);
		return [...page.data].sort((a, b) => a.id - b.id);
	}

	/** A REST call whose answer is `{ data }`; anything but 200 throws with what n8n said. */
	async call<T>(method: string, path: string, body?: unknown): Promise<T> {
		const answer = await this.send(method, path, body);
		if (answer.status !== 200)
			throw new Error(`${method} ${path} answered ${answer.status}: ${answer.body.slice(0, 500)}`);
		return (JSON.parse(answer.body) as { data: T }).data;
	}

	private keepCookie(answer: RestAnswer): void {
		const auth = answer.setCookie.map((line) => line.split(';')[0]).find((pair) => pair.startsWith('n8n-auth='));
		if (!auth) throw new Error('n8n answered without an n8n-auth cookie');
		this.cookie = auth;
	}

	private async send(method: string, path: string, body?: unknown): Promise<RestAnswer> {
		const headers: http.OutgoingHttpHeaders = { 'browser-id': this.browserId };
		if (this.cookie) headers.cookie = this.cookie;
		const answer = await httpRequest(method, `${this.baseUrl}${path}`, body, headers);
		return { status: answer.status, body: answer.body, setCookie: answer.headers['set-cookie'] ?? [] };
	}
}
