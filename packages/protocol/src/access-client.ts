/**
 * The access sub-clients (API tokens, the audit log) of the API client (client.ts), with the
 * same transport.
 */
import type { z } from 'zod';
import type { ApiToken, AuditEntry, TokenCreate } from './access.js';
import type { List } from './schemas.js';
import { segment, type createTransport } from './client-http.js';

export type TokenCreateInput = z.input<typeof TokenCreate>;

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

export function accessClients(
  http: ReturnType<typeof createTransport>,
  v1: string,
): { tokens: TokensClient; audit: AuditClient } {
  return {
    tokens: {
      list: (o = {}) => http.request('GET', `${v1}/tokens`, { query: { ...o } }),
      create: (input) => http.request('POST', `${v1}/tokens`, { body: input }),
      revoke: (id) => http.request('DELETE', `${v1}/tokens/${segment(id)}`),
    },
    audit: {
      list: (o = {}) => http.request('GET', `${v1}/audit`, { query: { ...o } }),
    },
  };
}
