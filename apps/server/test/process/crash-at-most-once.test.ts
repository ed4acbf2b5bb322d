/**
 * A run is executed at most once, even across `kill -9`: its start is stored before its job has
 * any outside effect, so a run whose request left before the crash is found `running` after it
 * and settled `lost`, never executed a second time unseen. A real server process on SQLite,
 * killed with SIGKILL while hundreds of API-triggered HTTP runs are in flight.
 */
import { describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { startHttpTarget } from '../support/http-target.js';
import { startServerProcess } from '../support/server-process.js';
import { ADMIN_TOKEN, startTestNode, tempDataDir } from '../support/test-node.js';

const RUNS = 400;

describe('at most once across kill -9 (SQLite)', () => {
  it('no run is executed twice; a run killed mid-request is recorded lost', async () => {
    const received = new Map<number, number>();
    let crashed = false;
    const target = await startHttpTarget((_req, res, body) => {
      const { n } = JSON.parse(body) as { n: number };
      received.set(n, (received.get(n) ?? 0) + 1);
      // Hold requests open until the crash, so that some are in flight when it comes.
      const answer = () => res.end('ok');
      if (crashed) answer();
      else setTimeout(answer, 50);
    });
    const dataDir = tempDataDir();
    const server = startServerProcess(['--data-dir', dataDir], { KAIROS_ADMIN_TOKEN: ADMIN_TOKEN });
    const url = await server.ready;
    const call = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${url}${path}`, {
        method,
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return (await res.json()) as any;
    };
    await call('POST', '/api/v1/apps', { appName: 'demo', name: 'Demo' });
    const task = await call('POST', '/api/v1/tasks', {
      name: 'hook',
      app: 'demo',
      type: 'http',
      config: { url: target.url, method: 'POST' },
      schedule: { type: 'api' },
      concurrency: { max: 50, overlap: 'queue' },
    });
    const runIds: number[] = [];
    const triggers: Promise<void>[] = [];
    for (let n = 1; n <= RUNS; n++) {
      triggers.push(
        call('POST', `/api/v1/tasks/${task.id}/run`, { input: { n } }).then(
          (r) => void runIds.push(r.runId),
          () => undefined, // the server is killed under some triggers
        ),
      );
    }
    await eventually(() => expect(received.size).toBeGreaterThan(RUNS / 4), 30_000);
    server.child.kill('SIGKILL');
    crashed = true;
    await server.exited;
    await Promise.all(triggers);

    const node = await startTestNode({ dataDir });
    await eventually(async () => {
      const open = await node.store.countRuns({ taskId: task.id, statuses: ['scheduled', 'running'] });
      expect(open).toBe(0);
    }, 60_000);

    const executedTwice = [...received].filter(([, count]) => count > 1);
    expect(executedTwice).toEqual([]);
    const runs = (await node.store.listRuns({ taskId: task.id }, { limit: 1000 })).items;
    const lost = runs.filter((r) => r.status === 'lost');
    expect(lost.length).toBeGreaterThan(0);
    for (const run of runs) {
      expect(run.attempt).toBe(1);
      expect(['succeeded', 'lost']).toContain(run.status);
      // A run recorded succeeded was executed, once.
      if (run.status === 'succeeded') expect(received.get((run.input as { n: number }).n)).toBe(1);
    }
  });
});
