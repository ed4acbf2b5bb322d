/**
 * Push mode speaks the XXL-JOB executor protocol to any admin: a tiny stand-in admin records
 * registry and callbacks, and the test calls the executor as an admin would.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createExecutor, defineTask } from '@kairos/sdk';
import type { Executor } from '@kairos/sdk';
import { recordedCalls } from './recorded-calls.js';

interface AdminCall {
  path: string;
  body: any;
  token: string | undefined;
}

interface Admin {
  url: string;
  calls: AdminCall[];
  until(check: (calls: AdminCall[]) => boolean): Promise<void>;
  close(): void;
}

async function startAdmin(
  answer: (path: string) => unknown = () => ({ code: 200, msg: null }),
): Promise<Admin> {
  const recorded = recordedCalls<AdminCall>();
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      recorded.record({
        path: req.url ?? '',
        body: JSON.parse(text),
        token: req.headers['xxl-job-access-token'] as string | undefined,
      });
      res.end(JSON.stringify(answer(req.url ?? '')));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls: recorded.calls,
    until: (check) => recorded.until(check),
    close: () => server.close(),
  };
}

const open: (Executor | Admin)[] = [];
afterEach(async () => {
  for (const item of open.splice(0)) {
    if ('stop' in item) await item.stop();
    else item.close();
  }
});

const call = async (
  executor: Executor,
  path: string,
  body: unknown,
  token = 'secret-token',
  method = 'POST',
) => {
  const res = await fetch(`${executor.address}${path}`, {
    method,
    headers: { 'XXL-JOB-ACCESS-TOKEN': token },
    body: method === 'POST' ? JSON.stringify(body) : undefined,
  });
  expect(res.status).toBe(200);
  return res.json() as Promise<{ code: number; msg: string | null; content: any; data: any }>;
};

describe('push mode', () => {
  it('registers, serves the protocol with both envelopes, calls back, unregisters', async () => {
    const admin = await startAdmin();
    open.push(admin);
    const executor = createExecutor({
      server: `${admin.url}/xxl-job-admin`,
      appName: 'sample',
      accessToken: 'secret-token',
      mode: 'push',
      port: 0,
      shutdownGraceMs: 100,
      tasks: [defineTask('hello', ({ params, log }) => (log(`hi ${params}`), `hello ${params}`))],
    });
    await executor.start();
    expect(admin.calls[0]).toEqual({
      path: '/xxl-job-admin/api/registry',
      body: { registryGroup: 'EXECUTOR', registryKey: 'sample', registryValue: executor.address },
      token: 'secret-token',
    });

    expect(await call(executor, '/beat', undefined)).toMatchObject({ code: 200 });
    expect(await call(executor, '/beat', {}, 'wrong')).toMatchObject({
      code: 500,
      msg: 'The access token is wrong.',
    });
    expect(await call(executor, '/beat', {}, 'secret-token', 'GET')).toMatchObject({
      code: 500,
      msg: 'invalid request, HttpMethod not support.',
    });
    expect(await call(executor, '/idleBeat', { jobId: 5 })).toMatchObject({ code: 200 });
    const trigger = {
      jobId: 5,
      executorHandler: 'hello',
      executorParams: 'there',
      executorBlockStrategy: 'SERIAL_EXECUTION',
      executorTimeout: 0,
      logId: 77,
      logDateTime: 1,
      glueType: 'BEAN',
      glueSource: '',
      glueUpdatetime: 0,
      broadcastIndex: 0,
      broadcastTotal: 1,
    };
    expect(await call(executor, '/run', trigger)).toMatchObject({ code: 200 });
    await admin.until((calls) => calls.some((c) => c.path.endsWith('/callback')));
    expect(admin.calls.find((c) => c.path === '/xxl-job-admin/api/callback')!.body).toEqual([
      { logId: 77, logDateTim: 1, handleCode: 200, handleMsg: 'hello there' },
    ]);
    const log = await call(executor, '/log', { logDateTim: 1, logId: 77, fromLineNum: 1 });
    expect(log.content).toEqual({ fromLineNum: 1, toLineNum: 1, logContent: 'hi there\n', isEnd: false });
    expect(log.data).toEqual(log.content);
    expect(await call(executor, '/kill', { jobId: 5 })).toMatchObject({
      code: 200,
      msg: 'job thread already killed.',
    });
    expect(await call(executor, '/nothing', {})).toMatchObject({ code: 500 });

    await executor.stop();
    expect(admin.calls.at(-1)!.path).toBe('/xxl-job-admin/api/registryRemove');
  });

  it('start() rejects with the admin’s reason when it refuses the token', async () => {
    const admin = await startAdmin(() => ({ code: 500, msg: 'The access token is wrong.' }));
    open.push(admin);
    const executor = createExecutor({
      server: admin.url,
      appName: 'x',
      accessToken: 'bad',
      mode: 'push',
      port: 0,
      tasks: [],
    });
    await expect(executor.start()).rejects.toThrow('/api/registry: The access token is wrong.');
  });

  it('createExecutor refuses incomplete options', () => {
    expect(() =>
      createExecutor({ server: '', appName: 'a', accessToken: 't', mode: 'push', tasks: [] }),
    ).toThrow('server is required');
    expect(() =>
      createExecutor({
        server: 'http://x',
        appName: 'a',
        accessToken: 't',
        mode: 'both' as never,
        tasks: [],
      }),
    ).toThrow('mode must be');
    const t = defineTask('same', () => 1);
    expect(() =>
      createExecutor({ server: 'http://x', appName: 'a', accessToken: 't', mode: 'pull', tasks: [t, t] }),
    ).toThrow('two tasks are named "same"');
  });
});
