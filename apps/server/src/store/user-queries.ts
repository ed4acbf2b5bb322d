/**
 * Console users and their sessions in the store (the user part of AccessStore).
 */
import type { Kysely, Selectable } from 'kysely';
import type { NamespaceGrant, Role } from '@kairos/protocol';
import type { Database, SessionsTable, UsersTable } from './db-schema.js';
import { mapConflict } from './db-errors.js';
import { decodeCursor, toPage } from './pagination.js';
import type { AccessStore } from './access-store.js';
import type { RevokeResult, SessionRecord, UserRecord } from './access-records.js';
import { EVERY, anotherAdmin, keepingAnAdmin } from './access-queries.js';
import { StoreConflictError } from './store.js';

export type UserStore = Pick<
  AccessStore,
  | 'createUser'
  | 'getUser'
  | 'getUserByUsername'
  | 'getUserByOidc'
  | 'bindUserOidc'
  | 'listUsers'
  | 'deleteUser'
  | 'createSession'
  | 'findSessionByHash'
  | 'revokeSession'
>;

const toUserRecord = (row: Selectable<UsersTable>): UserRecord => ({
  id: Number(row.id),
  username: row.username,
  passwordHash: row.password_hash,
  oidcIssuer: row.oidc_issuer,
  oidcSubject: row.oidc_subject,
  role: row.role as Role,
  namespaces: JSON.parse(row.namespaces) as NamespaceGrant,
  createdAt: Number(row.created_at),
  deletedAt: row.deleted_at === null ? null : Number(row.deleted_at),
});

const toSessionRecord = (row: Selectable<SessionsTable>): SessionRecord => ({
  id: Number(row.id),
  tokenHash: row.token_hash,
  csrfToken: row.csrf_token,
  userId: Number(row.user_id),
  createdAt: Number(row.created_at),
  expiresAt: Number(row.expires_at),
  revokedAt: row.revoked_at === null ? null : Number(row.revoked_at),
});

export function userOperations(parts: {
  db: Kysely<Database>;
  now: () => number;
  dialect: 'sqlite' | 'postgres';
}): UserStore {
  const { db, now } = parts;

  const remove = async (tx: Kysely<Database>, id: number, at: number): Promise<RevokeResult> => {
    const result = await tx
      .updateTable('users')
      .set({ deleted_at: at })
      .where('id', '=', id)
      .where('deleted_at', 'is', null)
      .where((eb) =>
        eb.or([
          eb('role', '!=', 'admin'),
          eb('namespaces', '!=', EVERY),
          anotherAdmin(eb, { userId: id }, at),
        ]),
      )
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) > 0) {
      await tx
        .updateTable('sessions')
        .set({ revoked_at: at })
        .where('user_id', '=', id)
        .where('revoked_at', 'is', null)
        .execute();
      return 'revoked';
    }
    const user = await tx.selectFrom('users').select('deleted_at').where('id', '=', id).executeTakeFirst();
    if (!user) return 'not_found';
    return user.deleted_at !== null ? 'already_revoked' : 'last_admin';
  };

  return {
    async createUser(user) {
      const row = await mapConflict(
        'unique',
        () => new StoreConflictError(`username "${user.username}" is taken`, 'users_username_key'),
        () =>
          db
            .insertInto('users')
            .values({
              username: user.username,
              password_hash: user.passwordHash,
              oidc_issuer: user.oidcIssuer ?? null,
              oidc_subject: user.oidcSubject ?? null,
              role: user.role,
              namespaces: JSON.stringify(user.namespaces),
              created_at: now(),
            })
            .returningAll()
            .executeTakeFirstOrThrow(),
      );
      return toUserRecord(row);
    },

    async getUser(id) {
      const row = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toUserRecord(row);
    },

    async getUserByUsername(username) {
      const row = await db
        .selectFrom('users')
        .selectAll()
        .where('username', '=', username)
        .executeTakeFirst();
      return row && toUserRecord(row);
    },

    async getUserByOidc(issuer, subject) {
      const row = await db
        .selectFrom('users')
        .selectAll()
        .where('oidc_issuer', '=', issuer)
        .where('oidc_subject', '=', subject)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
      return row && toUserRecord(row);
    },

    async bindUserOidc(id, issuer, subject) {
      const row = await db
        .updateTable('users')
        .set({ oidc_issuer: issuer, oidc_subject: subject })
        .where('id', '=', id)
        .where('deleted_at', 'is', null)
        .where('oidc_subject', 'is', null)
        .returningAll()
        .executeTakeFirst();
      return row && toUserRecord(row);
    },

    async listUsers(page) {
      const before = decodeCursor(page.cursor);
      const rows = await db
        .selectFrom('users')
        .selectAll()
        .where('deleted_at', 'is', null)
        .$if(before !== undefined, (q) => q.where('id', '<', before!))
        .orderBy('id', 'desc')
        .limit(page.limit + 1)
        .execute();
      return toPage(rows.map(toUserRecord), page.limit);
    },

    deleteUser: (id, at) => keepingAnAdmin(parts, (tx) => remove(tx, id, at)),

    async createSession(session) {
      const row = await db
        .insertInto('sessions')
        .values({
          token_hash: session.tokenHash,
          csrf_token: session.csrfToken,
          user_id: session.userId,
          created_at: session.createdAt,
          expires_at: session.expiresAt,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toSessionRecord(row);
    },

    async findSessionByHash(tokenHash) {
      const session = await db
        .selectFrom('sessions')
        .selectAll()
        .where('token_hash', '=', tokenHash)
        .executeTakeFirst();
      if (!session) return undefined;
      const user = await db
        .selectFrom('users')
        .selectAll()
        .where('id', '=', session.user_id)
        .executeTakeFirst();
      return user && { session: toSessionRecord(session), user: toUserRecord(user) };
    },

    async revokeSession(id, at) {
      await db.updateTable('sessions').set({ revoked_at: at }).where('id', '=', id).execute();
    },
  };
}
