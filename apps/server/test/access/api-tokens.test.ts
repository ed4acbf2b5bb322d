/**
 * API tokens through the API: the secret shown once, scoped and expiring, last use shown,
 * revoked at once (on every node of a cluster), never more rights than their creator holds,
 * and never the last admin revoked.
 */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { postgresReachable, testSchema } from '../support/postgres.js';
import { ADMIN_TOKEN, startTestNode } from '../support/test-node.js';
import { callAs, createNamespace, createToken } from './access-fixtures.js';

const pgReachable = await postgresReachable();
const START = Date.parse('2030-01-01T00:00:00Z');

describe('API tokens', () => {
  it('shows the secret once, masks it afterwards, records its last use, and expires it', async () => {
    const clock = new ManualClock(START);
    const node = await startTestNode({ clock });
    await createNamespace(node, 'alpha');
    const created = await node.api('POST', '/api/v1/tokens', {
      name: 'ci',
      role: 'viewer',
      namespaces: ['alpha'],
      expiresAt: '2030-01-02T00:00:00Z',
    });
    expect(created.status).toBe(201);
    const secret: string = created.body.token;
    expect(secret).toMatch(/^kairos_[A-Za-z0-9_-]{30,}$/);
    expect(created.body).toMatchObject({
      name: 'ci',
      role: 'viewer',
      namespaces: ['alpha'],
      createdBy: 'admin (KAIROS_ADMIN_TOKEN)',
      expiresAt: '2030-01-02T00:00:00.000Z',
      lastUsedAt: null,
      revokedAt: null,
    });
    const listed = async () =>
      (await node.api('GET', '/api/v1/tokens')).body.items.find(
        (t: { id: number }) => t.id === created.body.id,
      );
    expect((await listed()).token).toBe(`kairos_****${secret.slice(-4)}`);

    expect((await callAs(node, secret, 'GET', '/api/v1/tasks')).status).toBe(200);
    expect((await listed()).lastUsedAt).toBe('2030-01-01T00:00:00.000Z');
    // Only its namespaces: the default one does not exist for it.
    expect((await callAs(node, secret, 'GET', '/api/v1/tasks?namespace=default')).status).toBe(404);

    clock.advance(86_400_000);
    const expired = await callAs(node, secret, 'GET', '/api/v1/tasks');
    expect(expired.status).toBe(401);
    expect(expired.body.error.message).toMatch(/expired/);
  });

  it('revokes at once; refuses bad input and rights its creator does not hold, saving nothing', async () => {
    const node = await startTestNode();
    await createNamespace(node, 'alpha');
    await createNamespace(node, 'beta');
    const token = await createToken(node, 'reader', 'viewer', ['alpha']);
    expect((await callAs(node, token.secret, 'GET', '/api/v1/apps')).status).toBe(200);
    const revoked = await node.api('DELETE', `/api/v1/tokens/${token.id}`);
    expect(revoked.status).toBe(200);
    expect(revoked.body.revokedAt).not.toBeNull();
    const after = await callAs(node, token.secret, 'GET', '/api/v1/apps');
    expect(after.status).toBe(401);
    expect(after.body.error.message).toMatch(/revoked/);

    const alphaAdmin = await createToken(node, 'alpha admin', 'admin', ['alpha']);
    const refusals: [unknown, number, string][] = [
      [{ name: 'x', role: 'viewer', namespaces: ['beta'] }, 403, 'namespaces'],
      [{ name: 'x', role: 'admin', namespaces: '*' }, 403, 'namespaces'],
      // A namespace it holds nothing in, existing or not, is one it cannot hand out.
      [{ name: 'x', role: 'viewer', namespaces: ['nope'] }, 403, 'namespaces'],
      [{ name: 'x', role: 'root', namespaces: ['alpha'] }, 400, 'role'],
      [{ name: 'x', role: 'viewer', namespaces: [] }, 400, 'namespaces'],
      [
        { name: 'x', role: 'viewer', namespaces: ['alpha'], expiresAt: '2000-01-01T00:00:00Z' },
        400,
        'expiresAt',
      ],
    ];
    const before = (await node.api('GET', '/api/v1/tokens')).body.items.length;
    for (const [body, status, field] of refusals) {
      const res = await callAs(node, alphaAdmin.secret, 'POST', '/api/v1/tokens', body);
      expect([res.status, res.body.error.field], JSON.stringify(body)).toEqual([status, field]);
    }
    const unknown = await node.api('POST', '/api/v1/tokens', {
      name: 'x',
      role: 'viewer',
      namespaces: ['nope'],
    });
    expect([unknown.status, unknown.body.error.field]).toEqual([400, 'namespaces.0']);
    expect((await node.api('GET', '/api/v1/tokens')).body.items.length).toBe(before);
    // An admin of alpha sees alpha's tokens only, and cannot revoke the server's.
    const seen = (await callAs(node, alphaAdmin.secret, 'GET', '/api/v1/tokens')).body.items.map(
      (t: { name: string }) => t.name,
    );
    expect(seen).toEqual(['alpha admin', 'reader']);
    const bootstrapId = (await node.api('GET', '/api/v1/tokens')).body.items.at(-1).id;
    expect((await callAs(node, alphaAdmin.secret, 'DELETE', `/api/v1/tokens/${bootstrapId}`)).status).toBe(
      404,
    );
  });

  it('revokes the bootstrap admin token only once another admin exists, and it stays revoked', async () => {
    const node = await startTestNode();
    const bootstrap = (await node.api('GET', '/api/v1/tokens')).body.items[0];
    expect(bootstrap).toMatchObject({ name: 'admin (KAIROS_ADMIN_TOKEN)', role: 'admin', namespaces: '*' });
    const refused = await node.api('DELETE', `/api/v1/tokens/${bootstrap.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('LAST_ADMIN');

    const second = await createToken(node, 'second admin', 'admin', '*');
    expect((await callAs(node, second.secret, 'DELETE', `/api/v1/tokens/${bootstrap.id}`)).status).toBe(200);
    expect((await node.api('GET', '/api/v1/tasks')).status).toBe(401);
    // The one left cannot go.
    expect((await callAs(node, second.secret, 'DELETE', `/api/v1/tokens/${second.id}`)).status).toBe(409);

    // A restart with the same KAIROS_ADMIN_TOKEN does not bring it back.
    await node.stop(0);
    const again = await startTestNode({ dataDir: node.dataDir });
    expect((await callAs(again, ADMIN_TOKEN, 'GET', '/api/v1/tasks')).status).toBe(401);
    expect((await callAs(again, second.secret, 'GET', '/api/v1/tasks')).status).toBe(200);
  });

  describe.skipIf(!pgReachable)('in a cluster', () => {
    it('a token revoked on one node stops working on the others at once', async () => {
      const { databaseUrl } = await testSchema();
      const a = await startTestNode({ config: { databaseUrl, nodeId: 'node-a' } });
      const b = await startTestNode({ config: { databaseUrl, nodeId: 'node-b' } });
      const token = await createToken(a, 'shared', 'viewer', '*');
      // Node b trusts it (and remembers that for a few seconds).
      expect((await callAs(b, token.secret, 'GET', '/api/v1/tasks')).status).toBe(200);
      const heard = b.waitFor('credentials:revoked', (e) => e.fromNode === 'node-a');
      expect((await a.api('DELETE', `/api/v1/tokens/${token.id}`)).status).toBe(200);
      await heard;
      expect((await callAs(b, token.secret, 'GET', '/api/v1/tasks')).status).toBe(401);
    });
  });
});
