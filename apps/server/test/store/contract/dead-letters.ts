/**
 * Contract: dead letters — a final failure with no retry after it is listed, filtered and
 * paged; what was done with one is recorded once; a run's output checks, replay link and version
 * pin are stored; a retry keeps its run's version pin.
 */
import { describe, expect, it } from 'vitest';
import { decideSettlement } from '../../../src/runs/settlement.js';
import type { RunEnd, RunRecord, Store, TaskRecord } from '../../../src/store/store.js';
import { runInput, seed, start, taskInput, type ContractContext } from './context.js';

const RETRY = { maxAttempts: 2, backoff: 'fixed', delaySeconds: 1, maxDelaySeconds: 60 } as const;
const owner = { owner: 'node-a', leaseMs: 30_000 };

const end = (status: RunEnd['status'], finishedAt: number, retryable = true): RunEnd => ({
  status,
  finishedAt,
  durationMs: 10,
  error: status === 'succeeded' ? null : { type: 'exception', message: 'boom' },
  retryable,
});

/** Starts a scheduled run and settles it as the settler would (retry included). */
async function finish(store: Store, task: TaskRecord, run: RunRecord, e: RunEnd) {
  await store.markRunsStarted([start(run.id)]);
  const running = (await store.getRun(run.id))!;
  const [result] = await store.settleRuns([decideSettlement(running, task, 'running', e, owner)]);
  return result!;
}

export function defineDeadLetterContract(ctx: ContractContext): void {
  describe('dead letters', () => {
    it('lists final failures with no retry after them, filtered and paged, and records actions once', async () => {
      const store = ctx.store;
      const seeded = await seed(store);
      const retried = await store.createTask(taskInput(seeded, { name: 'retried', retry: RETRY }));
      const single = await store.createTask(taskInput(seeded, { name: 'single' }));
      // Attempt 1 fails and is retried: not a dead letter; attempt 2 fails: the dead letter.
      const { run: first } = await store.insertRun(runInput(retried, { input: { n: 1 } }));
      const { retry } = await finish(store, retried, first, end('failed', 5_000));
      expect(retry).not.toBeNull();
      const second = await finish(store, retried, retry!, end('timed_out', 7_000));
      expect(second.retry).toBeNull();
      // A non-retryable failure, a success, and a run still scheduled.
      const { run: lone } = await store.insertRun(runInput(single));
      await finish(store, single, lone, end('failed', 9_000, false));
      const { run: ok } = await store.insertRun(runInput(single));
      await finish(store, single, ok, end('succeeded', 9_500));
      await store.insertRun(runInput(single));

      const open = await store.listDeadLetters({ state: 'open' }, { limit: 10 });
      expect(open.items.map((d) => d.run.id)).toEqual([lone.id, retry!.id]);
      expect(open.items[1]).toMatchObject({ taskName: 'retried', action: null });
      expect(open.items[1]!.run).toMatchObject({ status: 'timed_out', attempt: 2, input: { n: 1 } });
      const statuses = await store.listDeadLetters({ state: 'open', statuses: ['timed_out'] }, { limit: 10 });
      expect(statuses.items.map((d) => d.run.id)).toEqual([retry!.id]);
      const byTask = await store.listDeadLetters({ state: 'open', taskId: single.id }, { limit: 10 });
      expect(byTask.items.map((d) => d.run.id)).toEqual([lone.id]);
      const window = await store.listDeadLetters(
        { state: 'open', since: 6_000, until: 8_000 },
        { limit: 10 },
      );
      expect(window.items.map((d) => d.run.id)).toEqual([retry!.id]);
      const otherNs = await store.listDeadLetters({ state: 'open', namespaceId: -5 }, { limit: 10 });
      expect(otherNs.items).toEqual([]);
      const page1 = await store.listDeadLetters({ state: 'open' }, { limit: 1 });
      expect(page1.items.map((d) => d.run.id)).toEqual([lone.id]);
      const page2 = await store.listDeadLetters({ state: 'open' }, { limit: 1, cursor: page1.nextCursor! });
      expect(page2.items.map((d) => d.run.id)).toEqual([retry!.id]);
      expect(page2.nextCursor).toBeNull();

      const letters = await store.getDeadLetters([first.id, retry!.id, ok.id]);
      expect([...letters.keys()]).toEqual([retry!.id]);

      const recorded = await store.recordDeadLetterActions([
        {
          runId: lone.id,
          namespaceId: seeded.ns.id,
          action: 'discarded',
          newRunId: null,
          actor: 'ops',
          at: 10_000,
        },
      ]);
      expect([...recorded]).toEqual([lone.id]);
      const again = await store.recordDeadLetterActions([
        {
          runId: lone.id,
          namespaceId: seeded.ns.id,
          action: 'redriven',
          newRunId: ok.id,
          actor: 'x',
          at: 11_000,
        },
      ]);
      expect(again.size).toBe(0);
      expect(
        (await store.listDeadLetters({ state: 'open' }, { limit: 10 })).items.map((d) => d.run.id),
      ).toEqual([retry!.id]);
      const discarded = await store.listDeadLetters({ state: 'discarded' }, { limit: 10 });
      expect(discarded.items).toHaveLength(1);
      expect(discarded.items[0]!.action).toMatchObject({
        action: 'discarded',
        actor: 'ops',
        at: 10_000,
        newRunId: null,
      });
      expect((await store.listDeadLetters({ state: 'all' }, { limit: 10 })).items).toHaveLength(2);
      expect((await store.listDeadLetters({ state: 'redriven' }, { limit: 10 })).items).toHaveLength(0);
    });

    it('stores a run’s replay link, version pin and output checks; a retry keeps the pin', async () => {
      const store = ctx.store;
      const task = await store.createTask(taskInput(await seed(store), { retry: RETRY }));
      const { run: original } = await store.insertRun(runInput(task));
      const [inserted] = await store.insertRuns([
        runInput(task, { triggerType: 'replay', replayOf: original.id, versionPin: 'wf-1' }),
      ]);
      const replay = inserted!.run;
      expect(replay).toMatchObject({
        triggerType: 'replay',
        replayOf: original.id,
        versionPin: 'wf-1',
        checks: null,
      });
      expect(original).toMatchObject({ replayOf: null, versionPin: null });
      await store.markRunsStarted([start(replay.id)]);
      const checks = {
        passed: false,
        checks: [{ rule: 'required' as const, path: 'a', passed: false, message: 'a is empty' }],
        judge: null,
      };
      await store.setRunChecks(replay.id, checks);
      expect((await store.getRun(replay.id))!.checks).toEqual(checks);
      const running = (await store.getRun(replay.id))!;
      const [result] = await store.settleRuns([
        decideSettlement(running, task, 'running', end('failed', 5_000), owner),
      ]);
      expect(result!.retry).toMatchObject({ versionPin: 'wf-1', retryOf: replay.id, replayOf: null });
      // Finished: its checks are not rewritten.
      await store.setRunChecks(replay.id, { passed: true, checks: [], judge: null });
      expect((await store.getRun(replay.id))!.checks).toEqual(checks);
    });
  });
}
