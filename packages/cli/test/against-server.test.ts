/**
 * The CLI against a real Kairos node (SQLite, HTTP on 127.0.0.1): the commands a user runs in the
 * quick start, end to end.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../src/run-cli.js';
import { ADMIN_TOKEN, startTestNode, tempDataDir } from '../../../apps/server/test/support/test-node.js';

async function kairos(url: string, argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    env: { KAIROS_URL: url, KAIROS_TOKEN: ADMIN_TOKEN },
    stdout: { write: (chunk: string) => (stdout += chunk) },
    stderr: { write: (chunk: string) => (stderr += chunk) },
    sleep: (ms: number) => new Promise((resolve) => setTimeout(resolve, ms)),
  });
  return { code, stdout, stderr };
}

describe('kairos CLI against a running server', () => {
  it('creates an app and a task from YAML, runs it, waits, and reads its logs', async () => {
    const node = await startTestNode();
    const app = await kairos(node.url, ['apps', 'create', '--app-name', 'demo', '--name', 'Demo', '--json']);
    expect(app.code).toBe(0);
    expect(JSON.parse(app.stdout).accessToken).toMatch(/^kat_/);

    const dir = tempDataDir();
    const file = join(dir, 'task.yaml');
    writeFileSync(
      file,
      [
        'name: hello',
        'app: demo',
        'type: script',
        'config: { language: shell, source: "echo hello from the cli" }',
        'schedule: { type: api }',
      ].join('\n'),
    );
    const created = await kairos(node.url, ['tasks', 'create', '-f', file, '--json']);
    expect(created.code).toBe(0);
    const taskId = JSON.parse(created.stdout).id;

    const run = await kairos(node.url, ['tasks', 'run', String(taskId), '--wait', '--json']);
    expect(run.code).toBe(0);
    const runId = JSON.parse(run.stdout).id ?? JSON.parse(run.stdout).runId;
    const logs = await kairos(node.url, ['runs', 'logs', String(runId)]);
    expect(logs.stdout).toContain('hello from the cli');

    const list = await kairos(node.url, ['runs', 'list', '--task', String(taskId)]);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain('succeeded');
  });

  it('reports an API error with its code and field, exit code 1', async () => {
    const node = await startTestNode();
    await kairos(node.url, ['apps', 'create', '--app-name', 'demo', '--name', 'Demo']);
    const dir = tempDataDir();
    const file = join(dir, 'bad.json');
    const task = {
      name: 'x',
      app: 'demo',
      type: 'http',
      config: { url: 'http://127.0.0.1:9/' },
      schedule: { type: 'cron', expression: '61 * * * * ?' },
    };
    writeFileSync(file, JSON.stringify(task));
    const res = await kairos(node.url, ['tasks', 'create', '-f', file]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/INVALID_CRON/);
    expect(res.stderr).toMatch(/schedule\.expression/);
  });

  it('triggers runs from JSON lines, 1,000 a request, and says which lines were refused', async () => {
    const node = await startTestNode();
    await kairos(node.url, ['apps', 'create', '--app-name', 'demo', '--name', 'Demo']);
    const task = await node.api('POST', '/api/v1/tasks', {
      name: 'noop',
      app: 'demo',
      type: 'script',
      config: { language: 'shell', source: 'true' },
      schedule: { type: 'api' },
      concurrency: { max: 1, overlap: 'queue' },
    });
    const dir = tempDataDir();
    const file = join(dir, 'items.jsonl');
    const lines = Array.from({ length: 1200 }, (_, i) =>
      JSON.stringify({ taskId: i === 1100 ? 999_999 : task.body.id, idempotencyKey: `k${i % 1150}` }),
    );
    writeFileSync(file, lines.join('\n') + '\n\n');
    const res = await kairos(node.url, ['runs', 'trigger', '-f', file]);
    expect(res.code).toBe(1);
    expect(res.stdout).toContain('line 1101: TASK_NOT_FOUND: task 999999 does not exist');
    expect(res.stdout).toContain('line 1151: run ');
    expect(res.stdout).toMatch(/line 1151: run \d+ \(existing: same idempotency key\)/);
    expect(res.stderr).toContain('1199 triggered, 1 refused');
    // Lines 1151-1200 repeat the keys of lines 1-50: 1,149 runs in all.
    expect(await node.store.countRuns({ taskId: task.body.id })).toBe(1149);
  });
});
