/**
 * The outbound destination policy through a real node: refused destinations are 400s naming the
 * field when saved (http task url, Dify endpoint, webhook url, executor address) and a run error
 * naming the policy at run time: a redirect to a link-local address, a name that resolves to one
 * (a stand-in DNS injected into the node), and a namespace's own deny list.
 */
import type { LookupAddress } from 'node:dns';
import { describe, expect, it } from 'vitest';
import type { HostResolver } from '../../src/outbound/outbound-policy.js';
import { startHttpTarget } from '../support/http-target.js';
import { createApp, startTestNode, type TestNode } from '../support/test-node.js';
import { SIMPLE_INPUTS, runOnce, startSim } from '../dify/support.js';
import { createExecutorTask, triggerAndWait } from '../executors/support.js';

const zone: Record<string, LookupAddress[]> = {
  'rebind.test': [{ address: '169.254.169.254', family: 4 }],
  'local.test': [{ address: '127.0.0.1', family: 4 }],
};
const resolveHost: HostResolver = async (host) => {
  const found = zone[host];
  if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
  return found;
};

async function expectRefused(
  node: TestNode,
  method: string,
  path: string,
  body: unknown,
  field: string,
): Promise<void> {
  const res = await node.api(method, path, body);
  expect(res.status, JSON.stringify(res.body)).toBe(400);
  expect(res.body.error).toMatchObject({ code: 'DESTINATION_REFUSED', field });
}

const httpTask = (url: string, name = 'call') => ({
  name,
  app: 'demo',
  type: 'http',
  config: { url },
  schedule: { type: 'api' },
});

