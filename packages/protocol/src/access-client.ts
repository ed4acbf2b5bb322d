/**
 * The access sub-clients (API tokens, the audit log, users, the console session) of the API client (client.ts), with the
 * same transport.
 */
import type { z } from 'zod';
import type { ApiToken, AuditEntry, SessionInfo, TokenCreate, User, UserCreate } from './access.js';
import type { List } from './schemas.js';
import { segment, type createTransport } from './client-http.js';

export type TokenCreateInput = z.input<typeof TokenCreate>;
export type UserCreateInput = z.input<typeof UserCreate>;

export interface TokensClient {
  /** @example `const { items } = await client.tokens.list(); // revoked ones too, newest first` */
  list(options?: { cursor?: string | undefined; limit?: number | undefined }): Promise<List<ApiToken>>;
  /**
   * Creates a token; `token` holds its secret in full in this answer only.
   * @example `const { token } = await client.tokens.create({ name: 'ci', role: 'operator', namespaces: ['billing'] });`
   */
  create(input: TokenCreateInput): Promise<ApiToken>;
  /** Revokes at once. @example `await client.tokens.revoke(7);` */
  revoke(id: number): Promise<ApiToken>;
}

export interface AuditListOptions {
  actor?: string | undefined;
  action?: string | undefined;
  /** `tasks` or `tasks/42`. */
  resource?: string | undefined;
  namespace?: string | undefined;
  since?: string | Date | undefined;
  until?: string | Date | undefined;
  cursor?: string | undefined;
  limit?: number | undefined;
}

export interface AuditClient {
  /** @example `const { items } = await client.audit.list({ resource: 'tasks/42' }); // newest first` */
  list(options?: AuditListOptions): Promise<List<AuditEntry>>;
}

export interface UsersClient {
  /** @example `const { items } = await client.users.list();` */
  list(options?: { cursor?: string | undefined; limit?: number | undefined }): Promise<List<User>>;
  /** @example `await client.users.create({ username: 'ann', password: '…', role: 'editor', namespaces: ['billing'] });` */
  create(input: UserCreateInput): Promise<User>;
  /** Deletes the user and ends its sessions. @example `await client.users.delete(3);` */
  delete(id: number): Promise<void>;
}

export interface SessionClient {
  /**
   * Console sign-in: the server sets the session cookie (a browser keeps it); pass the answer's
   * `csrfToken` to createClient for the changes that follow.
   * @example `const { csrfToken } = await client.session.signIn('ann', password);`
   */
  signIn(username: string, password: string): Promise<SessionInfo>;
  /** Who is calling, with the CSRF token of a cookie session. @example `const me = await client.session.get();` */
  get(): Promise<SessionInfo>;
  /** @example `await client.session.signOut();` */
  signOut(): Promise<{ signedOut: boolean }>;
}

export function accessClients(
  http: ReturnType<typeof createTransport>,
  v1: string,
): { tokens: TokensClient; audit: AuditClient; users: UsersClient; session: SessionClient } {
  return {
    tokens: {
      list: (o = {}) => http.request('GET', `${v1}/tokens`, { query: { ...o } }),
      create: (input) => http.request('POST', `${v1}/tokens`, { body: input }),
      revoke: (id) => http.request('DELETE', `${v1}/tokens/${segment(id)}`),
    },
    audit: {
      list: (o = {}) => http.request('GET', `${v1}/audit`, { query: { ...o } }),
    },
    users: {
      list: (o = {}) => http.request('GET', `${v1}/users`, { query: { ...o } }),
      create: (input) => http.request('POST', `${v1}/users`, { body: input }),
      delete: (id) => http.request('DELETE', `${v1}/users/${segment(id)}`),
    },
    session: {
      signIn: (username, password) => http.request('POST', `${v1}/session`, { body: { username, password } }),
      get: () => http.request('GET', `${v1}/session`),
      signOut: () => http.request('DELETE', `${v1}/session`),
    },
  };
}
