import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startRecordingServer, unusedPort } from '../../protocol/test/recording-server.js';
import type { RecordingServer } from '../../protocol/test/recording-server.js';
import { aCalendar, aRun, aTask, anApp } from './fixtures.js';
import { kairos } from './harness.js';
import type { KairosOptions } from './harness.js';

let server: RecordingServer;
let env: Record<string, string>;

beforeEach(async () => {
  server = await startRecordingServer();
  env = { KAIROS_URL: server.url, KAIROS_TOKEN: 'tok-env' };
});
afterEach(async () => {
  await server.close();
});

const run = (argv: string[], options: KairosOptions = {}) => kairos(argv, { env, ...options });
const requests = () => server.requests.map((q) => `${q.method} ${q.url}`);

describe('global flags', () => {
  it('--url and --token after the command win over the environment and over flags before it', async () => {
    const other = await startRecordingServer(() => ({ body: { items: [], nextCursor: null } }));
    try {
      const r = await run([
        '--url',
        'http://127.0.0.1:9',
        'apps',
        'list',
        '--url',
        other.url,
        '--token',
        'tok-flag',
      ]);
      expect(r.code).toBe(0);
      expect(server.requests).toHaveLength(0);
      expect(other.requests[0]!.headers.authorization).toBe('Bearer tok-flag');
    } finally {
      await other.close();
    }
  });

  it('--json before the command', async () => {
    server.respond(() => ({ body: { items: [anApp()], nextCursor: null } }));
    const r = await run(['--json', 'apps', 'list']);
    expect(JSON.parse(r.stdout)).toEqual({ items: [anApp()], nextCursor: null });
  });

  it('hints at the token when the server answers 401 and none was sent', async () => {
    server.respond(() => ({
      status: 401,
      body: { error: { code: 'UNAUTHORIZED', message: 'a bearer token is required' } },
    }));
    const r = await run(['runs', 'list'], { env: { KAIROS_URL: server.url } });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'error: a bearer token is required (UNAUTHORIZED)\nhint: no token was sent: set KAIROS_TOKEN (or pass --token)\n',
    );
    expect(server.requests[0]!.headers.authorization).toBeUndefined();
  });

  it('names the URL when nothing listens there, and never prints the token', async () => {
    const port = await unusedPort();
    const r = await run(['runs', 'get', '1'], {
      env: { KAIROS_URL: `http://127.0.0.1:${port}`, KAIROS_TOKEN: 'tok-secret' },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error: cannot reach GET http://127.0.0.1:${port}/api/v1/runs/1: `);
    expect(r.stderr).toContain('ECONNREFUSED');
    expect(r.stderr).toContain('(NETWORK)');
    expect(r.stderr).toContain(`hint: is a Kairos server running at http://127.0.0.1:${port}?`);
    expect(r.stderr + r.stdout).not.toContain('tok-secret');
  });

  it('reports a non-JSON error page with its status', async () => {
    server.respond(() => ({ status: 502, body: 'Bad Gateway' }));
    const r = await run(['runs', 'get', '1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `error: GET ${server.url}/api/v1/runs/1 answered 502 Bad Gateway: Bad Gateway (HTTP_502)\n`,
    );
  });
});

describe('apps', () => {
  it('create sends the flags and shows the access token once', async () => {
    server.respond(() => ({ status: 201, body: anApp({ accessToken: 'kat_full_secret_token' }) }));
    const r = await run([
      'apps',
      'create',
      '--app-name',
      'invoicing',
      '--name',
      'Invoicing jobs',
      '--max-concurrency',
      '4',
    ]);
    expect(r.code).toBe(0);
    expect(JSON.parse(server.requests[0]!.body)).toEqual({
      appName: 'invoicing',
      name: 'Invoicing jobs',
      maxConcurrency: 4,
    });
    expect(r.stdout).toContain('accessToken:    kat_full_secret_token');
    expect(r.stderr).toContain('Store the access token now');
  });

  it('leaves a missing field to the server to name', async () => {
    server.respond(() => ({
      status: 400,
      body: { error: { code: 'VALIDATION_ERROR', message: 'is required', field: 'appName' } },
    }));
    const r = await run(['apps', 'create', '--name', 'x']);
    expect(r.code).toBe(1);
    expect(JSON.parse(server.requests[0]!.body)).toEqual({ name: 'x' });
    expect(r.stderr).toBe('error: is required (VALIDATION_ERROR, field appName)\n');
  });

  it('rotate-token shows the new token', async () => {
    server.respond(() => ({ body: anApp({ accessToken: 'kat_new_token' }) }));
    const r = await run(['apps', 'rotate-token', 'invoicing']);
    expect(requests()).toEqual(['POST /api/v1/apps/invoicing/rotate-token']);
    expect(r.stdout).toContain('kat_new_token');
  });

  it('get and list do not print the token at all', async () => {
    server.respond((req) =>
      req.path === '/api/v1/apps' ? { body: { items: [anApp()], nextCursor: null } } : { body: anApp() },
    );
    const got = await run(['apps', 'get', '3']);
    const listed = await run(['apps', 'list', '--namespace', 'default']);
    expect(requests()).toEqual(['GET /api/v1/apps/3', 'GET /api/v1/apps?namespace=default']);
    expect(got.stdout).toContain('appName:        invoicing');
    expect(got.stdout + listed.stdout).not.toContain('kat_');
    expect(listed.stdout).toBe(
      [
        'ID  NAMESPACE  APP NAME   NAME            MAX CONC  CREATED',
        '3   default    invoicing  Invoicing jobs  4         2026-03-15T00:00:00.000Z',
        '',
      ].join('\n'),
    );
  });

  it('delete', async () => {
    server.respond(() => ({ status: 204 }));
    const r = await run(['apps', 'delete', 'invoicing']);
    expect(r.stdout).toBe('app invoicing deleted\n');
    expect(requests()).toEqual(['DELETE /api/v1/apps/invoicing']);
  });
});

describe('runs', () => {
  it('list maps the flags to the query, and names the tasks', async () => {
    server.respond((req) =>
      req.path.includes('/tasks/') ? { body: aTask() } : { body: { items: [aRun()], nextCursor: null } },
    );
    const r = await run([
      'runs',
      'list',
      '--task',
      '42',
      '--status',
      'failed,timed_out',
      '--trigger',
      'manual',
      '--since',
      '2026-03-01T00:00:00Z',
      '--until',
      '2026-03-02T00:00:00Z',
      '--limit',
      '5',
    ]);
    expect(r.code).toBe(0);
    expect(Object.fromEntries(server.requests[0]!.query)).toEqual({
      taskId: '42',
      status: 'failed,timed_out',
      triggerType: 'manual',
      from: '2026-03-01T00:00:00Z',
      to: '2026-03-02T00:00:00Z',
      limit: '5',
    });
    expect(r.stdout).toBe(
      [
        'ID  TASK                STATUS     TRIGGER  ATTEMPT  SCHEDULED                 DURATION',
        '7   #42 nightly-report  succeeded  manual   1        2026-03-15T06:00:00.000Z  1.5s',
        '',
      ].join('\n'),
    );
  });

  it('list reads --since and --until as durations or wall times in --tz, and shows times there', async () => {
    server.respond((req) =>
      req.path.includes('/tasks/') ? { body: aTask() } : { body: { items: [aRun()], nextCursor: null } },
    );
    const r = await run([
      'runs',
      'list',
      '--since',
      '2026-03-15',
      '--until',
      '2026-03-15T18:30',
      '--tz',
      'Asia/Shanghai',
    ]);
    expect(r.code).toBe(0);
    expect(server.requests[0]!.query.get('from')).toBe('2026-03-14T16:00:00.000Z');
    expect(server.requests[0]!.query.get('to')).toBe('2026-03-15T10:30:00.000Z');
    expect(r.stdout).toContain('2026-03-15 14:00:00 +08:00');

    const ago = await run(['runs', 'list', '--since', '6h'], { env: { ...env, KAIROS_TZ: 'Europe/Paris' } });
    expect(ago.code).toBe(0);
    const since = Date.parse(server.requests.at(-2)!.query.get('from')!);
    expect(Math.abs(Date.now() - 6 * 3_600_000 - since)).toBeLessThan(60_000);
    expect(ago.stdout).toContain('2026-03-15 07:00:00 +01:00');

    const bad = await run(['runs', 'list', '--since', 'yesterday']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--since must be an ISO instant.*got 'yesterday'/);
    const zone = await run(['runs', 'list', '--tz', 'CST+8']);
    expect(zone.code).toBe(2);
    expect(zone.stderr).toMatch(/--tz \/ KAIROS_TZ must be an IANA time zone/);
  });

  it('get shows the error and output', async () => {
    server.respond(() => ({
      body: aRun({ status: 'failed', error: { type: 'timeout', message: 'no answer in 30s' }, output: null }),
    }));
    const r = await run(['runs', 'get', '7']);
    expect(r.stdout).toContain('status:    failed');
    expect(r.stdout).toContain('error:     timeout: no answer in 30s');
  });

  it('cancel', async () => {
    server.respond(() => ({ body: aRun({ status: 'cancelled' }) }));
    const r = await run(['runs', 'cancel', '7', '--json']);
    expect(requests()).toEqual(['POST /api/v1/runs/7/cancel']);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'cancelled' });
  });

  const entry = (seq: number, text: string) => ({
    seq,
    at: `2026-03-15T06:00:0${seq}.000Z`,
    stream: 'stdout',
    text,
  });

  it('logs pages through every entry', async () => {
    server.respond((req) => {
      const after = Number(req.query.get('afterSeq'));
      if (after === 0) return { body: { items: [entry(1, 'one\n'), entry(2, 'two')], nextCursor: '2' } };
      return { body: { items: [entry(3, 'three')], nextCursor: null } };
    });
    const r = await run(['runs', 'logs', '7']);
    expect(r.code).toBe(0);
    expect(requests()).toEqual(['GET /api/v1/runs/7/logs?afterSeq=0', 'GET /api/v1/runs/7/logs?afterSeq=2']);
    expect(r.stdout).toBe(
      [
        '2026-03-15T06:00:01.000Z stdout one',
        '2026-03-15T06:00:02.000Z stdout two',
        '2026-03-15T06:00:03.000Z stdout three',
        '',
      ].join('\n'),
    );
  });

  it('logs --follow prints new lines until the run is terminal, each once', async () => {
    // The run writes a line per poll and finishes on the third; one line lands after the last read.
    const written = [entry(1, 'start')];
    let polls = 0;
    server.respond((req) => {
      if (req.path.endsWith('/logs')) {
        const after = Number(req.query.get('afterSeq'));
        return { body: { items: written.filter((e) => e.seq > after), nextCursor: null } };
      }
      if (req.path.includes('/tasks/')) return { body: aTask() };
      polls++;
      if (polls === 1) written.push(entry(2, 'working'));
      if (polls === 3) written.push(entry(3, 'done'));
      return { body: aRun({ status: polls >= 3 ? 'succeeded' : 'running' }) };
    });
    const sleeps: number[] = [];
    const r = await run(['runs', 'logs', '7', '--follow'], { sleeps });
    expect(r.code).toBe(0);
    expect(
      r.stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split(' ').at(-1)),
    ).toEqual(['start', 'working', 'done']);
    expect(sleeps).toHaveLength(2);
    expect(r.stderr).toBe('run 7 succeeded\n');
  });

  it('logs --follow --json prints one entry per line', async () => {
    server.respond((req) =>
      req.path.endsWith('/logs')
        ? {
            body: { items: Number(req.query.get('afterSeq')) === 0 ? [entry(1, 'a')] : [], nextCursor: null },
          }
        : { body: aRun() },
    );
    const r = await run(['runs', 'logs', '7', '--follow', '--json']);
    expect(r.stdout).toBe(`${JSON.stringify(entry(1, 'a'))}\n`);
  });
});

