/**
 * The audit log: every change with who, when, what, before and after (secrets masked), and
 * sign-ins that failed; filtered by actor, action, resource and time; each admin reads only
 * its namespaces' entries.
 */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { startTestNode } from '../support/test-node.js';
import { callAs, createNamespace, createToken } from './access-fixtures.js';

const START = Date.parse('2030-01-01T00:00:00Z');

describe('audit log', () => {
  it('records changes with before and after, secrets masked, and filters them', async () => {
    const clock = new ManualClock(START);
    const node = await startTestNode({ clock });
    await createNamespace(node, 'alpha');
    await createNamespace(node, 'beta');
    const editor = await createToken(node, 'alpha editor', 'editor', ['alpha']);
    const app = await node.api('POST', '/api/v1/apps', {
      namespace: 'alpha',
      appName: 'billing',
      name: 'Billing',
    });
    clock.advance(60_000);
    const task = await callAs(node, editor.secret, 'POST', '/api/v1/tasks', {
      namespace: 'alpha',
      name: 'nightly',
      app: 'billing',
      type: 'http',
      config: { url: 'http://127.0.0.1:9/', headers: { 'x-api-key': 'k-1234567890abcdefgh' } },
      schedule: { type: 'api' },
    });
    expect(task.status).toBe(201);
    clock.advance(60_000);
    await callAs(node, editor.secret, 'PATCH', `/api/v1/tasks/${task.body.id}`, { name: 'nightly report' });
    await node.api('POST', '/api/v1/apps', { namespace: 'beta', appName: 'other', name: 'Other' });
    // Reads are not changes; a refused change is not one either.
    await callAs(node, editor.secret, 'GET', `/api/v1/tasks/${task.body.id}`);
    await callAs(node, editor.secret, 'DELETE', `/api/v1/apps/${app.body.id}`);

    const entries = (await node.api('GET', '/api/v1/audit')).body.items;
    expect(entries.map((e: { action: string }) => e.action)).toEqual([
      'apps.create',
      'tasks.update',
      'tasks.create',
      'apps.create',
      'tokens.create',
      'namespaces.create',
      'namespaces.create',
    ]);
    const update = entries[1];
    expect(update).toMatchObject({
      at: '2030-01-01T00:02:00.000Z',
      actor: { type: 'token', name: 'alpha editor' },
      resource: { type: 'tasks', id: String(task.body.id) },
      namespace: 'alpha',
      before: { name: 'nightly' },
      after: { name: 'nightly report' },
      client: '127.0.0.1',
    });
    // The app's access token and the token's secret were answered in full once; never logged.
    const text = JSON.stringify(entries);
    expect(text).not.toContain(app.body.accessToken);
    expect(text).not.toContain(editor.secret);
    expect(text).not.toContain('k-1234567890abcdefgh');
    expect(entries[3].after.accessToken).toMatch(/\*\*\*\*/);

    const actions = async (query: string) =>
      (await node.api('GET', `/api/v1/audit?${query}`)).body.items.map((e: { action: string }) => e.action);
    expect(await actions('actor=alpha%20editor')).toEqual(['tasks.update', 'tasks.create']);
    expect(await actions('action=apps.create&namespace=beta')).toEqual(['apps.create']);
    expect(await actions(`resource=tasks/${task.body.id}`)).toEqual(['tasks.update', 'tasks.create']);
    expect(await actions('since=2030-01-01T00:01:00Z&until=2030-01-01T00:02:00Z')).toEqual(['tasks.create']);

    // An admin of alpha reads alpha's entries; an editor reads none.
    const alphaAdmin = await createToken(node, 'alpha admin', 'admin', ['alpha']);
    const seen = (await callAs(node, alphaAdmin.secret, 'GET', '/api/v1/audit')).body.items;
    expect(seen.map((e: { namespace: string }) => e.namespace)).toEqual(['alpha', 'alpha', 'alpha']);
    expect((await callAs(node, editor.secret, 'GET', '/api/v1/audit')).status).toBe(403);
    const badSince = await node.api('GET', '/api/v1/audit?since=yesterday');
    expect([badSince.status, badSince.body.error.field]).toEqual([400, 'since']);
  });
});
