/**
 * Workflows through `kairos export` and `kairos apply -f` against a real node: exported by name
 * (a node's task by name, an inline task inline, its secrets by reference), applied to a fresh
 * namespace where the workflow runs to success against a receiver on 127.0.0.1, then nothing to
 * change, then a changed edge shown in the plan.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startHttpTarget } from '../../../apps/server/test/support/http-target.js';
import {
  ADMIN_TOKEN,
  startTestNode,
  tempDataDir,
  type TestNode,
} from '../../../apps/server/test/support/test-node.js';
import { kairos as runKairos } from './harness.js';

const kairos = (node: TestNode, argv: string[], options: { cwd?: string } = {}) =>
  runKairos(argv, { env: { KAIROS_URL: node.url, KAIROS_TOKEN: ADMIN_TOKEN }, ...options });

async function runToEnd(node: TestNode, workflowId: number) {
  const ended = node.waitFor('workflow_run:finished', ({ run }) => run.workflowId === workflowId);
  const started = await node.api('POST', `/api/v1/workflows/${workflowId}/run`, {});
  expect(started.status, JSON.stringify(started.body)).toBe(201);
  const { run } = await ended;
  return run;
}

describe('kairos export and apply: workflows', () => {
  it('round trip to a fresh namespace: the workflow runs there; again nothing to change; an edge changed', async () => {
    const receiver = await startHttpTarget((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(req.url === '/extract' ? { rows: ['a', 'b'] } : { ok: true }));
    });
    const node = await startTestNode();
    await node.api('POST', '/api/v1/apps', { appName: 'billing', name: 'Billing' });
    const calendar = await node.api('POST', '/api/v1/calendars', {
      name: 'holidays',
      timezone: 'UTC',
      dates: ['2026-12-25'],
    });
    const extract = await node.api('POST', '/api/v1/tasks', {
      name: 'extract',
      app: 'billing',
      type: 'http',
      config: { url: `${receiver.url}/extract`, method: 'POST' },
      schedule: { type: 'api' },
    });
    const load = {
      type: 'http',
      config: { url: `${receiver.url}/load`, method: 'POST', headers: { Authorization: 'Bearer s3cret' } },
      retry: { maxAttempts: 2 },
    };
    const created = await node.api('POST', '/api/v1/workflows', {
      name: 'nightly',
      app: 'billing',
      description: 'rows to the warehouse',
      schedule: {
        type: 'cron',
        expression: '0 0 2 * * ?',
        calendar: { id: calendar.body.id, mode: 'exclude' },
      },
      concurrency: { max: 2, overlap: 'queue' },
      timeoutSeconds: 900,
      input: { day: 'monday' },
      nodes: [
        { key: 'extract', taskId: extract.body.id, input: '{ "day": input.day }' },
        {
          key: 'load',
          task: load,
          forEach: { items: 'nodes.extract.output.body.rows', concurrency: 2, onItemFailure: 'fail_fast' },
          input: '{ "row": item }',
        },
      ],
      edges: [{ from: 'extract', to: 'load', condition: { expression: 'status = "succeeded"' } }],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);

    const dir = tempDataDir();
    const exported = await kairos(node, ['export', '-o', 'kairos.yaml'], { cwd: dir });
    expect(exported.code).toBe(0);
    expect(exported.stderr).toMatch(/exported 1 apps, 1 tasks, 1 workflows to /);
    const file = join(dir, 'kairos.yaml');
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain('s3cret');
    const document = parse(text);
    // Only the task the namespace lists: the inline node's hidden task is part of the workflow.
    expect(document.tasks.map((t: any) => t.name)).toEqual(['extract']);
    expect(document.workflows).toEqual([
      {
        name: 'nightly',
        app: 'billing',
        description: 'rows to the warehouse',
        schedule: expect.objectContaining({
          type: 'cron',
          expression: '0 0 2 * * ?',
          calendar: { name: 'holidays', mode: 'exclude' },
        }),
        concurrency: { max: 2, overlap: 'queue' },
        timeoutSeconds: 900,
        input: { day: 'monday' },
        nodes: [
          { key: 'extract', task: 'extract', input: '{ "day": input.day }' },
          {
            key: 'load',
            task: {
              type: 'http',
              config: {
                url: `${receiver.url}/load`,
                method: 'POST',
                headers: {
                  Authorization: {
                    secretRef: 'workflows.nightly.nodes.load.task.config.headers.Authorization',
                  },
                },
              },
              retry: expect.objectContaining({ maxAttempts: 2 }),
            },
            forEach: { items: 'nodes.extract.output.body.rows', concurrency: 2, onItemFailure: 'fail_fast' },
            input: '{ "row": item }',
          },
        ],
        edges: [{ from: 'extract', to: 'load', condition: { expression: 'status = "succeeded"' } }],
        enabled: true,
      },
    ]);

    // Applied where it came from, the secret by reference is the one stored: nothing changes.
    const home = await kairos(node, ['apply', '-f', file, '--dry-run']);
    expect(home.stdout).toContain('  = workflow nightly');
    expect(home.stdout).toContain('Nothing to change (4 unchanged).');

    // A fresh namespace has none of it, so the sealed header cannot come along: a named secret
    // there stands for it.
    expect((await node.api('POST', '/api/v1/namespaces', { name: 'fresh' })).status).toBe(201);
    const secret = await node.api('POST', '/api/v1/secrets', {
      namespace: 'fresh',
      name: 'load-token',
      value: 'Bearer s3cret',
    });
    expect(secret.status).toBe(201);
    const fresh = text
      .replace('namespace: default', 'namespace: fresh')
      .replace(
        /secretRef: workflows\.nightly\.nodes\.load\.task\.config\.headers\.Authorization/,
        '$secret: load-token',
      );
    writeFileSync(file, fresh);
    const applied = await kairos(node, ['apply', '-f', file, '--yes']);
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain('namespace fresh');
    expect(applied.stdout).toContain('  + workflow nightly');
    expect(applied.stdout).toContain('Applied: 4 created, 0 changed, 0 deleted.');

    const [workflow] = (await node.api('GET', '/api/v1/workflows?namespace=fresh')).body.items;
    const freshExtract = (await node.api('GET', '/api/v1/tasks?namespace=fresh')).body.items[0];
    expect(workflow).toMatchObject({
      namespace: 'fresh',
      version: 1,
      nodes: [{ taskId: freshExtract.id }, {}],
    });
    const run = await runToEnd(node, workflow.id);
    expect(run.status).toBe('succeeded');
    const loads = receiver.requests.filter((r) => r.url === '/load');
    expect(loads.map((r) => JSON.parse(r.body)).sort((a, b) => a.row.localeCompare(b.row))).toEqual([
      { row: 'a' },
      { row: 'b' },
    ]);

    const again = await kairos(node, ['apply', '-f', file, '--yes']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('  = workflow nightly');
    expect(again.stdout).toContain('Nothing to change (4 unchanged).');

    writeFileSync(file, fresh.replace('status = "succeeded"', 'status != "failed"'));
    const changed = await kairos(node, ['apply', '-f', file, '--dry-run']);
    expect(changed.stdout).toContain(
      '  ~ workflow nightly\n      edges.0.condition.expression: "status = \\"succeeded\\"" -> "status != \\"failed\\""',
    );
  });
});