describe('calendars', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kairos-cli-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('create -f reads YAML dates as strings', async () => {
    await writeFile(
      join(dir, 'cal.yaml'),
      'name: cn-holidays-2026\ntimezone: Asia/Shanghai\ndates: [2026-01-01, 2026-10-01, 2026-10-02]\n',
    );
    server.respond(() => ({ status: 201, body: aCalendar() }));
    const r = await run(['calendars', 'create', '-f', 'cal.yaml'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(JSON.parse(server.requests[0]!.body)).toEqual({
      name: 'cn-holidays-2026',
      timezone: 'Asia/Shanghai',
      dates: ['2026-01-01', '2026-10-01', '2026-10-02'],
    });
    expect(r.stdout).toContain('dates:     3\n           2026-01-01 2026-10-01 2026-10-02\n');
  });

  it('list, get, update and delete', async () => {
    server.respond((req) => {
      if (req.method === 'DELETE') return { status: 204 };
      if (req.path === '/api/v1/calendars') return { body: { items: [aCalendar()], nextCursor: null } };
      return { body: aCalendar() };
    });
    await writeFile(join(dir, 'patch.json'), '{"dates":["2026-05-01"]}');
    const listed = await run(['calendars', 'list']);
    await run(['calendars', 'get', '2']);
    await run(['calendars', 'update', '2', '-f', 'patch.json'], { cwd: dir });
    const deleted = await run(['calendars', 'delete', '2']);
    expect(requests()).toEqual([
      'GET /api/v1/calendars',
      'GET /api/v1/calendars/2',
      'PATCH /api/v1/calendars/2',
      'DELETE /api/v1/calendars/2',
    ]);
    expect(listed.stdout).toContain('2   default    cn-holidays-2026  Asia/Shanghai  3');
    expect(deleted.stdout).toBe('calendar 2 deleted\n');
  });
});
