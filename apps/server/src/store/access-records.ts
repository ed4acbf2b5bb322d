/**
 * What the store keeps about access: API tokens and the audit log.
 */
import type { NamespaceGrant, Role } from '@kairos/protocol';

export interface ApiTokenRecord {
  id: number;
  name: string;
  /** SHA-256 of the secret; the secret itself is never stored. */
  tokenHash: string;
  /** The secret's last four characters, to show it masked (null for tokens made before hints were kept). */
  tokenHint: string | null;
  role: Role;
  namespaces: NamespaceGrant;
  createdAt: number;
  createdBy: string | null;
  expiresAt: number | null;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

export type NewApiToken = Pick<ApiTokenRecord, 'name' | 'tokenHash' | 'role' | 'namespaces'> &
  Partial<Pick<ApiTokenRecord, 'tokenHint' | 'createdBy' | 'expiresAt'>>;

export interface UserRecord {
  id: number;
  username: string;
  /** scrypt (services/password-hash.ts); null for a user who signs in with OpenID Connect. */
  passwordHash: string | null;
  oidcIssuer: string | null;
  oidcSubject: string | null;
  role: Role;
  namespaces: NamespaceGrant;
  createdAt: number;
  deletedAt: number | null;
}

export type NewUser = Pick<UserRecord, 'username' | 'passwordHash' | 'role' | 'namespaces'> &
  Partial<Pick<UserRecord, 'oidcIssuer' | 'oidcSubject'>>;

export interface SessionRecord {
  id: number;
  tokenHash: string;
  csrfToken: string;
  userId: number;
  createdAt: number;
  expiresAt: number;
  revokedAt: number | null;
}

/** Why a revocation did not happen. */
export type RevokeResult = 'revoked' | 'not_found' | 'already_revoked' | 'last_admin';

export interface AuditActor {
  type: 'token' | 'user';
  id: number | null;
  name: string;
}

export interface AuditRecord {
  id: number;
  at: number;
  actor: AuditActor | null;
  /** e.g. tasks.create, tokens.revoke, auth.failed */
  action: string;
  resourceType: string;
  resourceId: string | null;
  namespaceId: number | null;
  before: unknown;
  after: unknown;
  client: string | null;
}

export type NewAuditRecord = Omit<AuditRecord, 'id'>;

export interface AuditFilter {
  actor?: string | undefined;
  action?: string | undefined;
  resourceType?: string | undefined;
  resourceId?: string | undefined;
  /** Entries of these namespaces; `includeServerWide` adds those of none. */
  namespaceIds?: readonly number[] | undefined;
  includeServerWide?: boolean | undefined;
  since?: number | undefined;
  until?: number | undefined;
}
