/**
 * API tokens and the audit log in the store (the AccessStore part of Store).
 */
import {
  sql,
  type Expression,
  type ExpressionBuilder,
  type Kysely,
  type Selectable,
  type SqlBool,
} from 'kysely';
import type { NamespaceGrant, Role } from '@kairos/protocol';
import type { ApiTokensTable, AuditLogTable, Database } from './db-schema.js';
import { mapConflict } from './db-errors.js';
import { decodeCursor, toPage } from './pagination.js';
import type { AccessStore } from './access-store.js';
import type { UserStore } from './user-queries.js';
import type {
  ApiTokenRecord,
  AuditFilter,
  AuditRecord,
  NewApiToken,
  NewAuditRecord,
  RevokeResult,
} from './access-records.js';
import { StoreConflictError, type Page, type PageRequest } from './store.js';

/** How "every namespace" is stored in a `namespaces` column. */
export const EVERY = JSON.stringify('*');

const toTokenRecord = (row: Selectable<ApiTokensTable>): ApiTokenRecord => ({
  id: Number(row.id),
  name: row.name,
  tokenHash: row.token_hash,
  tokenHint: row.token_hint,
  role: row.role as Role,
  namespaces: JSON.parse(row.namespaces) as NamespaceGrant,
  createdAt: Number(row.created_at),
  createdBy: row.created_by,
  expiresAt: row.expires_at === null ? null : Number(row.expires_at),
  lastUsedAt: row.last_used_at === null ? null : Number(row.last_used_at),
  revokedAt: row.revoked_at === null ? null : Number(row.revoked_at),
});

const parse = (text: string | null): unknown => (text === null ? null : JSON.parse(text));

const toAuditRecord = (row: Selectable<AuditLogTable>): AuditRecord => ({
  id: Number(row.id),
  at: Number(row.at),
  actor:
    row.actor_type === null
      ? null
      : {
          type: row.actor_type as 'token' | 'user',
          id: row.actor_id === null ? null : Number(row.actor_id),
          name: row.actor_name ?? '',
        },
  action: row.action,
  resourceType: row.resource_type,
  resourceId: row.resource_id,
  namespaceId: row.namespace_id === null ? null : Number(row.namespace_id),
  before: parse(row.before),
  after: parse(row.after),
  client: row.client,
});

/**
 * A condition true while an administrator for every namespace other than the one being removed
 * stays: a live admin token for "*" or an admin user for "*" (expired tokens do not count).
 */
export function anotherAdmin(
  eb: ExpressionBuilder<Database, keyof Database>,
  except: { tokenId?: number; userId?: number },
  at: number,
): Expression<SqlBool> {
  return eb.or([
    eb.exists(
      eb
        .selectFrom('api_tokens as other')
        .select('other.id')
        .where('other.id', '!=', except.tokenId ?? -1)
        .where('other.role', '=', 'admin')
        .where('other.namespaces', '=', EVERY)
        .where('other.revoked_at', 'is', null)
        .where((o) => o.or([o('other.expires_at', 'is', null), o('other.expires_at', '>', at)])),
    ),
    eb.exists(
      eb
        .selectFrom('users as admin_user')
        .select('admin_user.id')
        .where('admin_user.id', '!=', except.userId ?? -1)
        .where('admin_user.role', '=', 'admin')
        .where('admin_user.namespaces', '=', EVERY)
        .where('admin_user.deleted_at', 'is', null),
    ),
  ]);
}

/**
 * Runs a removal guarded by anotherAdmin. Its statement is atomic on SQLite (one writer). On
 * PostgreSQL two removals on two nodes would each see the other's admin still there and both
 * succeed, so the tables are locked first (SHARE ROW EXCLUSIVE conflicts with itself): the
 * second waits, then sees the first.
 */
export function keepingAnAdmin<T>(
  parts: { db: Kysely<Database>; dialect: 'sqlite' | 'postgres' },
  work: (db: Kysely<Database>) => Promise<T>,
): Promise<T> {
  if (parts.dialect === 'sqlite') return work(parts.db);
  return parts.db.transaction().execute(async (tx) => {
    await sql`LOCK TABLE api_tokens, users IN SHARE ROW EXCLUSIVE MODE`.execute(tx);
    return work(tx);
  });
}

