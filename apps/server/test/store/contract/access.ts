/**
 * Contract: API tokens (create, find, list, revoke keeping one admin for every namespace, even
 * against concurrent revocations on two nodes) and the audit log (append, filter, page).
 */
import { describe, expect, it } from 'vitest';
import type { NewApiToken } from '../../../src/store/access-records.js';
import { StoreConflictError } from '../../../src/store/store.js';
import type { ContractContext } from './context.js';

const admin = (name: string, tokenHash: string): NewApiToken => ({
  name,
  tokenHash,
  role: 'admin',
  namespaces: '*',
});

export function defineAccessContract(ctx: ContractContext): void {
  describe('api tokens', () => {
    it('creates, counts and finds tokens by hash; a hash is unique', async () => {
      const store = ctx.store;
      expect(await store.countApiTokens()).toBe(0);
      const token = await store.createApiToken({
        name: 'ci',
        tokenHash: 'h1',
        tokenHint: 'abcd',
        role: 'operator',
        namespaces: ['alpha', 'beta'],
        createdBy: 'admin',
        expiresAt: 5_000,
      });
      expect(token).toMatchObject({
        name: 'ci',
        tokenHash: 'h1',
        tokenHint: 'abcd',
        role: 'operator',
        namespaces: ['alpha', 'beta'],
        createdBy: 'admin',
        expiresAt: 5_000,
        lastUsedAt: null,
        revokedAt: null,
      });
      expect(await store.countApiTokens()).toBe(1);
      expect(await store.findApiTokenByHash('h1')).toEqual(token);
      expect(await store.getApiToken(token.id)).toEqual(token);
      expect(await store.findApiTokenByHash('nope')).toBeUndefined();
      await expect(store.createApiToken(admin('again', 'h1'))).rejects.toThrow(StoreConflictError);
      await store.touchApiToken(token.id, 7_000);
      expect((await store.getApiToken(token.id))?.lastUsedAt).toBe(7_000);
    });

    it('addApiTokenIfAbsent inserts a hash once, even when called concurrently', async () => {
      const store = ctx.store;
      const token = admin('admin', 'h2');
      const inserted = await Promise.all(Array.from({ length: 8 }, () => store.addApiTokenIfAbsent(token)));
      expect(inserted.filter(Boolean)).toHaveLength(1);
      expect(await store.countApiTokens()).toBe(1);
      expect(await store.addApiTokenIfAbsent(token)).toBe(false);
    });

    it('revokes a token but never the last live admin token for every namespace', async () => {
      const store = ctx.store;
      const first = await store.createApiToken(admin('first', 'a1'));
      const scoped = await store.createApiToken({ ...admin('alpha admin', 'a2'), namespaces: ['alpha'] });
      const expired = await store.createApiToken({ ...admin('expired', 'a3'), expiresAt: 1_000 });
      expect(await store.revokeApiToken(first.id, 2_000)).toBe('last_admin');
      expect(await store.revokeApiToken(scoped.id, 2_000)).toBe('revoked');
      expect(await store.revokeApiToken(scoped.id, 2_000)).toBe('already_revoked');
      expect(await store.revokeApiToken(expired.id, 2_000)).toBe('revoked');
      expect(await store.revokeApiToken(9_999, 2_000)).toBe('not_found');
      const second = await store.createApiToken(admin('second', 'a4'));
      expect(await store.revokeApiToken(first.id, 2_000)).toBe('revoked');
      expect((await store.getApiToken(first.id))?.revokedAt).toBe(2_000);
      expect(await store.revokeApiToken(second.id, 2_000)).toBe('last_admin');
      const page = await store.listApiTokens({ limit: 3 });
      expect(page.items.map((t) => t.name)).toEqual(['second', 'expired', 'alpha admin']);
      expect(
        (await store.listApiTokens({ limit: 3, cursor: page.nextCursor! })).items.map((t) => t.name),
      ).toEqual(['first']);
    });

    it('two nodes revoking the last two admin tokens at once leave one', async ({ skip }) => {
      if (ctx.store.capabilities.exclusiveWriter) skip();
      const other = await ctx.database.open();
      // Each round starts with one live admin token; a second joins it, and both are revoked at
      // once through two stores (two nodes): exactly one revocation must win.
      let live = await ctx.store.createApiToken(admin('first', 'r-first'));
      for (let round = 0; round < 5; round++) {
        const joined = await ctx.store.createApiToken(admin(`r${round}`, `r${round}`));
        const results = await Promise.all([
          ctx.store.revokeApiToken(live.id, 10),
          other.revokeApiToken(joined.id, 10),
        ]);
        expect([...results].sort()).toEqual(['last_admin', 'revoked']);
        if (results[0] === 'revoked') live = joined;
      }
    });
  });

  describe('users and sessions', () => {
    it('creates users (a name once), lists live ones, deletes keeping an admin, and ends their sessions', async () => {
      const store = ctx.store;
      const ann = await store.createUser({
        username: 'ann',
        passwordHash: 'scrypt$x',
        role: 'admin',
        namespaces: '*',
      });
      expect(ann).toMatchObject({ username: 'ann', role: 'admin', namespaces: '*', deletedAt: null });
      await expect(
        store.createUser({ username: 'ann', passwordHash: null, role: 'viewer', namespaces: ['a'] }),
      ).rejects.toThrow(StoreConflictError);
      const bob = await store.createUser({
        username: 'bob',
        passwordHash: null,
        oidcIssuer: 'https://idp',
        oidcSubject: 's-1',
        role: 'viewer',
        namespaces: ['a'],
      });
      expect(await store.getUserByOidc('https://idp', 's-1')).toEqual(bob);
      expect(await store.getUserByUsername('ann')).toEqual(ann);

      const session = await store.createSession({
        tokenHash: 'sh',
        csrfToken: 'c',
        userId: ann.id,
        createdAt: 1,
        expiresAt: 100,
      });
      expect(await store.findSessionByHash('sh')).toEqual({ session, user: ann });
      // Ann is the only admin for every namespace (no token exists): she stays.
      expect(await store.deleteUser(ann.id, 5)).toBe('last_admin');
      await store.createApiToken(admin('root', 'u1'));
      expect(await store.deleteUser(ann.id, 5)).toBe('revoked');
      expect(await store.deleteUser(ann.id, 5)).toBe('already_revoked');
      expect((await store.findSessionByHash('sh'))?.session.revokedAt).toBe(5);
      expect((await store.listUsers({ limit: 10 })).items.map((u) => u.username)).toEqual(['bob']);
      // The token is now the last admin, and the deleted user does not count.
      const root = (await store.findApiTokenByHash('u1'))!;
      expect(await store.revokeApiToken(root.id, 6)).toBe('last_admin');
      const other = await store.createSession({
        tokenHash: 'sh2',
        csrfToken: 'c',
        userId: bob.id,
        createdAt: 1,
        expiresAt: 100,
      });
      await store.revokeSession(other.id, 7);
      expect((await store.findSessionByHash('sh2'))?.session.revokedAt).toBe(7);
    });
  });

  describe('audit log', () => {
    it('appends entries and lists them newest first, filtered and paged', async () => {
      const store = ctx.store;
      const alpha = await store.createNamespace({ name: 'alpha', description: null });
      const beta = await store.createNamespace({ name: 'beta', description: null });
      const entry = (at: number, action: string, namespaceId: number | null, name = 'ann') => ({
        at,
        actor: { type: 'token' as const, id: 1, name },
        action,
        resourceType: action.split('.')[0]!,
        resourceId: String(at),
        namespaceId,
        before: at === 1 ? null : { n: at - 1 },
        after: { n: at },
        client: '127.0.0.1',
      });
      await store.appendAudit([
        entry(1, 'tasks.create', alpha.id),
        entry(2, 'tasks.update', alpha.id, 'bob'),
        entry(3, 'apps.create', beta.id),
        entry(4, 'tokens.create', null),
      ]);
      await store.appendAudit([{ ...entry(5, 'auth.failed', null), actor: null }]);
      const all = await store.listAudit({}, { limit: 10 });
      expect(all.items.map((e) => e.at)).toEqual([5, 4, 3, 2, 1]);
      expect(all.items[0]?.actor).toBeNull();
      expect(all.items[3]).toMatchObject({ before: { n: 1 }, after: { n: 2 }, actor: { name: 'bob' } });
      const ats = async (filter: Parameters<typeof store.listAudit>[0]) =>
        (await store.listAudit(filter, { limit: 10 })).items.map((e) => e.at);
      expect(await ats({ actor: 'bob' })).toEqual([2]);
      expect(await ats({ action: 'tasks.create' })).toEqual([1]);
      expect(await ats({ resourceType: 'tasks', resourceId: '2' })).toEqual([2]);
      expect(await ats({ since: 2, until: 4 })).toEqual([3, 2]);
      expect(await ats({ namespaceIds: [alpha.id] })).toEqual([2, 1]);
      expect(await ats({ namespaceIds: [beta.id], includeServerWide: true })).toEqual([5, 4, 3]);
      expect(await ats({ namespaceIds: [] })).toEqual([]);
      const first = await store.listAudit({}, { limit: 2 });
      expect(
        (await store.listAudit({}, { limit: 2, cursor: first.nextCursor! })).items.map((e) => e.at),
      ).toEqual([3, 2]);
    });
  });
}
