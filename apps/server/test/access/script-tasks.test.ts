/**
 * Script tasks run code as the server's user: they need the admin role of their namespace, and
 * KAIROS_SCRIPT_TASKS=off refuses them on the whole server.
 */
import { describe, expect, it } from 'vitest';
import { startTestNode } from '../support/test-node.js';
import { callAs, createNamespace, createToken } from './access-fixtures.js';

const scriptTask = (namespace: string) => ({
  namespace,
  name: 'shell',
  app: 'tools',
  type: 'script',
  config: { language: 'shell', source: 'echo hi' },
  schedule: { type: 'api' },
});

describe('script tasks', () => {
  it('need the admin role: an editor may create an http task but not a script task', async () => {
    const node = await startTestNode();
    await createNamespace(node, 'alpha');
    await node.api('POST', '/api/v1/apps', { namespace: 'alpha', appName: 'tools', name: 'Tools' });
    const editor = await createToken(node, 'editor', 'editor', ['alpha']);
    const admin = await createToken(node, 'admin', 'admin', ['alpha']);

    const refused = await callAs(node, editor.secret, 'POST', '/api/v1/tasks', scriptTask('alpha'));
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({ code: 'FORBIDDEN', field: 'type' });
    expect(
      (await callAs(node, editor.secret, 'POST', '/api/v1/tasks/validate', scriptTask('alpha'))).status,
    ).toBe(403);
    expect((await node.api('GET', '/api/v1/tasks?namespace=alpha')).body.items).toEqual([]);

    const created = await callAs(node, admin.secret, 'POST', '/api/v1/tasks', scriptTask('alpha'));
    expect(created.status).toBe(201);
    // Changing it, even its name, is an admin's business too; running it is an operator's.
    const renamed = await callAs(node, editor.secret, 'PATCH', `/api/v1/tasks/${created.body.id}`, {
      name: 'x',
    });
    expect(renamed.status).toBe(403);
    expect((await node.api('GET', `/api/v1/tasks/${created.body.id}`)).body.name).toBe('shell');
    const http = await callAs(node, editor.secret, 'PATCH', `/api/v1/tasks/${created.body.id}`, {
      type: 'http',
      config: { url: 'http://127.0.0.1:9/' },
    });
    expect(http.status).toBe(403);
  });

  it('are refused on a server with KAIROS_SCRIPT_TASKS=off, naming the setting', async () => {
    const node = await startTestNode({ config: { scriptTasks: 'off' } });
    await node.api('POST', '/api/v1/apps', { appName: 'tools', name: 'Tools' });
    const refused = await node.api('POST', '/api/v1/tasks', scriptTask('default'));
    expect(refused.status).toBe(400);
    expect(refused.body.error.field).toBe('type');
    expect(refused.body.error.message).toContain('KAIROS_SCRIPT_TASKS=off');
    expect((await node.api('GET', '/api/v1/tasks')).body.items).toEqual([]);
  });
});
