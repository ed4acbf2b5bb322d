/**
 * Access control: roles per namespace, API tokens, users and the audit log.
 * docs/access-control.md says what each role may do.
 */
import { z } from 'zod';

/** From least to most: each role may do everything the ones before it may. */
export const ROLES = ['viewer', 'operator', 'editor', 'admin'] as const;
export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;

const namespaceName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'must be 1-63 lowercase letters, digits, "_" or "-"');

/** The namespaces a token or user acts in: a list of names, or "*" for every namespace. */
export const NamespaceGrant = z.union([
  z.literal('*'),
  z.array(namespaceName).min(1, 'must name at least one namespace (or be "*")').max(100),
]);
export type NamespaceGrant = z.infer<typeof NamespaceGrant>;

const isoInstant = z.iso.datetime({
  offset: true,
  message: 'must be an ISO-8601 instant, e.g. 2026-03-15T06:00:00Z',
});

export const TokenCreate = z.strictObject({
  name: z.string().trim().min(1).max(100),
  role: Role,
  namespaces: NamespaceGrant,
  /** Absent: the token does not expire. */
  expiresAt: isoInstant.optional(),
});

export const ApiToken = z.object({
  id: z.number(),
  name: z.string(),
  role: Role,
  namespaces: NamespaceGrant,
  /** The secret in full in the answer to its creation only; masked afterwards. */
  token: z.string(),
  createdAt: z.string(),
  createdBy: z.string().nullable(),
  expiresAt: z.string().nullable(),
  /** Within about a minute. */
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
export type ApiToken = z.infer<typeof ApiToken>;

export const AuditQuery = z.strictObject({
  /** A token's or user's name. */
  actor: z.string().max(200).optional(),
  /** e.g. tasks.create, tokens.revoke, auth.failed */
  action: z.string().max(100).optional(),
  /** A resource type (tasks) or type/id (tasks/12). */
  resource: z.string().max(200).optional(),
  namespace: namespaceName.optional(),
  since: isoInstant.optional(),
  until: isoInstant.optional(),
  cursor: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

export const AuditEntry = z.object({
  id: z.number(),
  at: z.string(),
  actor: z
    .object({ type: z.enum(['token', 'user']), id: z.number().nullable(), name: z.string() })
    .nullable(),
  action: z.string(),
  resource: z.object({ type: z.string(), id: z.string().nullable() }),
  namespace: z.string().nullable(),
  /** The resource as the API showed it before and after the change; secrets masked. */
  before: z.unknown(),
  after: z.unknown(),
  /** The client's address. */
  client: z.string().nullable(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

/** Who is calling: GET /api/v1/me. */
export const Me = z.object({
  type: z.enum(['token', 'user']),
  id: z.number(),
  name: z.string(),
  /** The role in each namespace ("*": every namespace). */
  grants: z.array(z.object({ namespace: z.string(), role: Role })),
});
export type Me = z.infer<typeof Me>;

export const UserCreate = z.strictObject({
  username: z
    .string()
    .regex(/^[A-Za-z0-9._@-]{1,100}$/, 'must be 1-100 letters, digits, ".", "_", "@" or "-"'),
  /** Absent: the user signs in with the OpenID Connect provider only. */
  password: z.string().min(12, 'must be at least 12 characters').max(1000).optional(),
  role: Role,
  namespaces: NamespaceGrant,
});

export const User = z.object({
  id: z.number(),
  username: z.string(),
  role: Role,
  namespaces: NamespaceGrant,
  /** How the user signs in. */
  signIn: z.enum(['password', 'oidc']),
  createdAt: z.string(),
});
export type User = z.infer<typeof User>;

/** POST /api/v1/session: a console sign-in. */
export const SessionCreate = z.strictObject({
  username: z.string().min(1).max(100),
  password: z.string().min(1).max(1000),
});

/** The signed-in caller; `csrfToken` (cookie sessions only) goes in X-CSRF-Token on changes. */
export const SessionInfo = Me.extend({ csrfToken: z.string().nullable() });
export type SessionInfo = z.infer<typeof SessionInfo>;
