/**
 * Bad alerting input: a 400 naming the field, and nothing saved.
 */
import { describe, expect, it } from 'vitest';
import { createApp, startTestNode, type TestNode } from '../support/test-node.js';

async function refused(
  node: TestNode,
  path: string,
  body: unknown,
  field: string,
  code = 'VALIDATION_ERROR',
): Promise<string> {
  const res = await node.api('POST', path, body);
  expect(res.status, JSON.stringify(res.body)).toBe(400);
  expect(res.body.error.code).toBe(code);
  expect(res.body.error.field).toBe(field);
  return res.body.error.message as string;
}

describe('bad alerting input', () => {
  it('refuses bad contacts and webhook destinations, saving nothing', async () => {
    const node = await startTestNode();
    await refused(node, '/api/v1/contacts', { name: 'x', email: 'not-an-email' }, 'email');
    await refused(node, '/api/v1/contacts', { name: 'x', phone: '12345' }, 'phone');
    await refused(node, '/api/v1/contacts', { name: 'x' }, 'email');
    await refused(
      node,
      '/api/v1/contacts',
      { name: 'x', webhook: { url: 'ftp://example.com/x' } },
      'webhook.url',
    );
    await refused(node, '/api/v1/contacts', { name: 'x', webhook: { url: 'not a url' } }, 'webhook.url');
    await refused(
      node,
      '/api/v1/contacts',
      { name: 'x', webhook: { url: 'http://e.com', kind: 'pager' } },
      'webhook.kind',
    );
    for (const url of [
      'http://169.254.169.254/latest/meta-data/',
      'http://2852039166/',
      'http://0xa9fea9fe/',
      'http://0251.0376.0251.0376/',
      'http://[fe80::1]/',
      'http://[::ffff:169.254.169.254]/',
      'http://metadata.google.internal/computeMetadata/v1/',
      'http://100.100.100.200/',
    ]) {
      const message = await refused(
        node,
        '/api/v1/contacts',
        { name: 'x', webhook: { url } },
        'webhook.url',
        'DESTINATION_REFUSED',
      );
      expect(message).toContain('destination refused');
    }
    expect((await node.api('GET', '/api/v1/contacts')).body.items).toEqual([]);
  });

  it('refuses loopback webhooks when the policy says so', async () => {
    const node = await startTestNode({ config: { webhookAllowLoopback: false } });
    await refused(
      node,
      '/api/v1/contacts',
      { name: 'x', webhook: { url: 'http://127.0.0.1:9/x' } },
      'webhook.url',
      'DESTINATION_REFUSED',
    );
    await refused(
      node,
      '/api/v1/contacts',
      { name: 'x', webhook: { url: 'http://localhost:9/x' } },
      'webhook.url',
      'DESTINATION_REFUSED',
    );
    await refused(
      node,
      '/api/v1/contacts',
      { name: 'x', webhook: { url: 'http://[::1]:9/x' } },
      'webhook.url',
      'DESTINATION_REFUSED',
    );
  });

  it('refuses bad rules: unknown on, thresholds out of range, missing windows, templates that do not render, unknown ids', async () => {
    const node = await startTestNode();
    await createApp(node, 'billing');
    const contact = await node.api('POST', '/api/v1/contacts', { name: 'ann', email: 'ann@example.com' });
    const base = { name: 'r', scope: { app: 'billing' }, notify: { contacts: [contact.body.id] } };
    const rules = '/api/v1/alert-rules';
    await refused(node, rules, { ...base, on: 'sometimes' }, 'on');
    await refused(
      node,
      rules,
      { ...base, on: 'failure_rate', threshold: 1.5, windowSeconds: 600 },
      'threshold',
    );
    await refused(node, rules, { ...base, on: 'failure_rate', threshold: 0.5 }, 'windowSeconds');
    await refused(node, rules, { ...base, on: 'consecutive_failures', threshold: 2.5 }, 'threshold');
    await refused(node, rules, { ...base, on: 'consecutive_failures' }, 'threshold');
    await refused(node, rules, { ...base, on: 'failure', threshold: 3 }, 'threshold');
    await refused(
      node,
      rules,
      { ...base, on: 'token_budget', threshold: 1000, windowSeconds: 600 },
      'windowSeconds',
    );
    await refused(
      node,
      rules,
      { ...base, on: 'executors_online', threshold: 1, scope: { namespace: 'default' } },
      'scope',
    );
    await refused(
      node,
      rules,
      { ...base, on: 'failure', templates: { email: 'Hello {{#summary}}' } },
      'templates.email',
    );
    await refused(node, rules, { ...base, on: 'failure', scope: { app: 'nope' } }, 'scope.app');
    await refused(node, rules, { ...base, on: 'failure', scope: { taskId: 999 } }, 'scope.taskId');
    await refused(node, rules, { ...base, on: 'failure', notify: { contacts: [999] } }, 'notify.contacts.0');
    await refused(node, rules, { ...base, on: 'failure', notify: { groups: [999] } }, 'notify.groups.0');
    await refused(node, rules, { ...base, on: 'failure', notify: {} }, 'notify.contacts');
    expect((await node.api('GET', rules)).body.items).toEqual([]);

    const ok = await node.api('POST', rules, { ...base, on: 'failure' });
    expect(ok.status).toBe(201);
    const patch = await node.api('PATCH', `${rules}/${ok.body.id}`, { on: 'failure_rate' });
    expect(patch.status).toBe(400);
    expect(patch.body.error.field).toBe('threshold');
    expect((await node.api('GET', `${rules}/${ok.body.id}`)).body.on).toBe('failure');
  });

  it('refuses groups of unknown contacts', async () => {
    const node = await startTestNode();
    await refused(node, '/api/v1/contact-groups', { name: 'g', contacts: [42] }, 'contacts.0');
    expect((await node.api('GET', '/api/v1/contact-groups')).body.items).toEqual([]);
  });
});
