/**
 * Budgets enforced against the Dify simulator: a used-up budget skips new runs (or holds them
 * until the next period), a running run that crosses a hard limit is stopped, and the budget's
 * state (used, left, resetsAt) is on the API. On SQLite and on PostgreSQL.
 */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { createDifyTask, runOnce, startSim } from '../dify/support.js';
import { eventually } from '../support/eventually.js';
import { postgresReachable, testSchema } from '../support/postgres.js';
import { startTestNode } from '../support/test-node.js';

const pgReachable = await postgresReachable();
/** app-simple: one LLM node of 268 + 58 tokens, priced 0.000075 USD. */
const SIMPLE_TOKENS = 326;

describe('budgets with the Dify simulator', () => {
  it.each(['sqlite', 'postgres'] as const)(
    '%s: once the budget is used up, new runs are skipped with error.type budget',
    async (dialect) => {
      if (dialect === 'postgres' && !pgReachable) return;
      const databaseUrl = dialect === 'postgres' ? (await testSchema()).databaseUrl : undefined;
      const sim = await startSim();
      const node = await startTestNode({ config: { databaseUrl } });
      const task = await createDifyTask(node, sim, 'app-simple', {
        task: { budget: { tokens: 500, period: 'day', onExceeded: 'skip' } },
      });
      expect(task.status).toBe(201);
      const taskId = task.body.id as number;

      expect((await runOnce(node, taskId)).status).toBe('succeeded');
      // 326 of 500 used: the second run still goes, and takes the budget over.
      expect((await runOnce(node, taskId)).status).toBe('succeeded');
      const runsBefore = sim.requests.filter((r) => r.path === '/v1/workflows/run').length;

      const third = await runOnce(node, taskId);
      expect(third.status).toBe('skipped');
      expect(third.error.type).toBe('budget');
      expect(third.error.message).toMatch(
        /^skipped: the daily budget of task \d+ is used up \(652 of 500 tokens\); it resets at \d{4}-\d\d-\d\dT00:00:00\.000Z$/,
      );
      expect(sim.requests.filter((r) => r.path === '/v1/workflows/run')).toHaveLength(runsBefore);

      const state = (await node.api('GET', `/api/v1/budgets?taskId=${taskId}`)).body.items[0];
      expect(state).toMatchObject({
        scope: { kind: 'task', id: taskId },
        used: { tokens: 2 * SIMPLE_TOKENS },
        left: { tokens: 0, cost: null },
        exceeded: true,
      });
      expect(Date.parse(state.resetsAt) - Date.parse(state.periodStart)).toBe(86_400_000);
    },
  );

  it("an app's budget holds its tasks' runs until the next period", async () => {
    const T0 = Date.parse('2026-03-10T23:58:00.000Z');
    const clock = new ManualClock(T0);
    const sim = await startSim();
    const node = await startTestNode({ clock });
    const app = await node.api('POST', '/api/v1/apps', {
      appName: 'demo',
      name: 'Demo',
      budget: { tokens: 300, period: 'day', onExceeded: 'hold' },
    });
    expect(app.status).toBe(201);
    const task = await createDifyTask(node, sim, 'app-simple');
    const taskId = task.body.id as number;
    expect((await runOnce(node, taskId)).status).toBe('succeeded');

    const held = (await node.api('POST', `/api/v1/tasks/${taskId}/run`, {})).body.runId as number;
    await eventually(async () => {
      const logs = (await node.api('GET', `/api/v1/runs/${held}/logs`)).body.items as any[];
      expect(logs.map((l) => l.text).join('\n')).toMatch(
        /held: the daily budget of app demo is used up \(326 of 300 tokens\); it resets at 2026-03-11T00:00:00.000Z/,
      );
    });
    await node.events.settle();
    // Its page says why it waits, since when and until when.
    const waiting = (await node.api('GET', `/api/v1/runs/${held}`)).body;
    expect(waiting.status).toBe('scheduled');
    expect(waiting.waiting).toMatchObject({
      reason: 'budget',
      pool: null,
      budget: `app:${app.body.id}`,
      since: new Date(T0).toISOString(),
      until: '2026-03-11T00:00:00.000Z',
      message: expect.stringMatching(/^held: the daily budget of app demo is used up/),
    });
    expect(sim.requests.filter((r) => r.path === '/v1/workflows/run')).toHaveLength(1);

    const finished = node.waitFor('run:finished', (p) => p.run.id === held, 15_000);
    clock.set(Date.parse('2026-03-11T00:00:00.000Z'));
    const { run } = await finished;
    expect(run.status).toBe('succeeded');
    expect(run.startedAt).toBe(Date.parse('2026-03-11T00:00:00.000Z'));
    expect((await node.api('GET', `/api/v1/runs/${held}`)).body.waiting).toBeNull();
    const state = (await node.api('GET', '/api/v1/budgets')).body.items[0];
    expect(state).toMatchObject({ scope: { kind: 'app', name: 'demo' }, used: { tokens: SIMPLE_TOKENS } });
    expect(state.resetsAt).toBe('2026-03-12T00:00:00.000Z');
  });

  it('stopWhenExceeded: a running run that crosses the limit is stopped at Dify', async () => {
    const sim = await startSim({ stepMs: 40 });
    const node = await startTestNode();
    const task = await createDifyTask(node, sim, 'app-multi-llm', {
      task: { budget: { tokens: 500, period: 'hour', stopWhenExceeded: true } },
    });
    expect(task.status).toBe(201);
    const run = await runOnce(node, task.body.id);
    expect(run.status).toBe('cancelled');
    expect(run.error.type).toBe('budget');
    expect(run.error.message).toMatch(
      /^stopped: the hourly budget of task \d+ is used up \(652 of 500 tokens\)/,
    );
    expect(sim.stops).toHaveLength(1);
  });
});
