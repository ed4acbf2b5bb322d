import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KairosApiError, createClient } from '../src/index.js';
import type { KairosClient } from '../src/index.js';
import { startRecordingServer, unusedPort } from './recording-server.js';
import type { RecordingServer } from './recording-server.js';

let server: RecordingServer;
let client: KairosClient;

beforeEach(async () => {
  server = await startRecordingServer();
  client = createClient({ baseUrl: server.url, token: 'tok-123' });
});
afterEach(async () => {
  await server.close();
});

const last = () => {
  const req = server.requests.at(-1);
  if (!req) throw new Error('no request recorded');
  return req;
};

async function caught(promise: Promise<unknown>): Promise<KairosApiError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(KairosApiError);
    return err as KairosApiError;
  }
  throw new Error('expected a KairosApiError, got an answer');
}

describe('routes', () => {
  // Every method of every sub-client: verb, path and whether a body goes out.
  const cases: [string, (c: KairosClient) => Promise<unknown>, string, string, unknown][] = [
    ['namespaces.list', (c) => c.namespaces.list(), 'GET', '/api/v1/namespaces', undefined],
    [
      'namespaces.create',
      (c) => c.namespaces.create({ name: 'ns1' }),
      'POST',
      '/api/v1/namespaces',
      { name: 'ns1' },
    ],
    ['namespaces.get', (c) => c.namespaces.get('ns1'), 'GET', '/api/v1/namespaces/ns1', undefined],
    ['apps.list', (c) => c.apps.list(), 'GET', '/api/v1/apps', undefined],
    [
      'apps.create',
      (c) => c.apps.create({ appName: 'inv', name: 'Invoicing' }),
      'POST',
      '/api/v1/apps',
      { appName: 'inv', name: 'Invoicing' },
    ],
    ['apps.get', (c) => c.apps.get('inv.v2'), 'GET', '/api/v1/apps/inv.v2', undefined],
    [
      'apps.update',
      (c) => c.apps.update(3, { maxConcurrency: 2 }),
      'PATCH',
      '/api/v1/apps/3',
      { maxConcurrency: 2 },
    ],
    ['apps.delete', (c) => c.apps.delete('inv'), 'DELETE', '/api/v1/apps/inv', undefined],
    [
      'apps.rotateToken',
      (c) => c.apps.rotateToken('inv'),
      'POST',
      '/api/v1/apps/inv/rotate-token',
      undefined,
    ],
    ['calendars.list', (c) => c.calendars.list(), 'GET', '/api/v1/calendars', undefined],
    [
      'calendars.create',
      (c) => c.calendars.create({ name: 'h', dates: ['2026-10-01'] }),
      'POST',
      '/api/v1/calendars',
      { name: 'h', dates: ['2026-10-01'] },
    ],
    ['calendars.get', (c) => c.calendars.get(2), 'GET', '/api/v1/calendars/2', undefined],
    [
      'calendars.update',
      (c) => c.calendars.update(2, { name: 'x' }),
      'PATCH',
      '/api/v1/calendars/2',
      { name: 'x' },
    ],
    ['calendars.delete', (c) => c.calendars.delete(2), 'DELETE', '/api/v1/calendars/2', undefined],
    ['tasks.list', (c) => c.tasks.list(), 'GET', '/api/v1/tasks', undefined],
    ['tasks.get', (c) => c.tasks.get(42), 'GET', '/api/v1/tasks/42', undefined],
    [
      'tasks.update',
      (c) => c.tasks.update(42, { enabled: false }),
      'PATCH',
      '/api/v1/tasks/42',
      { enabled: false },
    ],
    ['tasks.delete', (c) => c.tasks.delete(42), 'DELETE', '/api/v1/tasks/42', undefined],
    ['tasks.run', (c) => c.tasks.run(42), 'POST', '/api/v1/tasks/42/run', {}],
    ['tasks.enable', (c) => c.tasks.enable(42), 'POST', '/api/v1/tasks/42/enable', undefined],
    ['tasks.disable', (c) => c.tasks.disable(42), 'POST', '/api/v1/tasks/42/disable', undefined],
    ['tasks.nextFires', (c) => c.tasks.nextFires(42), 'GET', '/api/v1/tasks/42/next-fires', undefined],
    [
      'schedules.preview',
      (c) => c.schedules.preview({ schedule: { type: 'api' }, count: 2 }),
      'POST',
      '/api/v1/schedules/preview',
      { schedule: { type: 'api' }, count: 2 },
    ],
    ['runs.list', (c) => c.runs.list(), 'GET', '/api/v1/runs', undefined],
    ['runs.get', (c) => c.runs.get(7), 'GET', '/api/v1/runs/7', undefined],
    ['runs.logs', (c) => c.runs.logs(7), 'GET', '/api/v1/runs/7/logs', undefined],
    ['runs.cancel', (c) => c.runs.cancel(7), 'POST', '/api/v1/runs/7/cancel', undefined],
    ['health', (c) => c.health(), 'GET', '/healthz', undefined],
  ];

  it.each(cases)('%s', async (_name, call, method, path, body) => {
    await call(client);
    const req = last();
    expect(req.method).toBe(method);
    expect(req.url).toBe(path);
    if (body === undefined) {
      expect(req.body).toBe('');
      expect(req.headers['content-type']).toBeUndefined();
    } else {
      expect(JSON.parse(req.body)).toEqual(body);
      expect(req.headers['content-type']).toBe('application/json');
    }
  });

  it('sends the bearer token and asks for JSON', async () => {
    await client.tasks.get(1);
    expect(last().headers.authorization).toBe('Bearer tok-123');
    expect(last().headers.accept).toBe('application/json');
  });

  it('sends no Authorization header without a token', async () => {
    const anonymous = createClient({ baseUrl: server.url });
    await anonymous.health();
    expect(last().headers.authorization).toBeUndefined();
  });

  it('keeps a base path prefix and drops trailing slashes', async () => {
    const prefixed = createClient({ baseUrl: `${server.url}/kairos//`, token: 't' });
    await prefixed.tasks.get(5);
    expect(last().url).toBe('/kairos/api/v1/tasks/5');
  });

  it('encodes path segments', async () => {
    await client.apps.get('a b/c?d');
    expect(last().url).toBe('/api/v1/apps/a%20b%2Fc%3Fd');
  });

  it('answers undefined for an empty body (204)', async () => {
    server.respond(() => ({ status: 204 }));
    await expect(client.tasks.delete(1)).resolves.toBeUndefined();
  });

  it('answers the parsed JSON body', async () => {
    server.respond(() => ({ status: 202, body: { runId: 99 } }));
    await expect(client.tasks.run(1, { input: { a: 1 } })).resolves.toEqual({ runId: 99 });
  });

  it('uses an injected fetch', async () => {
    const seen: string[] = [];
    const custom = createClient({
      baseUrl: 'http://kairos.invalid',
      fetch: (input) => {
        seen.push(input);
        return Promise.resolve(new Response('{"status":"ok"}', { status: 200 }));
      },
    });
    await expect(custom.health()).resolves.toEqual({ status: 'ok' });
    expect(seen).toEqual(['http://kairos.invalid/healthz']);
  });
});

