/**
 * Two calls of the XXL-JOB protocol whose scope is wider than one run: `/log` to a 3.5 executor
 * (it refuses a call without its XXL-JOB-APPNAME), and `/kill`, which names only the jobId and so
 * kills every execution of the task on that executor, queued ones included.
 */
import { describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { fakeExecutor, post, registerFake, runTriggers, setup } from './fake-xxl-executor.js';
import { createExecutorTask, trigger } from './support.js';

describe('XXL-JOB /log and /kill', () => {
  it('reads a 3.5 executor’s /log with its XXL-JOB-APPNAME header', async () => {
    const { node, appName, token } = await setup();
    const executor = await fakeExecutor((path, body, res, req) => {
      if (path !== '/log') return res.end('{"code":200}');
      // As XXL-JOB 3.5's executor: appname and token must both be its own.
      if (req.headers['xxl-job-appname'] !== appName || req.headers['xxl-job-access-token'] !== token) {
        return res.end('{"code":500,"msg":"invalid request, accessToken or appname is empty."}');
      }
      const done = body.fromLineNum > 2;
      res.end(
        JSON.stringify({
          code: 200,
          data: {
            fromLineNum: body.fromLineNum,
            toLineNum: done ? body.fromLineNum - 1 : 2,
            logContent: done ? '' : 'first line\nsecond line\n',
            isEnd: done,
          },
        }),
      );
    });
    await registerFake(node, appName, token, executor, { 'XXL-JOB-APPNAME': appName });
    const taskId = await createExecutorTask(node, appName, { handler: 'h' });
    const runId = await trigger(node, taskId);
    await eventually(() => expect(runTriggers(executor)).toHaveLength(1));

    const logs = await node.api('GET', `/api/v1/runs/${runId}/logs`);
    const lines = (logs.body.items as { text: string }[]).map((l) => l.text);
    expect(lines).toEqual(expect.arrayContaining(['first line', 'second line']));
    expect(executor.requests.some((r) => r.url === '/log')).toBe(true);
  });

  it('a cancel never sends the /kill that would kill another run’s execution of the same task', async () => {
    const { node, appName, token } = await setup();
    const executor = await fakeExecutor();
    await registerFake(node, appName, token, executor);
    const taskId = await createExecutorTask(
      node,
      appName,
      { handler: 'h', blockStrategy: 'serial' },
      { concurrency: { max: 2, overlap: 'allow' } },
    );
    const first = await trigger(node, taskId);
    const second = await trigger(node, taskId);
    await eventually(() => expect(runTriggers(executor)).toHaveLength(2));
    const logIds = runTriggers(executor).map((r) => JSON.parse(r.body).logId as number);

    // Cancelling the first while the second is queued behind it on the executor: no /kill.
    const cancelled = node.waitFor('run:finished', (p) => p.run.id === first);
    expect((await node.api('POST', `/api/v1/runs/${first}/cancel`)).status).toBe(200);
    expect((await cancelled).run.status).toBe('cancelled');
    const firstLog = await node.api('GET', `/api/v1/runs/${first}/logs`);
    expect((firstLog.body.items as { text: string }[]).map((l) => l.text).join('\n')).toMatch(
      /not killed on .*takes only the jobId/,
    );
    expect(executor.requests.filter((r) => r.url === '/kill')).toHaveLength(0);
    expect((await node.api('GET', `/api/v1/runs/${second}`)).body.status).toBe('running');

    // The second one still completes with its own result; the first's late report changes nothing.
    const finished = node.waitFor('run:finished', (p) => p.run.id === second);
    await post(
      node,
      '/api/callback',
      logIds.map((logId) => ({ logId, handleCode: 200, handleMsg: `done ${logId}` })),
      { 'XXL-JOB-ACCESS-TOKEN': token },
    );
    expect((await finished).run).toMatchObject({ status: 'succeeded', output: `done ${logIds[1]}` });
    expect((await node.api('GET', `/api/v1/runs/${first}`)).body.status).toBe('cancelled');

    // Alone on the executor, a cancelled run's execution is killed there.
    const third = await trigger(node, taskId);
    await eventually(() => expect(runTriggers(executor)).toHaveLength(3));
    expect((await node.api('POST', `/api/v1/runs/${third}/cancel`)).status).toBe(200);
    await eventually(() => expect(executor.requests.filter((r) => r.url === '/kill')).toHaveLength(1));
    expect(JSON.parse(executor.requests.find((r) => r.url === '/kill')!.body)).toEqual({ jobId: taskId });
  });
});
