/**
 * The executor core: block strategies, kill, repeat triggers, unknown handlers, /log lines,
 * timeouts and glue, as XXL-JOB's JobThread behaves (reference §2.5, §1.5).
 */
import { describe, expect, it } from 'vitest';
import { defineTask } from '@kairos/sdk';
import { JobRunner } from '../src/job-runner.js';
import type { XxlTriggerParam } from '@kairos/protocol';
import type { ExecutionResult } from '../src/job-runner.js';

/** A runner with a `gate` task that waits to be opened, and waits on what the runner does. */
function harness(glue = false) {
  const results: ExecutionResult[] = [];
  const gates = new Map<number, () => void>();
  const waiters: (() => void)[] = [];
  const changed = () => waiters.splice(0).forEach((wake) => wake());
  const tasks = [
    defineTask('gate', ({ logId, log, signal }) => {
      log(`started ${logId}`);
      return new Promise((resolve, reject) => {
        gates.set(logId, () => resolve(`done ${logId}`));
        changed();
        signal.addEventListener('abort', () => reject(signal.reason));
      });
    }),
    defineTask('echo', ({ params }) => params),
  ];
  const runner = new JobRunner({
    tasks: new Map(tasks.map((t) => [t.name, t])),
    glue,
    onResult: (r) => {
      results.push(r);
      changed();
    },
  });
  const until = async (check: () => boolean) => {
    while (!check()) await new Promise<void>((wake) => waiters.push(wake));
  };
  return {
    runner,
    results,
    gates,
    /** Resolves once the gate task of `logId` has started. */
    started: (logId: number) => until(() => gates.has(logId)),
    /** Resolves once `count` results were reported. */
    reported: (count: number) => until(() => results.length >= count),
  };
}

let nextLogId = 1;
const trigger = (over: Partial<XxlTriggerParam> = {}): XxlTriggerParam => ({
  jobId: 1,
  executorHandler: 'gate',
  executorParams: '',
  executorBlockStrategy: 'SERIAL_EXECUTION',
  executorTimeout: 0,
  logId: nextLogId++,
  logDateTime: 0,
  glueType: 'BEAN',
  glueSource: '',
  glueUpdatetime: 0,
  broadcastIndex: 0,
  broadcastTotal: 1,
  ...over,
});