export function accessOperations(parts: {
  db: Kysely<Database>;
  now: () => number;
  dialect: 'sqlite' | 'postgres';
}): Omit<AccessStore, keyof UserStore> {
  const { db, now } = parts;
  const values = (token: NewApiToken) => ({
    name: token.name,
    token_hash: token.tokenHash,
    token_hint: token.tokenHint ?? null,
    role: token.role,
    namespaces: JSON.stringify(token.namespaces),
    created_at: now(),
    created_by: token.createdBy ?? null,
    expires_at: token.expiresAt ?? null,
  });

  const revoke = async (tx: Kysely<Database>, id: number, at: number): Promise<RevokeResult> => {
    const result = await tx
      .updateTable('api_tokens')
      .set({ revoked_at: at })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .where((eb) =>
        eb.or([
          eb('role', '!=', 'admin'),
          eb('namespaces', '!=', EVERY),
          anotherAdmin(eb, { tokenId: id }, at),
        ]),
      )
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) > 0) return 'revoked';
    const token = await tx
      .selectFrom('api_tokens')
      .select('revoked_at')
      .where('id', '=', id)
      .executeTakeFirst();
    if (!token) return 'not_found';
    return token.revoked_at !== null ? 'already_revoked' : 'last_admin';
  };

  return {
    async countApiTokens() {
      const row = await db
        .selectFrom('api_tokens')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    async createApiToken(token) {
      const row = await mapConflict(
        'unique',
        () =>
          new StoreConflictError('An API token with this hash exists already', 'api_tokens_token_hash_key'),
        () => db.insertInto('api_tokens').values(values(token)).returningAll().executeTakeFirstOrThrow(),
      );
      return toTokenRecord(row);
    },

    async addApiTokenIfAbsent(token) {
      // ON CONFLICT DO NOTHING rather than check-then-insert: the unique index decides the race.
      const rows = await db
        .insertInto('api_tokens')
        .values(values(token))
        .onConflict((oc) => oc.column('token_hash').doNothing())
        .returning('id')
        .execute();
      return rows.length > 0;
    },

    async findApiTokenByHash(tokenHash) {
      const row = await db
        .selectFrom('api_tokens')
        .selectAll()
        .where('token_hash', '=', tokenHash)
        .executeTakeFirst();
      return row && toTokenRecord(row);
    },

    async getApiToken(id) {
      const row = await db.selectFrom('api_tokens').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toTokenRecord(row);
    },

    async listApiTokens(page: PageRequest): Promise<Page<ApiTokenRecord>> {
      const before = decodeCursor(page.cursor);
      const rows = await db
        .selectFrom('api_tokens')
        .selectAll()
        .$if(before !== undefined, (q) => q.where('id', '<', before!))
        .orderBy('id', 'desc')
        .limit(page.limit + 1)
        .execute();
      return toPage(rows.map(toTokenRecord), page.limit);
    },

    revokeApiToken: (id, at) => keepingAnAdmin(parts, (tx) => revoke(tx, id, at)),

    async touchApiToken(id, at) {
      await db.updateTable('api_tokens').set({ last_used_at: at }).where('id', '=', id).execute();
    },

    async appendAudit(entries: NewAuditRecord[]) {
      if (entries.length === 0) return;
      await db
        .insertInto('audit_log')
        .values(
          entries.map((e) => ({
            at: e.at,
            actor_type: e.actor?.type ?? null,
            actor_id: e.actor?.id ?? null,
            actor_name: e.actor?.name ?? null,
            action: e.action,
            resource_type: e.resourceType,
            resource_id: e.resourceId,
            namespace_id: e.namespaceId,
            before: e.before === undefined || e.before === null ? null : JSON.stringify(e.before),
            after: e.after === undefined || e.after === null ? null : JSON.stringify(e.after),
            client: e.client,
          })),
        )
        .execute();
    },

    async listAudit(filter: AuditFilter, page: PageRequest): Promise<Page<AuditRecord>> {
      const before = decodeCursor(page.cursor);
      const ids = filter.namespaceIds;
      const rows = await db
        .selectFrom('audit_log')
        .selectAll()
        .$if(before !== undefined, (q) => q.where('id', '<', before!))
        .$if(filter.actor !== undefined, (q) => q.where('actor_name', '=', filter.actor!))
        .$if(filter.action !== undefined, (q) => q.where('action', '=', filter.action!))
        .$if(filter.resourceType !== undefined, (q) => q.where('resource_type', '=', filter.resourceType!))
        .$if(filter.resourceId !== undefined, (q) => q.where('resource_id', '=', filter.resourceId!))
        .$if(filter.since !== undefined, (q) => q.where('at', '>=', filter.since!))
        .$if(filter.until !== undefined, (q) => q.where('at', '<', filter.until!))
        .$if(ids !== undefined, (q) =>
          q.where((eb) => {
            const inScope = ids!.length > 0 ? [eb('namespace_id', 'in', [...ids!])] : [];
            const serverWide = filter.includeServerWide ? [eb('namespace_id', 'is', null)] : [];
            return eb.or([...inScope, ...serverWide]);
          }),
        )
        .orderBy('id', 'desc')
        .limit(page.limit + 1)
        .execute();
      return toPage(rows.map(toAuditRecord), page.limit);
    },
  };
}
