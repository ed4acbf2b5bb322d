/**
 * Pools and budgets on a PostgreSQL cluster of two nodes: a pool's requests per minute and its
 * concurrency hold across the nodes (each node alone would start the whole limit), and a node
 * sees within a second what the other's runs used of a budget (not at its 10 s refresh), against
 * the Dify simulator.
 */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { budgetCountKey } from '../../src/store/cluster-pace-queries.js';
import { createDifyTask, runOnce, startSim } from '../dify/support.js';
import { eventually } from '../support/eventually.js';
import { postgresReachable, testSchema } from '../support/postgres.js';
import { startTestNode } from '../support/test-node.js';
import type { TestNode } from '../support/test-node.js';

const pgReachable = await postgresReachable();
const SECRET = 'a shared cluster secret key';
/** The task's own limit out of the way: only the pool holds its runs back. */
const ALLOW = { max: 100, overlap: 'allow' };

async function twoNodes(clock?: ManualClock): Promise<[TestNode, TestNode]> {
  const { databaseUrl } = await testSchema();
  const config = { databaseUrl, secretKey: SECRET, pollIntervalMs: 100 };
  const a = await startTestNode({ clock, config: { ...config, nodeId: 'node-a' } });
  const b = await startTestNode({ clock, config: { ...config, nodeId: 'node-b' } });
  return [a, b];
}

/** Triggers `count` runs of the task on the node; resolves with the finished runs. */
async function runsOn(node: TestNode, taskId: number, count: number): Promise<any[]> {
  const ids: number[] = [];
  const done = new Set<number>();
  let resolve!: () => void;
  const all = new Promise<void>((r) => (resolve = r));
  const off = node.events.on('run:finished', ({ run }) => {
    if (run.taskId !== taskId) return;
    done.add(run.id);
    if (done.size === count) resolve();
  });
  for (let i = 0; i < count; i++) {
    const res = await node.api('POST', `/api/v1/tasks/${taskId}/run`, {});
    expect(res.status).toBe(202);
    ids.push(res.body.runId as number);
  }
  await all;
  off();
  return Promise.all(ids.map(async (id) => (await node.api('GET', `/api/v1/runs/${id}`)).body));
}

describe.skipIf(!pgReachable)('provider pools on a cluster', () => {
  it('holds requestsPerMinute across two nodes', async () => {
    const [a, b] = await twoNodes();
    const sim = await startSim();
    // 120 a minute: two a second, with a burst of two.
    expect((await a.api('POST', '/api/v1/pools', { name: 'llm', requestsPerMinute: 120 })).status).toBe(201);
    const task = await createDifyTask(a, sim, 'app-simple', { task: { pool: 'llm', concurrency: ALLOW } });
    const taskId = task.body.id as number;

    const runs = (await Promise.all([runsOn(a, taskId, 6), runsOn(b, taskId, 6)])).flat();
    expect(runs.every((r) => r.status === 'succeeded')).toBe(true);
    const starts = runs.map((r) => Date.parse(r.startedAt)).sort((x, y) => x - y);
    // The shared bucket lets at most its burst (2) plus two a second start in any span of time,
    // whichever node starts them (each node pacing alone would start twice as many: 12 within
    // about 2.5 s). One start more is allowed: a run's startedAt is taken a moment after its
    // grant, so the first of a span may look later than the grant that let it go.
    for (let i = 0; i < starts.length; i++) {
      for (let j = i + 1; j < starts.length; j++) {
        const span = starts[j]! - starts[i]!;
        expect(j - i + 1, `starts ${i}..${j} within ${span} ms`).toBeLessThanOrEqual(
          3 + (span * 2) / 1000 + 1e-6,
        );
      }
    }
  });

  it('holds concurrency across two nodes: no two runs of the pool overlap', async () => {
    const [a, b] = await twoNodes();
    const sim = await startSim();
    await a.api('POST', '/api/v1/pools', { name: 'one', concurrency: 1 });
    const task = await createDifyTask(a, sim, 'app-simple', { task: { pool: 'one', concurrency: ALLOW } });
    const taskId = task.body.id as number;

    const runs = (await Promise.all([runsOn(a, taskId, 3), runsOn(b, taskId, 3)])).flat();
    expect(runs.every((r) => r.status === 'succeeded')).toBe(true);
    const spans = runs
      .map((r) => ({ start: Date.parse(r.startedAt), end: Date.parse(r.finishedAt) }))
      .sort((x, y) => x.start - y.start);
    for (let i = 1; i < spans.length; i++) {
      expect(spans[i]!.start, `run ${i} started before run ${i - 1} ended`).toBeGreaterThanOrEqual(
        spans[i - 1]!.end,
      );
    }
  });

  it("a budget counts the other node's runs within a second", async () => {
    // A manual clock: the usage each node reads from the run statistics is not refreshed (10 s).
    const T0 = Date.parse('2026-05-04T08:00:00.000Z');
    const clock = new ManualClock(T0);
    const [a, b] = await twoNodes(clock);
    const sim = await startSim();
    const task = await createDifyTask(a, sim, 'app-simple', {
      task: { budget: { tokens: 500, period: 'day', onExceeded: 'skip' }, concurrency: ALLOW },
    });
    const taskId = task.body.id as number;

    // b runs one (326 of 500), then a one more: 652, the budget is used up.
    expect((await runOnce(b, taskId)).status).toBe('succeeded');
    expect((await runOnce(a, taskId)).status).toBe('succeeded');
    // Each node adds its runs' usage at its next count (a second on), then reads the others' at
    // the one after: the shared counter is waited for in the store, then b's next count.
    clock.set(T0 + 1000);
    const day = Date.parse('2026-05-04T00:00:00.000Z');
    await eventually(async () => {
      const counters = await a.store.addBudgetCounts([], [{ scope: `task:${taskId}`, periodStart: day }], 0);
      expect(counters.get(budgetCountKey(`task:${taskId}`, day))?.tokens).toBe(652);
    });
    clock.set(T0 + 2000);
    await eventually(async () => {
      const state = (await b.api('GET', `/api/v1/budgets?taskId=${taskId}`)).body.items[0];
      expect(state.used.tokens).toBe(652);
    });
    const third = await runOnce(b, taskId);
    expect(third.status).toBe('skipped');
    expect(third.error).toMatchObject({ type: 'budget' });
    expect(third.error.message).toContain('(652 of 500 tokens)');
  });
});