describe('query encoding', () => {
  it('comma-joins arrays, formats dates, leaves out undefined', async () => {
    await client.runs.list({
      taskId: 4,
      appId: undefined,
      status: ['failed', 'timed_out'],
      triggerType: 'manual',
      from: new Date('2026-03-01T00:00:00Z'),
      to: '2026-03-02T00:00:00Z',
      cursor: 'a+b/c==',
      limit: 10,
    });
    const req = last();
    expect(req.path).toBe('/api/v1/runs');
    expect(Object.fromEntries(req.query)).toEqual({
      taskId: '4',
      status: 'failed,timed_out',
      triggerType: 'manual',
      from: '2026-03-01T00:00:00.000Z',
      to: '2026-03-02T00:00:00Z',
      cursor: 'a+b/c==',
      limit: '10',
    });
    // "+" in a cursor must arrive as "+", not as a space.
    expect(req.url).toContain('cursor=a%2Bb%2Fc%3D%3D');
  });

  it('sends booleans as true/false', async () => {
    await client.tasks.list({ enabled: false, appId: 3, namespace: 'ns1' });
    expect(Object.fromEntries(last().query)).toEqual({ enabled: 'false', appId: '3', namespace: 'ns1' });
  });

  it('sends log and next-fire options', async () => {
    await client.runs.logs(7, { afterSeq: 12, limit: 100 });
    expect(last().url).toBe('/api/v1/runs/7/logs?afterSeq=12&limit=100');
    await client.tasks.nextFires(42, { count: 3, from: '2026-03-15T00:00:00Z' });
    expect(last().url).toBe('/api/v1/tasks/42/next-fires?count=3&from=2026-03-15T00%3A00%3A00Z');
  });

  it('does not validate what the server validates', async () => {
    // limit 0 is invalid, but that is for the server to say.
    await client.runs.list({ limit: 0, status: 'nonsense' });
    expect(last().url).toBe('/api/v1/runs?limit=0&status=nonsense');
  });
});

