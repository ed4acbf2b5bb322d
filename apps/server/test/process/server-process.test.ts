import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { startServerProcess } from '../support/server-process.js';
import { ADMIN_TOKEN, startTestNode, tempDataDir } from '../support/test-node.js';

const auth = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };
async function call(url: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: auth,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}

async function scriptTask(url: string, source: string, extra: Record<string, unknown> = {}) {
  await call(url, 'POST', '/api/v1/apps', { appName: 'demo', name: 'Demo' });
  const task = await call(url, 'POST', '/api/v1/tasks', {
    name: 'script',
    app: 'demo',
    type: 'script',
    config: { language: 'shell', source },
    schedule: { type: 'api' },
    ...extra,
  });
  expect(task.status).toBe(201);
  const run = await call(url, 'POST', `/api/v1/tasks/${task.body.id}/run`, {});
  await eventually(async () =>
    expect((await call(url, 'GET', `/api/v1/runs/${run.body.runId}`)).body.status).toBe('running'),
  );
  return { taskId: task.body.id as number, runId: run.body.runId as number };
}

describe('the server process', () => {
  it('on SIGTERM lets running work finish, then exits 0 with the run recorded', async () => {
    const dataDir = tempDataDir();
    const server = startServerProcess(['--data-dir', dataDir], { KAIROS_ADMIN_TOKEN: ADMIN_TOKEN });
    const url = await server.ready;
    const { runId } = await scriptTask(url, 'sleep 1; echo finished');
    server.child.kill('SIGTERM');
    expect((await server.exited).code).toBe(0);

    const node = await startTestNode({ dataDir });
    const run = await node.api('GET', `/api/v1/runs/${runId}`);
    expect(run.body.status).toBe('succeeded');
    expect(run.body.output.stdout).toContain('finished');
  });

  it("after a crash, the next start finishes the dead process's running run as lost and retries it", async () => {
    const dataDir = tempDataDir();
    const server = startServerProcess(['--data-dir', dataDir], { KAIROS_ADMIN_TOKEN: ADMIN_TOKEN });
    const url = await server.ready;
    const { taskId, runId } = await scriptTask(url, 'sleep 3', {
      retry: { maxAttempts: 2, delaySeconds: 0 },
    });
    server.child.kill('SIGKILL');
    await server.exited;

    const node = await startTestNode({ dataDir });
    const lost = await node.api('GET', `/api/v1/runs/${runId}`);
    expect(lost.body.status).toBe('lost');
    expect(lost.body.error.type).toBe('lost');
    const retried = await eventually(async () => {
      const runs = await node.api('GET', `/api/v1/runs?taskId=${taskId}&triggerType=retry`);
      expect(runs.body.items).toHaveLength(1);
      return runs.body.items[0];
    });
    expect(retried).toMatchObject({ attempt: 2, retryOf: runId });
  });

  it('refuses a second process on the same SQLite file, with a message that says what to do', async () => {
    const dataDir = tempDataDir();
    const first = startServerProcess(['--data-dir', dataDir], { KAIROS_ADMIN_TOKEN: ADMIN_TOKEN });
    await first.ready;
    const second = startServerProcess(['--data-dir', dataDir], { KAIROS_ADMIN_TOKEN: ADMIN_TOKEN });
    expect((await second.exited).code).toBe(1);
    expect(second.stderr()).toMatch(/Another Kairos server \(pid \d+\)/);
    expect(second.stderr()).toMatch(/PostgreSQL/);
    expect((await fetch(`${await first.ready}/healthz`)).status).toBe(200);
  });

  it('stops at start with a clear message on a corrupt database or an unusable data directory', async () => {
    const dataDir = tempDataDir();
    writeFileSync(join(dataDir, 'kairos.db'), 'this is not a database '.repeat(200));
    const corrupt = startServerProcess(['--data-dir', dataDir]);
    expect((await corrupt.exited).code).toBe(1);
    expect(corrupt.stderr()).toMatch(/not a Kairos SQLite database or is corrupt/);

    const file = join(tempDataDir(), 'a-file');
    writeFileSync(file, '');
    const unusable = startServerProcess(['--data-dir', join(file, 'data')]);
    expect((await unusable.exited).code).toBe(1);
    expect(unusable.stderr()).toMatch(/KAIROS_DATA_DIR/);
  });

  it('generates and prints an admin token once on first start when none is configured', async () => {
    const dataDir = tempDataDir();
    const first = startServerProcess(['--data-dir', dataDir]);
    const url = await first.ready;
    const token = /^\s{4}(kairos_\S+)$/m.exec(first.stdout())?.[1];
    expect(token).toBeTruthy();
    const res = await fetch(`${url}/api/v1/tasks`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    first.child.kill('SIGTERM');
    await first.exited;
    const second = startServerProcess(['--data-dir', dataDir]);
    await second.ready;
    expect(second.stdout()).not.toMatch(/kairos_/);
  });

  it('refuses a bad setting with the flag and variable to fix', async () => {
    const bad = startServerProcess(['--data-dir', tempDataDir(), '--port', 'eighty']);
    expect((await bad.exited).code).toBe(1);
    expect(bad.stderr()).toMatch(/port \(--port \/ PORT\)/);
  });
});
