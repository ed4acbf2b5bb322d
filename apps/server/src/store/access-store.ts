/**
 * The access part of the Store contract: API tokens and the audit log, implemented
 * by access-queries.ts for both dialects and tested by test/store/contract/access.ts.
 */
import type {
  ApiTokenRecord,
  AuditFilter,
  AuditRecord,
  NewApiToken,
  NewAuditRecord,
  NewUser,
  RevokeResult,
  SessionRecord,
  UserRecord,
} from './access-records.js';
import type { Page, PageRequest } from './store.js';

export interface AccessStore {
  countApiTokens(): Promise<number>;
  /** Throws StoreConflictError if a token with the same hash exists. */
  createApiToken(token: NewApiToken): Promise<ApiTokenRecord>;
  /**
   * Inserts the token unless one with the same hash exists (one statement: nodes starting at
   * once with the same configured admin token all succeed). True when this call inserted it.
   * A revoked token stays revoked.
   */
  addApiTokenIfAbsent(token: NewApiToken): Promise<boolean>;
  findApiTokenByHash(tokenHash: string): Promise<ApiTokenRecord | undefined>;
  getApiToken(id: number): Promise<ApiTokenRecord | undefined>;
  /** Newest first, revoked ones included. */
  listApiTokens(page: PageRequest): Promise<Page<ApiTokenRecord>>;
  /**
   * Revokes a token, unless it is the last one that is admin for every namespace and live (not
   * revoked, not expired at `at`): the server must keep an administrator. Atomic against a
   * concurrent revocation on another node.
   */
  revokeApiToken(id: number, at: number): Promise<RevokeResult>;
  /** Records a use (callers write it at most about once a minute per token). */
  touchApiToken(id: number, at: number): Promise<void>;

  /** Throws StoreConflictError if the username is taken (deleted users' names stay taken). */
  createUser(user: NewUser): Promise<UserRecord>;
  getUser(id: number): Promise<UserRecord | undefined>;
  getUserByUsername(username: string): Promise<UserRecord | undefined>;
  getUserByOidc(issuer: string, subject: string): Promise<UserRecord | undefined>;
  /** Binds a user without an OpenID Connect identity to one (its first sign-in); undefined if gone. */
  bindUserOidc(id: number, issuer: string, subject: string): Promise<UserRecord | undefined>;
  /** Newest first, deleted ones left out. */
  listUsers(page: PageRequest): Promise<Page<UserRecord>>;
  /**
   * Deletes a user (kept, marked deleted, for the audit log) and ends its sessions, unless it
   * is the last admin for every namespace (tokens and users counted): like revokeApiToken.
   */
  deleteUser(id: number, at: number): Promise<RevokeResult>;

  createSession(session: Omit<SessionRecord, 'id' | 'revokedAt'>): Promise<SessionRecord>;
  /** The session and its user; undefined when either is gone. */
  findSessionByHash(tokenHash: string): Promise<{ session: SessionRecord; user: UserRecord } | undefined>;
  revokeSession(id: number, at: number): Promise<void>;

  appendAudit(entries: NewAuditRecord[]): Promise<void>;
  /** Newest first. */
  listAudit(filter: AuditFilter, page: PageRequest): Promise<Page<AuditRecord>>;
}
