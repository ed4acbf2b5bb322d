/**
 * Real executor processes built with the SDK, in push mode (Kairos calls them over the XXL-JOB
 * protocol) and pull mode (they long-poll Kairos), running `executor` tasks end to end: results,
 * failures, NonRetryableError, logs while live, cancel and timeout through /kill, sharding
 * broadcast, and a dead executor's runs lost and retried on another.
 */
import { describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { startTestNode } from '../support/test-node.js';
import {
  createAppWithToken,
  createExecutorTask,
  startSdkExecutor,
  trigger,
  triggerAndWait,
} from './support.js';

describe.each(['push', 'pull'] as const)('SDK executor in %s mode', (mode) => {
  async function setup(count = 1, env: Record<string, string> = {}) {
    const node = await startTestNode({ config: { executorDeadMs: 1500 } });
    const { appName, token } = await createAppWithToken(node);
    const executors = [];
    for (let i = 0; i < count; i++) {
      executors.push(
        await startSdkExecutor({
          url: node.url,
          appName,
          token,
          mode,
          name: `${mode}-${i}`,
          env: { HEARTBEAT_MS: '300', POLL_WAIT_MS: '300', ...env },
        }),
      );
    }
    return { node, appName, token, executors };
  }

  it('registers, runs a handler and stores its result as the output', async () => {
    const { node, appName, executors } = await setup();
    const listed = await node.api('GET', `/api/v1/executors?app=${appName}`);
    expect(listed.body.items).toEqual([
      expect.objectContaining({
        appName,
        address: executors[0]!.address,
        mode,
        status: 'live',
        runningRuns: 0,
      }),
    ]);
    const taskId = await createExecutorTask(node, appName, { handler: 'echo', params: 'hello' });
    const run = await triggerAndWait(node, taskId);
    expect(run).toMatchObject({
      status: 'succeeded',
      output: `${mode}-0:hello`,
      executor: executors[0]!.address,
    });
    const logs = await node.api('GET', `/api/v1/runs/${run.id}/logs`);
    expect(logs.body.items.map((l: any) => l.text)).toContain(`echo hello from ${mode}-0`);
    // A run's input replaces the params.
    expect((await triggerAndWait(node, taskId, 'override')).output).toBe(`${mode}-0:override`);
  });

  it('refuses to start with a wrong token, saying why', async () => {
    const node = await startTestNode();
    const { appName, token } = await createAppWithToken(node);
    await expect(startSdkExecutor({ url: node.url, appName, token: `${token}x`, mode })).rejects.toThrow(
      /access token is wrong/i,
    );
    await expect(startSdkExecutor({ url: node.url, appName: 'nobody', token, mode })).rejects.toThrow(
      /no app has appName "nobody"/,
    );
    expect((await node.api('GET', '/api/v1/executors')).body.items).toEqual([]);
  });

  it('fails the run with the handler error; NonRetryableError stops the retries', async () => {
    const { node, appName } = await setup();
    const retry = { maxAttempts: 3, backoff: 'fixed', delaySeconds: 0, maxDelaySeconds: 1 };
    const failing = await createExecutorTask(node, appName, { handler: 'fail' }, { retry });
    const first = await triggerAndWait(node, failing);
    expect(first).toMatchObject({ status: 'failed', error: { type: 'executor', message: 'boom' } });
    await eventually(async () => {
      const runs = await node.api('GET', `/api/v1/runs?taskId=${failing}`);
      expect(runs.body.items.map((r: any) => r.status)).toEqual(['failed', 'failed', 'failed']);
    });

    const refusing = await createExecutorTask(node, appName, { handler: 'refuse' }, { retry });
    const refused = await triggerAndWait(node, refusing);
    expect(refused).toMatchObject({ status: 'failed', error: { message: 'NonRetryableError: bad params' } });
    // A retry would have been inserted in the same transaction as the run's end: none exists.
    expect((await node.api('GET', `/api/v1/runs?taskId=${refusing}`)).body.items).toHaveLength(1);
  });

  it('a handler the executor does not have fails the run clearly', async () => {
    const { node, appName } = await setup();
    const taskId = await createExecutorTask(node, appName, { handler: 'no-such-handler' });
    const run = await triggerAndWait(node, taskId);
    expect(run.status).toBe('failed');
    expect(run.error.message).toContain('job handler [no-such-handler] not found.');
  });

  it('cancel and timeout kill the handler; logs are readable while the run is live', async () => {
    const { node, appName } = await setup();
    const taskId = await createExecutorTask(node, appName, {
      handler: 'sleep',
      params: '60000',
      blockStrategy: 'discard_later',
    });
    const runId = await trigger(node, taskId);
    await eventually(async () => {
      const logs = await node.api('GET', `/api/v1/runs/${runId}/logs`);
      expect(logs.body.items.map((l: any) => l.text)).toContain('sleeping');
    });
    const cancelled = await node.api('POST', `/api/v1/runs/${runId}/cancel`);
    expect(cancelled.body.status).toBe('cancelled');
    await eventually(async () => {
      const executions = await node.api('GET', `/api/v1/runs/${runId}/executions`);
      expect(executions.body.items[0]).toMatchObject({ status: 'killed' });
    });
    // The handler was stopped: the same job is not "running" on the executor any more, so a
    // discard_later trigger is taken (it would be refused while the killed one still ran).
    await eventually(async () => expect((await triggerAndWait(node, taskId, '10')).status).toBe('succeeded'));

    const timed = await createExecutorTask(
      node,
      appName,
      { handler: 'sleep', params: '60000' },
      { timeoutSeconds: 0.5 },
    );
    const run = await triggerAndWait(node, timed);
    expect(run.status).toBe('timed_out');
    // The executor is free again: the next run of the same job is not blocked by the killed one.
    const echo = await createExecutorTask(node, appName, { handler: 'echo', params: 'after' });
    expect((await triggerAndWait(node, echo)).status).toBe('succeeded');
  });

  it('runs glue scripts with params and shard arguments on executors that allow glue', async () => {
    const { node, appName } = await setup(1, { GLUE: '1' });
    const taskId = await createExecutorTask(node, appName, {
      glue: { type: 'shell', source: 'echo "params=$1 shard=$2/$3"\nexit 0\n' },
      params: 'p1',
    });
    const run = await triggerAndWait(node, taskId);
    expect(run.status).toBe('succeeded');
    const logs = (await node.api('GET', `/api/v1/runs/${run.id}/logs`)).body.items.map((l: any) => l.text);
    expect(logs).toContain('params=p1 shard=0/1');
    const failing = await createExecutorTask(node, appName, {
      glue: { type: 'nodejs', source: 'process.exit(4)' },
    });
    expect((await triggerAndWait(node, failing)).error.message).toBe('script exit value(4) is failed');
  });

  it('sharding broadcast: one run, one execution per executor, each with its shard', async () => {
    const { node, appName } = await setup(3);
    const taskId = await createExecutorTask(node, appName, {
      handler: 'shard',
      routeStrategy: 'sharding_broadcast',
    });
    const run = await triggerAndWait(node, taskId);
    expect(run.status).toBe('succeeded');
    expect(run.output.map((s: any) => s.message)).toEqual(['0/3', '1/3', '2/3']);
    const executions = (await node.api('GET', `/api/v1/runs/${run.id}/executions`)).body.items;
    expect(executions.map((e: any) => [e.shardIndex, e.shardTotal, e.status])).toEqual([
      [0, 3, 'succeeded'],
      [1, 3, 'succeeded'],
      [2, 3, 'succeeded'],
    ]);
    expect(new Set(executions.map((e: any) => e.executor)).size).toBe(3);
    const logs = (await node.api('GET', `/api/v1/runs/${run.id}/logs`)).body.items.map((l: any) => l.text);
    expect(logs).toEqual(expect.arrayContaining(['[shard 0/3] shard 0 of 3', '[shard 2/3] shard 2 of 3']));
  });

  it('a dead executor: its run is lost within the dead timeout and retried on another executor', async () => {
    const { node, appName, executors } = await setup(2);
    const [first, second] = executors as [
      Awaited<ReturnType<typeof startSdkExecutor>>,
      Awaited<ReturnType<typeof startSdkExecutor>>,
    ];
    const retry = { maxAttempts: 2, backoff: 'fixed', delaySeconds: 0, maxDelaySeconds: 1 };
    const taskId = await createExecutorTask(
      node,
      appName,
      { handler: 'sleep', params: '1500', routeStrategy: 'first' },
      { retry },
    );
    const target = [first, second].sort((a, b) => (a.address < b.address ? -1 : 1))[0]!;
    const runId = await trigger(node, taskId);
    await eventually(async () => {
      const executions = await node.api('GET', `/api/v1/runs/${runId}/executions`);
      expect(executions.body.items[0]?.executor).toBe(target.address);
      const logs = await node.api('GET', `/api/v1/runs/${runId}/logs`);
      expect(logs.body.items.map((l: any) => l.text)).toContain('sleeping');
    });
    const killedAt = Date.now();
    target.child.kill('SIGKILL');
    const lost = await node.waitFor('run:finished', (p) => p.run.id === runId, 10_000);
    expect(lost.run).toMatchObject({ status: 'lost', error: { type: 'lost' } });
    expect(Date.now() - killedAt).toBeLessThan(1500 + 1500);
    const retried = await node.waitFor('run:finished', (p) => p.run.retryOf === runId, 10_000);
    expect(retried.run.status).toBe('succeeded');
    // Each run names the executor that ran it.
    const other = target === first ? second : first;
    expect((await node.api('GET', `/api/v1/runs/${runId}`)).body.executor).toBe(target.address);
    expect((await node.api('GET', `/api/v1/runs/${retried.run.id}`)).body.executor).toBe(other.address);
  });
});