describe('JobRunner', () => {
  it('serial: queues per job, runs in order; other jobs run alongside', async () => {
    const { runner, results, gates, started, reported } = harness();
    const a = trigger();
    const b = trigger();
    const other = trigger({ jobId: 2, executorHandler: 'echo', executorParams: 'x' });
    expect(runner.accept(a)).toEqual({ code: 200, msg: null });
    expect(runner.accept(b)).toEqual({ code: 200, msg: null });
    expect(runner.accept(other).code).toBe(200);
    await started(a.logId);
    await reported(1);
    expect(runner.idle(1)).toBe(false);
    expect(results.map((r) => r.logId)).toEqual([other.logId]);
    // b waits for a: it starts only once a is done.
    expect(gates.has(b.logId)).toBe(false);
    gates.get(a.logId)!();
    await started(b.logId);
    expect(results.map((r) => r.logId)).toEqual([other.logId, a.logId]);
    gates.get(b.logId)!();
    await reported(3);
    expect(results.map((r) => [r.logId, r.handleCode, r.handleMsg])).toEqual([
      [other.logId, 200, 'x'],
      [a.logId, 200, `done ${a.logId}`],
      [b.logId, 200, `done ${b.logId}`],
    ]);
    expect(runner.idle(1)).toBe(true);
  });

  it('discard_later refuses while busy; cover_early kills what runs', async () => {
    const { runner, results, gates, started, reported } = harness();
    const first = trigger();
    runner.accept(first);
    await started(first.logId);
    expect(runner.accept(trigger({ executorBlockStrategy: 'DISCARD_LATER' }))).toEqual({
      code: 500,
      msg: 'block strategy effect：Discard Later',
    });
    const cover = trigger({ executorBlockStrategy: 'COVER_EARLY' });
    expect(runner.accept(cover).code).toBe(200);
    await reported(1);
    await started(cover.logId);
    expect(results[0]).toMatchObject({
      logId: first.logId,
      handleCode: 500,
      handleMsg: 'block strategy effect：Cover Early [job running, killed]',
    });
    gates.get(cover.logId)!();
    await reported(2);
    expect(results[1]).toMatchObject({ logId: cover.logId, handleCode: 200 });
  });

  it('kill stops the running execution and fails the queued ones; repeats and unknown handlers are refused', async () => {
    const { runner, results, started, reported } = harness();
    const running = trigger();
    const queued = trigger();
    runner.accept(running);
    runner.accept(queued);
    expect(runner.accept({ ...queued })).toEqual({
      code: 500,
      msg: `repeat trigger job, logId:${queued.logId}`,
    });
    expect(runner.accept(trigger({ executorHandler: 'nope' }))).toEqual({
      code: 500,
      msg: 'job handler [nope] not found.',
    });
    await started(running.logId);
    expect(runner.kill(1)).toEqual({ code: 200, msg: null });
    await reported(2);
    expect(results.map((r) => [r.logId, r.handleCode])).toEqual([
      [queued.logId, 500],
      [running.logId, 500],
    ]);
    expect(results[1]!.handleMsg).toContain('[job running, killed]');
    expect(runner.kill(1)).toEqual({ code: 200, msg: 'job thread already killed.' });
  });

  it('keeps log lines for /log, 1-based, and reports a timeout as 502', async () => {
    const { runner, results, started, reported } = harness();
    const t = trigger({ executorTimeout: 0.05 as never });
    runner.accept(t);
    await started(t.logId);
    expect(runner.readLog(t.logId, 1)).toEqual({
      fromLineNum: 1,
      toLineNum: 1,
      logContent: `started ${t.logId}\n`,
      isEnd: false,
    });
    expect(runner.readLog(t.logId, 2)).toMatchObject({ toLineNum: 1, logContent: '', isEnd: false });
    await reported(1);
    expect(results[0]).toMatchObject({ handleCode: 502, handleMsg: 'job execute timeout' });
    expect(runner.readLog(t.logId, 2).isEnd).toBe(true);
    expect(runner.readLog(424242, 1).isEnd).toBe(true);
  });

  it('glue runs only when enabled, with params and shard as arguments', async () => {
    const refused = harness(false);
    expect(refused.runner.accept(trigger({ glueType: 'GLUE_SHELL', glueSource: 'echo hi' })).msg).toContain(
      'glue is disabled',
    );
    const { runner, results, reported } = harness(true);
    const t = trigger({
      jobId: 9,
      glueType: 'GLUE_SHELL',
      glueSource: 'echo "p=$1 s=$2/$3"\nexit 0\n',
      executorParams: 'x',
      broadcastIndex: 1,
      broadcastTotal: 2,
      glueUpdatetime: Date.now(),
    });
    runner.accept(t);
    const failing = trigger({
      jobId: 10,
      glueType: 'GLUE_NODEJS',
      glueSource: 'process.exit(3)',
      glueUpdatetime: Date.now(),
    });
    runner.accept(failing);
    await reported(2);
    expect(results.find((r) => r.logId === t.logId)).toMatchObject({ handleCode: 200 });
    expect(runner.readLog(t.logId, 1).logContent).toBe('p=x s=1/2\n');
    expect(results.find((r) => r.logId === failing.logId)).toMatchObject({
      handleCode: 500,
      handleMsg: 'script exit value(3) is failed',
    });
    expect(runner.accept(trigger({ glueType: 'GLUE_GROOVY', glueSource: 'x' })).msg).toBe(
      'glueType[GLUE_GROOVY] is not valid.',
    );
  });
});
