/**
 * Pull mode reports a quick handler's result with its next poll (one request per run), a
 * result whose log lines are not yet sent by callback after them, and a result whose poll
 * failed again: a tiny stand-in Kairos answers the polls and records every call.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createExecutor, defineTask } from '@kairos/sdk';
import type { Executor } from '@kairos/sdk';
import { recordedCalls } from './recorded-calls.js';

interface Call {
  path: string;
  body: any;
}

const trigger = (logId: number, handler: string) => ({
  jobId: logId,
  executorHandler: handler,
  executorParams: '',
  executorBlockStrategy: 'SERIAL_EXECUTION',
  executorTimeout: 0,
  logId,
  logDateTime: Date.now(),
  glueType: 'BEAN',
  glueSource: '',
  glueUpdatetime: 0,
  broadcastIndex: 0,
  broadcastTotal: 1,
});

/**
 * Answers polls from `script` in turn (status and body; then empty answers after a short wait),
 * /logs and /callback with success.
 */
async function startKairos(script: { status?: number; tasks?: unknown[]; resendResults?: true }[]) {
  const recorded = recordedCalls<Call>();
  let polls = 0;
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      const path = req.url ?? '';
      recorded.record({ path, body: JSON.parse(text) });
      if (path !== '/api/v1/executor/poll') {
        res.end(JSON.stringify({ applied: 1, skipped: [] }));
        return;
      }
      const step = script[polls++];
      const answer = () => {
        res.statusCode = step?.status ?? 200;
        res.end(JSON.stringify({ tasks: step?.tasks ?? [], kills: [], resendResults: step?.resendResults }));
      };
      if (step) answer();
      else setTimeout(answer, 20);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls: recorded.calls,
    /** Resolves once the results reported so far satisfy `check`. */
    untilResults: (check: (reported: ReturnType<typeof results>) => boolean) =>
      recorded.until((calls) => check(results(calls))),
    close: () => server.close(),
  };
}

const results = (calls: Call[]) =>
  calls.flatMap((c) =>
    c.path === '/api/v1/executor/poll'
      ? (c.body.results ?? []).map((r: any) => ({ via: 'poll', ...r }))
      : c.path === '/api/v1/executor/callback'
        ? c.body.items.map((r: any) => ({ via: 'callback', ...r }))
        : [],
  );

describe('pull mode results', () => {
  let executor: Executor | undefined;
  let kairos: Awaited<ReturnType<typeof startKairos>> | undefined;
  afterEach(async () => {
    await executor?.stop();
    kairos?.close();
  });

  const start = async (script: Parameters<typeof startKairos>[0]) => {
    kairos = await startKairos(script);
    executor = createExecutor({
      server: kairos.url,
      appName: 'app',
      accessToken: 'kat_test-token-0123456789',
      mode: 'pull',
      pollWaitMs: 1000,
      tasks: [
        defineTask('quick', () => 'done'),
        defineTask('chatty', ({ log }) => {
          log('working');
          return 'said';
        }),
      ],
      onError: () => {},
    });
    await executor.start();
    return kairos;
  };

  it('a quick handler’s result goes with the next poll, not by a callback of its own', async () => {
    const { calls, untilResults } = await start([{}, { tasks: [trigger(7, 'quick')] }]);
    await untilResults((reported) => reported.length > 0);
    expect(results(calls)).toEqual([{ via: 'poll', logId: 7, handleCode: 200, handleMsg: 'done' }]);
    expect(calls.some((c) => c.path === '/api/v1/executor/callback')).toBe(false);
  });

  it('a result whose log lines are unsent goes by callback, after the lines', async () => {
    const { calls, untilResults } = await start([{}, { tasks: [trigger(8, 'chatty')] }]);
    await untilResults((reported) => reported.length > 0);
    expect(results(calls)).toEqual([{ via: 'callback', logId: 8, handleCode: 200, handleMsg: 'said' }]);
    const paths = calls.map((c) => c.path);
    expect(paths.indexOf('/api/v1/executor/logs')).toBeLessThan(paths.indexOf('/api/v1/executor/callback'));
  });

  it.each([
    ['failed', { status: 503 }],
    ['was answered with resendResults', { resendResults: true as const }],
  ])('a result carried by a poll that %s is reported again', async (_, answer) => {
    const { calls, untilResults } = await start([{}, { tasks: [trigger(9, 'quick')] }, answer]);
    await untilResults((reported) => reported.length > 1);
    const reported = results(calls);
    expect(reported[0]).toMatchObject({ via: 'poll', logId: 9 });
    expect(reported.slice(1).map((r) => r.logId)).toContain(9);
  });
});
