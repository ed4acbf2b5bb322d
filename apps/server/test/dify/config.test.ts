/**
 * Saving a dify_workflow task: the config's shape, the API key encrypted at rest and shown
 * masked, the checks against the app (/info, /parameters), and POST /tasks/validate. Every bad
 * input named in the issue gets its clear error and leaves nothing behind.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startTestNode } from '../support/test-node.js';
import { createDifyTask, SIMPLE_INPUTS, startSim } from './support.js';

const body = (endpoint: string, config: Record<string, unknown>) => ({
  name: 'summarize',
  app: 'demo',
  type: 'dify_workflow',
  config: { endpoint, ...config },
  schedule: { type: 'cron', expression: '0 0 8 * * ?' },
});

describe('dify_workflow config', () => {
  it('stores the API key encrypted and shows it masked; a masked key sent back keeps it', async () => {
    const sim = await startSim();
    const node = await startTestNode();
    const created = await createDifyTask(node, sim, 'app-simple');
    expect(created.status).toBe(201);
    expect(created.body.config.apiKey).toBe('app-****mple');
    expect(created.body.config).toMatchObject({ responseMode: 'streaming', inputs: SIMPLE_INPUTS });
    const read = await node.api('GET', `/api/v1/tasks/${created.body.id}`);
    expect(read.body.config.apiKey).toBe('app-****mple');
    const list = await node.api('GET', '/api/v1/tasks');
    expect(list.body.items[0].config.apiKey).toBe('app-****mple');

    // At rest: neither the key nor its tail in clear in the database file.
    await node.stop(0);
    const db = new Database(join(node.dataDir, 'kairos.db'), { readonly: true });
    const row = db.prepare('SELECT config FROM tasks WHERE id = ?').get(created.body.id) as {
      config: string;
    };
    db.close();
    const stored = JSON.parse(row.config) as { apiKey: string };
    expect(stored.apiKey).toMatch(/^enc:v1:/);
    expect(row.config).not.toContain('app-simple');

    // Restarted on the same data directory (same key file): the masked key sent back is kept.
    const again = await startTestNode({ dataDir: node.dataDir });
    const patched = await again.api('PATCH', `/api/v1/tasks/${created.body.id}`, {
      config: { ...read.body.config, user: 'nightly' },
    });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(patched.body.config).toMatchObject({ apiKey: 'app-****mple', user: 'nightly' });
    const run = again.waitFor('run:finished');
    await again.api('POST', `/api/v1/tasks/${created.body.id}/run`, {});
    expect((await run).run.status).toBe('succeeded');
  });

  it('accepts the endpoint with or without /v1', async () => {
    const sim = await startSim();
    const node = await startTestNode();
    const withV1 = await createDifyTask(node, sim, 'app-simple');
    const without = await createDifyTask(node, sim, 'app-simple', { config: { endpoint: `${sim.url}/` } });
    expect([withV1.status, without.status]).toEqual([201, 201]);
    const finished = node.waitFor('run:finished');
    await node.api('POST', `/api/v1/tasks/${without.body.id}/run`, {});
    expect((await finished).run.status).toBe('succeeded');
  });

  it.each([
    [
      { apiKey: 'app-simple', inputs: 'what is your name' },
      'config.inputs',
      /must be an object, not a string/,
    ],
    [{ apiKey: 'app-simple', inputs: ['a'] }, 'config.inputs', /must be an object/],
    [{ inputs: {} }, 'config.apiKey', /is required/],
    [{ apiKey: 'app-simple', responseMode: 'fast' }, 'config.responseMode', /streaming, blocking/],
    [{ apiKey: 'app-simple', surprise: 1 }, 'config.surprise', /not a setting/],
  ])('refuses a bad config %j', async (config, field, message) => {
    const sim = await startSim();
    const node = await startTestNode();
    await node.api('POST', '/api/v1/apps', { appName: 'demo', name: 'Demo' });
    const res = await node.api('POST', '/api/v1/tasks', body(`${sim.url}/v1`, config));
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'INVALID_CONFIG', field });
    expect(res.body.error.message).toMatch(message);
    expect((await node.api('GET', '/api/v1/tasks')).body.items).toEqual([]);
  });

  it('refuses a missing endpoint and one that is not a URL', async () => {
    const node = await startTestNode();
    await node.api('POST', '/api/v1/apps', { appName: 'demo', name: 'Demo' });
    const missing = await node.api('POST', '/api/v1/tasks', {
      ...body('x', {}),
      config: { apiKey: 'app-x' },
    });
    expect(missing.body.error).toMatchObject({ code: 'INVALID_CONFIG', field: 'config.endpoint' });
    expect(missing.body.error.message).toMatch(/is required/);
    const bad = await node.api('POST', '/api/v1/tasks', body('api.dify.ai', { apiKey: 'app-x' }));
    expect(bad.body.error).toMatchObject({ code: 'INVALID_CONFIG', field: 'config.endpoint' });
  });

  it('checks the app: a chat app, a rejected key, an HTML endpoint and bad inputs are refused', async () => {
    const sim = await startSim();
    const node = await startTestNode();
    await node.api('POST', '/api/v1/apps', { appName: 'demo', name: 'Demo' });
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ apiKey: 'app-chat' }, 'config.apiKey', /advanced-chat app; Kairos runs workflow apps only/],
      [{ apiKey: 'app-nosuchapp' }, 'config.apiKey', /401 unauthorized: Access token is invalid/],
      [
        { apiKey: 'app-simple+html', inputs: SIMPLE_INPUTS },
        'config.endpoint',
        /text\/html, not Dify's JSON/,
      ],
      [
        { apiKey: 'app-simple', inputs: { tone: 'neutral' } },
        'config.inputs.article',
        /is required by the workflow/,
      ],
      [
        { apiKey: 'app-simple', inputs: { ...SIMPLE_INPUTS, tone: 'angry' } },
        'config.inputs.tone',
        /must be one of "neutral", "upbeat"/,
      ],
      [
        { apiKey: 'app-simple', inputs: { ...SIMPLE_INPUTS, article: 42 } },
        'config.inputs.article',
        /must be a string/,
      ],
    ];
    for (const [config, field, message] of cases) {
      const res = await node.api('POST', '/api/v1/tasks', body(`${sim.url}/v1`, config));
      expect(res.status, JSON.stringify(config)).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'INVALID_CONFIG', field });
      expect(res.body.error.message).toMatch(message);
    }
    expect((await node.api('GET', '/api/v1/tasks')).body.items).toEqual([]);
  });

  it('saves with a warning when Dify is unreachable', async () => {
    const sim = await startSim();
    const endpoint = `${sim.url}/v1`;
    await sim.close();
    const node = await startTestNode();
    await node.api('POST', '/api/v1/apps', { appName: 'demo', name: 'Demo' });
    const res = await node.api('POST', '/api/v1/tasks', body(endpoint, { apiKey: 'app-simple' }));
    expect(res.status).toBe(201);
    expect(res.body.warnings[0]).toMatch(
      /could not check the Dify app at 127\.0\.0\.1:\d+ .*saved unchecked/,
    );
  });

  it('POST /tasks/validate answers valid, warnings and errors without saving', async () => {
    const sim = await startSim();
    const node = await startTestNode();
    await node.api('POST', '/api/v1/apps', { appName: 'demo', name: 'Demo' });
    const ok = await node.api(
      'POST',
      '/api/v1/tasks/validate',
      body(`${sim.url}/v1`, { apiKey: 'app-simple', inputs: { ...SIMPLE_INPUTS, extra: 1 } }),
    );
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({
      valid: true,
      warnings: ['inputs.extra is not a variable of the workflow; Dify ignores it'],
    });
    const chat = await node.api(
      'POST',
      '/api/v1/tasks/validate',
      body(`${sim.url}/v1`, { apiKey: 'app-chat' }),
    );
    expect(chat.body).toMatchObject({
      valid: false,
      errors: [{ code: 'INVALID_CONFIG', field: 'config.apiKey' }],
    });
    const malformed = await node.api('POST', '/api/v1/tasks/validate', { name: 'x' });
    expect(malformed.status).toBe(400);
    expect((await node.api('GET', '/api/v1/tasks')).body.items).toEqual([]);
  });
});
