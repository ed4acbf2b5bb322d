/**
 * The XXL-JOB admin side served by Kairos, spoken to as an executor would: registry, callbacks
 * (2.2, 2.3-3.4 and 3.5 shapes), tokens, both URL prefixes and envelopes, and every bad input the
 * issue names: wrong or missing tokens, malformed bodies, callbacks for unknown or finished
 * executions, an executor answering garbage or timing out, a handler it does not have.
 */
import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { fakeExecutor, post, registerFake, registration, runTriggers, setup } from './fake-xxl-executor.js';
import { createAppWithToken, createExecutorTask, trigger, triggerAndWait } from './support.js';

describe('XXL-JOB admin endpoints', () => {
  it('register under /api and /xxl-job-admin/api with both envelopes; registryRemove stops routing at once', async () => {
    const { node, appName, token } = await setup();
    const a = await fakeExecutor();
    const b = await fakeExecutor();
    const first = await post(node, '/api/registry', registration(appName, `${a.url}/`), {
      'xxl-job-access-token': token,
    });
    expect(first).toEqual({ status: 200, body: { code: 200, msg: null, content: null, data: null } });
    const second = await post(node, '/xxl-job-admin/api/registry', registration(appName, b.url), {
      'XXL-JOB-ACCESS-TOKEN': token,
    });
    expect(second.body.code).toBe(200);
    const listed = (await node.api('GET', `/api/v1/executors?app=${appName}`)).body.items;
    expect(listed.map((e: any) => [e.address, e.mode, e.protocol, e.status])).toEqual(
      [a.url, b.url].sort().map((url) => [url, 'push', 'xxl', 'live']),
    );
    const removed = await post(node, '/api/registryRemove', registration(appName, b.url), {
      'XXL-JOB-ACCESS-TOKEN': token,
    });
    expect(removed.body.code).toBe(200);
    const after = (await node.api('GET', `/api/v1/executors?app=${appName}`)).body.items;
    expect(after.find((e: any) => e.address === b.url).status).toBe('removed');
  });

  it('refuses a wrong, missing, blank or default token, and a token of another app', async () => {
    const { node, appName, token } = await setup();
    const other = await createAppWithToken(node, 'other-app');
    const body = registration(appName, 'http://127.0.0.1:9999/');
    const cases: Record<string, string>[] = [
      {},
      { 'XXL-JOB-ACCESS-TOKEN': '' },
      { 'XXL-JOB-ACCESS-TOKEN': 'default_token' },
      { 'XXL-JOB-ACCESS-TOKEN': `${token}x` },
      { 'XXL-JOB-ACCESS-TOKEN': other.token },
    ];
    for (const headers of cases) {
      const res = await post(node, '/api/registry', body, headers);
      expect(res.status).toBe(200);
      expect(res.body.code).toBe(500);
      expect(res.body.msg).toMatch(/access token is wrong/i);
    }
    const unknownApp = await post(node, '/api/registry', registration('nobody', 'http://127.0.0.1:9999/'), {
      'XXL-JOB-ACCESS-TOKEN': token,
    });
    expect(unknownApp.body.msg).toContain('no app has appName "nobody"');
    expect((await node.api('GET', '/api/v1/executors')).body.items).toEqual([]);
    // The REST API still wants its bearer token; the XXL-JOB endpoints never accept it as one.
    expect((await fetch(`${node.url}/api/v1/executors`)).status).toBe(401);
  });

  it('a rotated token is refused at once, though the one before it was just verified', async () => {
    const { node, appName, token } = await setup();
    const body = registration(appName, 'http://127.0.0.1:9999/');
    // Verified moments ago: the app is cached on this node.
    expect((await post(node, '/api/registry', body, { 'XXL-JOB-ACCESS-TOKEN': token })).body.code).toBe(200);
    const rotated = await node.api('POST', `/api/v1/apps/${appName}/rotate-token`);
    const old = await post(node, '/api/registry', body, { 'XXL-JOB-ACCESS-TOKEN': token });
    expect(old.body).toMatchObject({ code: 500, msg: expect.stringMatching(/access token is wrong/i) });
    const renewed = await post(node, '/api/registry', body, {
      'XXL-JOB-ACCESS-TOKEN': rotated.body.accessToken,
    });
    expect(renewed.body.code).toBe(200);
  });

  it('refuses malformed registry bodies and unknown URIs with the protocol’s errors', async () => {
    const { node, appName, token } = await setup();
    const headers = { 'XXL-JOB-ACCESS-TOKEN': token };
    const cases: [string, unknown, RegExp][] = [
      ['/api/registry', '', /requestBody empty/],
      ['/api/registry', '{not json', /not JSON/],
      ['/api/registry', { registryGroup: 'EXECUTOR', registryKey: appName }, /Illegal Argument/],
      ['/api/registry', { ...registration(appName, ' '), registryValue: ' ' }, /Illegal Argument/],
      ['/api/registry', { ...registration(appName, 'http://x'), registryGroup: 'ADMIN' }, /must be EXECUTOR/],
      ['/api/registry', registration(appName, 'http://169.254.169.254/'), /link-local/],
      ['/api/registry', registration(appName, 'ftp://10.0.0.1/'), /http or https/],
      ['/api/nothing', {}, /uri-mapping\(nothing\) not found/],
      ['/api/callback', { logId: 1 }, /array or \{"callbackList"/],
    ];
    for (const [path, body, message] of cases) {
      const res = await post(node, path, body, headers);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ code: 500, msg: expect.stringMatching(message) });
    }
    expect((await node.api('GET', '/api/v1/executors')).body.items).toEqual([]);
  });

  it('runs a task on a registered executor; callbacks in every shape complete runs once', async () => {
    const { node, appName, token } = await setup();
    const executor = await fakeExecutor();
    await registerFake(node, appName, token, executor);
    const taskId = await createExecutorTask(node, appName, {
      handler: 'demoJobHandler',
      params: 'a=1',
      blockStrategy: 'discard_later',
    });

    const callbacks: [
      string,
      (logId: number) => unknown,
      { status: string; output?: unknown; message?: string },
    ][] = [
      [
        '2.3-3.4 array',
        (logId) => [{ logId, logDateTim: Date.now(), handleCode: 200, handleMsg: 'all good' }],
        { status: 'succeeded', output: 'all good' },
      ],
      [
        '2.2 executeResult',
        (logId) => [{ logId, logDateTim: Date.now(), executeResult: { code: 500, msg: 'legacy failure' } }],
        { status: 'failed', message: 'legacy failure' },
      ],
      [
        '3.5 callbackList',
        (logId) => ({ callbackList: [{ logId, logDateTime: Date.now(), handleCode: 200, handleMsg: null }] }),
        { status: 'succeeded', output: null },
      ],
    ];
    for (const [, body, expected] of callbacks) {
      const runId = await trigger(node, taskId);
      await eventually(() => expect(runTriggers(executor).length).toBeGreaterThan(0));
      const sent = JSON.parse(runTriggers(executor).at(-1)!.body);
      expect(sent).toMatchObject({
        jobId: taskId,
        executorHandler: 'demoJobHandler',
        executorParams: 'a=1',
        executorBlockStrategy: 'DISCARD_LATER',
        glueType: 'BEAN',
        broadcastIndex: 0,
        broadcastTotal: 1,
      });
      expect(runTriggers(executor).at(-1)!.url).toBe('/run');
      const finished = node.waitFor('run:finished', (p) => p.run.id === runId);
      const res = await post(node, '/api/callback', body(sent.logId), { 'XXL-JOB-ACCESS-TOKEN': token });
      expect(res.body.code).toBe(200);
      const { run } = await finished;
      expect(run.status).toBe(expected.status);
      if ('output' in expected) expect(run.output).toBe(expected.output);
      if (expected.message) expect(run.error?.message).toBe(expected.message);
      // A second callback for the same execution changes nothing.
      const again = await post(
        node,
        '/api/callback',
        [{ logId: sent.logId, handleCode: 500, handleMsg: 'late' }],
        { 'XXL-JOB-ACCESS-TOKEN': token },
      );
      expect(again.body).toMatchObject({ code: 200, msg: expect.stringContaining('already completed') });
      expect((await node.api('GET', `/api/v1/runs/${runId}`)).body.status).toBe(expected.status);
      executor.requests.length = 0;
    }
  });

  it('applies the rest of a callback batch around malformed, unknown and foreign items', async () => {
    const { node, appName, token } = await setup();
    const executor = await fakeExecutor();
    await registerFake(node, appName, token, executor);
    const taskId = await createExecutorTask(node, appName, { handler: 'h' });
    const runId = await trigger(node, taskId);
    await eventually(() => expect(runTriggers(executor)).toHaveLength(1));
    const { logId } = JSON.parse(runTriggers(executor)[0]!.body);
    const finished = node.waitFor('run:finished', (p) => p.run.id === runId);
    const res = await post(
      node,
      '/api/callback',
      [
        'garbage',
        { logId: 'x' },
        { logId: 999_999, handleCode: 200 },
        { logId, handleCode: 'ok' },
        { logId, handleCode: 2 ** 31 },
        { logId, handleCode: 200, handleMsg: 'do\u0000ne' },
      ],
      { 'XXL-JOB-ACCESS-TOKEN': token },
    );
    expect(res.body.code).toBe(200);
    expect(res.body.msg).toContain('logId 999999: log item not found');
    expect(res.body.msg).toContain(`logId ${logId}: handleCode 2147483648 is not a 32-bit integer`);
    // The NUL a PostgreSQL text column cannot hold is dropped from the message.
    expect((await finished).run).toMatchObject({ status: 'succeeded', output: 'done' });

    // A callback with another app's token completes nothing.
    const other = await createAppWithToken(node, 'other-app');
    const second = await trigger(node, taskId);
    await eventually(() => expect(runTriggers(executor)).toHaveLength(2));
    const next = JSON.parse(runTriggers(executor)[1]!.body).logId;
    const refused = await post(node, '/api/callback', [{ logId: next, handleCode: 200 }], {
      'XXL-JOB-ACCESS-TOKEN': other.token,
    });
    expect(refused.body).toMatchObject({ code: 500, msg: 'The access token is wrong.' });
    expect((await node.api('GET', `/api/v1/runs/${second}`)).body.status).toBe('running');
  });

  it('speaks /trigger with XXL-JOB-APPNAME to a 3.5 executor', async () => {
    const { node, appName, token } = await setup();
    const executor = await fakeExecutor();
    await registerFake(node, appName, token, executor, { 'XXL-JOB-APPNAME': appName });
    const listed = (await node.api('GET', `/api/v1/executors?app=${appName}`)).body.items;
    expect(listed[0].protocol).toBe('xxl35');
    const taskId = await createExecutorTask(node, appName, { handler: 'h' });
    await trigger(node, taskId);
    await eventually(() => expect(runTriggers(executor)).toHaveLength(1));
    expect(runTriggers(executor)[0]!.url).toBe('/trigger');
    const mismatch = await post(node, '/api/registry', registration(appName, executor.url), {
      'XXL-JOB-ACCESS-TOKEN': token,
      'XXL-JOB-APPNAME': 'else',
    });
    expect(mismatch.body.msg).toMatch(/differs from registryKey/);
  });

  it('an executor answering garbage, timing out, refusing or not knowing the handler fails the run clearly; scheduling goes on', async () => {
    const { node, appName, token } = await setup();
    const answers: Record<string, (res: ServerResponse) => void> = {
      garbage: (res) => res.end('<html>oops</html>'),
      silent: () => undefined, // never answers: the 500 ms call timeout
      http500: (res) => {
        res.statusCode = 500;
        res.end('{"code":200}');
      },
      missing: (res) => res.end('{"code":500,"msg":"job handler [h] not found."}'),
    };
    const expected: Record<string, RegExp> = {
      garbage: /not JSON: "<html>oops<\/html>"/,
      silent: /did not answer within 500 ms/,
      http500: /answered HTTP 500/,
      missing: /job handler \[h\] not found/,
    };
    for (const [name, answer] of Object.entries(answers)) {
      const executor = await fakeExecutor((_path, _body, res) => answer(res));
      await node.api('PUT', `/api/v1/apps/${appName}/executor-addresses`, { addresses: [executor.url] });
      const taskId = await createExecutorTask(node, appName, { handler: 'h' });
      const run = await triggerAndWait(node, taskId);
      expect(run.status, name).toBe('failed');
      expect(run.error.message, name).toMatch(expected[name]!);
    }
    // No executor at all.
    await node.api('PUT', `/api/v1/apps/${appName}/executor-addresses`, { addresses: null });
    const taskId = await createExecutorTask(node, appName, { handler: 'h' });
    const run = await triggerAndWait(node, taskId);
    expect(run).toMatchObject({ status: 'failed', error: { code: 'NO_EXECUTOR' } });
    expect(run.error.message).toContain(`app "${appName}" has no live executor`);
    // Other tasks still run.
    const ok = await fakeExecutor(async (_p, body, res) => {
      res.end('{"code":200}');
      await post(node, '/api/callback', [{ logId: body.logId, handleCode: 200, handleMsg: 'fine' }], {
        'XXL-JOB-ACCESS-TOKEN': token,
      });
    });
    await registerFake(node, appName, token, ok);
    expect((await triggerAndWait(node, taskId)).status).toBe('succeeded');
  });

  it('validates manual address lists: http(s) only, no link-local or metadata addresses', async () => {
    const { node, appName } = await setup();
    for (const [address, reason, code = 'VALIDATION_ERROR'] of [
      ['file:///etc/passwd', 'must use http or https'],
      ['http://169.254.169.254/latest', 'link-local', 'DESTINATION_REFUSED'],
      ['http://[fe80::1]:9999', 'link-local', 'DESTINATION_REFUSED'],
      ['http://metadata.google.internal', 'metadata', 'DESTINATION_REFUSED'],
      ['http://user:pw@10.0.0.1:9999', 'credentials'],
    ]) {
      const res = await node.api('PUT', `/api/v1/apps/${appName}/executor-addresses`, {
        addresses: ['http://10.0.0.2:9999', address],
      });
      expect(res.status, address).toBe(400);
      expect(res.body.error).toMatchObject({ code, field: 'addresses.1' });
      expect(res.body.error.message).toContain(reason);
    }
    expect((await node.api('GET', `/api/v1/apps/${appName}/executor-addresses`)).body).toEqual({
      addresses: null,
    });
    const ok = await node.api('PUT', `/api/v1/apps/${appName}/executor-addresses`, {
      addresses: ['http://10.0.0.2:9999', 'https://exec.internal'],
    });
    expect(ok.body).toEqual({ addresses: ['http://10.0.0.2:9999', 'https://exec.internal'] });
  });

  it('refuses bad executor task configs with the field named', async () => {
    const { node, appName } = await setup();
    const cases: [Record<string, unknown>, string, string][] = [
      [{}, 'config.handler', 'is required (or give glue)'],
      [{ handler: 'h', routeStrategy: 'ROUND' }, 'config.routeStrategy', 'must be one of'],
      [{ handler: 'h', blockStrategy: 'queue' }, 'config.blockStrategy', 'must be one of'],
      [{ glue: { type: 'groovy', source: 'x' } }, 'config.glue.type', 'must be one of shell, python, nodejs'],
      [{ handler: 'h', glue: { type: 'shell', source: 'echo' } }, 'config.glue', 'cannot be combined'],
      [{ handler: 'h', extra: 1 }, 'config.extra', 'is not a setting'],
    ];
    for (const [config, field, message] of cases) {
      const res = await node.api('POST', '/api/v1/tasks', {
        name: 't',
        app: appName,
        type: 'executor',
        config,
        schedule: { type: 'api' },
      });
      expect(res.status, JSON.stringify(config)).toBe(400);
      expect(res.body.error.field).toBe(field);
      expect(res.body.error.message).toContain(message);
    }
  });
});