describe('outbound destination policy', () => {
  it('refuses link-local and metadata destinations when they are saved, naming the field', async () => {
    const node = await startTestNode({ resolveHost });
    await createApp(node);
    for (const url of [
      'http://169.254.169.254/latest/meta-data/',
      'http://2852039166/',
      'http://0xa9fea9fe/',
      'http://0251.0376.0251.0376/',
      'http://[::ffff:a9fe:a9fe]/',
      'http://[fe80::1]/',
      'http://metadata.google.internal/',
    ]) {
      await expectRefused(node, 'POST', '/api/v1/tasks', httpTask(url), 'config.url');
    }
    await expectRefused(
      node,
      'POST',
      '/api/v1/tasks',
      {
        name: 'dify',
        app: 'demo',
        type: 'dify_workflow',
        config: { endpoint: 'http://169.254.169.254/v1', apiKey: 'app-x' },
        schedule: { type: 'api' },
      },
      'config.endpoint',
    );
    await expectRefused(
      node,
      'POST',
      '/api/v1/contacts',
      { name: 'hook', webhook: { url: 'http://[fd00:ec2::254]/' } },
      'webhook.url',
    );
    await expectRefused(
      node,
      'PUT',
      '/api/v1/apps/demo/executor-addresses',
      { addresses: ['http://127.0.0.1:9999', 'http://100.100.100.200:9999'] },
      'addresses.1',
    );
    expect((await node.api('GET', '/api/v1/tasks')).body.items).toEqual([]);
    expect((await node.api('GET', '/api/v1/contacts')).body.items).toEqual([]);
  });

  it('fails an http run that is redirected to a link-local address, or to a name resolving to one', async () => {
    const node = await startTestNode({ resolveHost });
    await createApp(node);
    const target = await startHttpTarget((req, res) => {
      const to =
        req.url === '/literal' ? 'http://169.254.169.254/latest/meta-data/' : 'http://rebind.test:80/';
      res.writeHead(302, { location: to }).end();
    });
    for (const path of ['/literal', '/named']) {
      const task = await node.api('POST', '/api/v1/tasks', httpTask(`${target.url}${path}`, path));
      expect(task.status, JSON.stringify(task.body)).toBe(201);
      const run = await runOnce(node, task.body.id);
      expect(run.status).toBe('failed');
      expect(run.error).toMatchObject({ type: 'destination_refused', policy: 'outbound' });
      expect(run.error.message).toContain('169.254.169.254');
    }
    expect(target.requests.map((r) => r.url)).toEqual(['/literal', '/named']);
  });

  it('checks the address a name resolves to when connecting, not only when saving', async () => {
    const node = await startTestNode({ resolveHost });
    await createApp(node);
    const target = await startHttpTarget();
    const port = new URL(target.url).port;
    const ok = await node.api('POST', '/api/v1/tasks', httpTask(`http://local.test:${port}/ok`, 'ok'));
    expect((await runOnce(node, ok.body.id)).status).toBe('succeeded');
    // Saved without DNS (the name is not refused as such); refused when the run connects.
    const rebind = await node.api('POST', '/api/v1/tasks', httpTask(`http://rebind.test:${port}/`, 'rebind'));
    expect(rebind.status).toBe(201);
    const run = await runOnce(node, rebind.body.id);
    expect(run.error).toMatchObject({ type: 'destination_refused', policy: 'outbound' });
    expect(run.retryable ?? false).toBe(false);
    expect(target.requests.map((r) => r.url)).toEqual(['/ok']);
  });

  it("applies a namespace's deny list when saving and when running", async () => {
    const node = await startTestNode({ resolveHost });
    await createApp(node);
    const target = await startHttpTarget();
    const sim = await startSim();
    const before = await node.api('POST', '/api/v1/tasks', httpTask(target.url, 'before'));
    const dify = await node.api('POST', '/api/v1/tasks', {
      name: 'dify',
      app: 'demo',
      type: 'dify_workflow',
      config: {
        endpoint: `http://local.test:${new URL(sim.url).port}/v1`,
        apiKey: 'app-simple',
        inputs: SIMPLE_INPUTS,
      },
      schedule: { type: 'api' },
    });
    expect(dify.status, JSON.stringify(dify.body)).toBe(201);

    const bad = await node.api('PUT', '/api/v1/namespaces/default/outbound', { deny: ['127.0.0.1/33'] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('deny.0');
    const set = await node.api('PUT', '/api/v1/namespaces/default/outbound', { deny: ['127.0.0.0/8'] });
    expect(set.body).toEqual({ allow: [], deny: ['127.0.0.0/8'] });
    expect((await node.api('GET', '/api/v1/namespaces/default/outbound')).body).toEqual(set.body);

    await expectRefused(node, 'POST', '/api/v1/tasks', httpTask(target.url, 'after'), 'config.url');
    const http = await runOnce(node, before.body.id);
    expect(http.error).toMatchObject({ type: 'destination_refused' });
    expect(http.error.message).toMatch(/namespace/);
    const difyRun = await runOnce(node, dify.body.id);
    expect(difyRun.error).toMatchObject({ type: 'destination_refused', policy: 'outbound' });
    expect(target.requests).toEqual([]);
  });

  it('fails a webhook delivery to a name that resolves to a link-local address, without retry', async () => {
    const node = await startTestNode({ resolveHost });
    const receiver = await startHttpTarget();
    const port = new URL(receiver.url).port;
    const contact = await node.api('POST', '/api/v1/contacts', {
      name: 'hook',
      webhook: { url: `http://rebind.test:${port}/hook` },
    });
    expect(contact.status, JSON.stringify(contact.body)).toBe(201);
    const failed = node.waitFor('alert:delivery', (e) => e.result === 'gave_up');
    const test = await node.api('POST', `/api/v1/contacts/${contact.body.id}/test`, {});
    expect(test.status).toBe(202);
    await failed;
    const alert = await node.api('GET', `/api/v1/alerts/${test.body.alertId}`);
    expect(alert.body.deliveries[0].lastError).toMatch(/destination refused.*169\.254\.169\.254/);
    expect(alert.body.deliveries[0].attempts).toBe(1);
    expect(receiver.requests).toEqual([]);
  });

  it('fails an executor call to an address whose name resolves to a link-local address', async () => {
    const node = await startTestNode({ resolveHost });
    const appName = await createApp(node);
    const executor = await startHttpTarget((_req, res) => res.end('{"code":200}'));
    const port = new URL(executor.url).port;
    const set = await node.api('PUT', `/api/v1/apps/${appName}/executor-addresses`, {
      addresses: [`http://rebind.test:${port}`],
    });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    const taskId = await createExecutorTask(node, appName, { handler: 'h' });
    const run = await triggerAndWait(node, taskId);
    expect(run.status).toBe('failed');
    expect(run.error.message).toMatch(/outbound policy.*169\.254\.169\.254/);
    expect(executor.requests).toEqual([]);
  });
});