describe('idempotency', () => {
  it('sends the Idempotency-Key header and the input', async () => {
    await client.tasks.run(42, { input: { day: '2026-03-15' } }, { idempotencyKey: 'k-1' });
    expect(last().headers['idempotency-key']).toBe('k-1');
    expect(JSON.parse(last().body)).toEqual({ input: { day: '2026-03-15' } });
  });

  it('sends no Idempotency-Key without one', async () => {
    await client.tasks.run(42);
    expect(last().headers['idempotency-key']).toBeUndefined();
  });
});

describe('errors', () => {
  it('maps the API error body', async () => {
    server.respond(() => ({
      status: 400,
      body: { error: { code: 'INVALID_CRON', message: 'bad field 6', field: 'schedule.expression' } },
    }));
    const err = await caught(
      client.tasks.create({ name: 'x', app: 1, type: 'http', schedule: { type: 'api' } }),
    );
    expect(err).toMatchObject({
      status: 400,
      code: 'INVALID_CRON',
      message: 'bad field 6',
      field: 'schedule.expression',
      method: 'POST',
      url: `${server.url}/api/v1/tasks`,
    });
  });

  it('maps an error without a field', async () => {
    server.respond(() => ({
      status: 404,
      body: { error: { code: 'TASK_NOT_FOUND', message: 'task 9 does not exist' } },
    }));
    const err = await caught(client.tasks.get(9));
    expect(err).toMatchObject({ status: 404, code: 'TASK_NOT_FOUND', message: 'task 9 does not exist' });
    expect(err.field).toBeUndefined();
  });

  it('maps a non-JSON error body to HTTP_<status>', async () => {
    server.respond(() => ({ status: 502, body: '<html>Bad Gateway</html>' }));
    const err = await caught(client.runs.get(1));
    expect(err.status).toBe(502);
    expect(err.code).toBe('HTTP_502');
    expect(err.message).toContain(`GET ${server.url}/api/v1/runs/1 answered 502`);
    expect(err.message).toContain('<html>Bad Gateway</html>');
  });

  it('maps a JSON error body of another shape to HTTP_<status>', async () => {
    server.respond(() => ({ status: 500, body: { oops: true } }));
    const err = await caught(client.runs.get(1));
    expect(err.code).toBe('HTTP_500');
  });

  it('maps an empty error body to HTTP_<status>', async () => {
    server.respond(() => ({ status: 401 }));
    const err = await caught(client.runs.get(1));
    expect(err).toMatchObject({ status: 401, code: 'HTTP_401' });
  });

  it('refuses a 2xx body that is not JSON', async () => {
    server.respond(() => ({ status: 200, body: 'hello' }));
    const err = await caught(client.runs.get(1));
    expect(err).toMatchObject({ status: 200, code: 'INVALID_RESPONSE' });
  });

  it('maps a refused connection to NETWORK, naming the URL and the cause', async () => {
    const port = await unusedPort();
    const offline = createClient({ baseUrl: `http://127.0.0.1:${port}`, token: 'secret-token' });
    const err = await caught(offline.tasks.get(1));
    expect(err.status).toBe(0);
    expect(err.code).toBe('NETWORK');
    expect(err.message).toContain(`http://127.0.0.1:${port}/api/v1/tasks/1`);
    expect(err.message).toContain('ECONNREFUSED');
    expect(err.message).not.toContain('secret-token');
  });
});

describe('runs.iterate', () => {
  it('follows nextCursor until it is null, keeping the filter', async () => {
    const pages: Record<string, { items: { id: number }[]; nextCursor: string | null }> = {
      '': { items: [{ id: 5 }, { id: 4 }], nextCursor: 'c1' },
      c1: { items: [{ id: 3 }, { id: 2 }], nextCursor: 'c2' },
      c2: { items: [{ id: 1 }], nextCursor: null },
    };
    server.respond((req) => ({ body: pages[req.query.get('cursor') ?? ''] }));
    const ids: number[] = [];
    for await (const run of client.runs.iterate({ status: ['failed'], limit: 2 })) ids.push(run.id);
    expect(ids).toEqual([5, 4, 3, 2, 1]);
    expect(server.requests.map((r) => r.url)).toEqual([
      '/api/v1/runs?status=failed&limit=2',
      '/api/v1/runs?status=failed&limit=2&cursor=c1',
      '/api/v1/runs?status=failed&limit=2&cursor=c2',
    ]);
  });

  it('stops on a server that repeats its cursor', async () => {
    server.respond(() => ({ body: { items: [{ id: 1 }], nextCursor: 'same' } }));
    const consume = async () => {
      for await (const _run of client.runs.iterate()) {
        // drain
      }
    };
    const err = await caught(consume());
    expect(err.code).toBe('INVALID_RESPONSE');
    expect(server.requests).toHaveLength(2);
  });
});
