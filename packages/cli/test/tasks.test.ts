import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startRecordingServer } from '../../protocol/test/recording-server.js';
import type { RecordingServer } from '../../protocol/test/recording-server.js';
import { aRun, aTask, anApp } from './fixtures.js';
import { kairos } from './harness.js';
import type { KairosOptions } from './harness.js';

let server: RecordingServer;
let dir: string;
let env: Record<string, string>;

beforeEach(async () => {
  server = await startRecordingServer(() => ({ status: 201, body: aTask() }));
  dir = await mkdtemp(join(tmpdir(), 'kairos-cli-'));
  env = { KAIROS_URL: server.url, KAIROS_TOKEN: 'tok-env' };
});
afterEach(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

const run = (argv: string[], options: KairosOptions = {}) => kairos(argv, { env, cwd: dir, ...options });

const TASK = {
  name: 'nightly-report',
  app: 'invoicing',
  type: 'http',
  config: { url: 'https://example.com/report', method: 'POST' },
  schedule: { type: 'cron', expression: '0 0 2 * * ?', timezone: 'Europe/Paris' },
  retry: { maxAttempts: 3 },
};

const TASK_YAML = `# the nightly report
name: nightly-report
app: invoicing
type: http
config:
  url: https://example.com/report
  method: POST
schedule:
  type: cron
  expression: "0 0 2 * * ?"
  timezone: Europe/Paris
retry: { maxAttempts: 3 }
`;

describe('tasks create -f', () => {
  it.each([
    ['task.json', JSON.stringify(TASK, null, 2)],
    ['task.yaml', TASK_YAML],
    ['task.yml', TASK_YAML],
    ['task.txt', JSON.stringify(TASK)], // JSON recognised by content
    ['task', TASK_YAML], // YAML recognised by content
  ])('sends %s as the task, with the token from the environment', async (file, text) => {
    await writeFile(join(dir, file), text);
    const r = await run(['tasks', 'create', '-f', file]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(server.requests).toHaveLength(1);
    const req = server.requests[0]!;
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/api/v1/tasks');
    expect(req.headers.authorization).toBe('Bearer tok-env');
    expect(JSON.parse(req.body)).toEqual(TASK);
    expect(r.stdout).toContain('id:          42');
    expect(r.stdout).toContain('schedule:    cron 0 0 2 * * ? (Europe/Paris)');
  });

  it('reads stdin with -f -', async () => {
    const r = await run(['tasks', 'create', '-f', '-'], { stdin: TASK_YAML });
    expect(r.code).toBe(0);
    expect(JSON.parse(server.requests[0]!.body)).toEqual(TASK);
  });

  it('prints the raw answer with --json', async () => {
    await writeFile(join(dir, 'task.json'), JSON.stringify(TASK));
    const r = await run(['tasks', 'create', '--json', '--file', 'task.json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(aTask());
  });

  it("prints the server's warnings on stderr", async () => {
    server.respond(() => ({
      status: 201,
      body: { ...aTask(), warnings: ['the calendar rules out every fire'] },
    }));
    await writeFile(join(dir, 'task.json'), JSON.stringify(TASK));
    const r = await run(['tasks', 'create', '-f', 'task.json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('warning: the calendar rules out every fire\n');
  });

  it('never shows secret-looking config values in the human view', async () => {
    await writeFile(join(dir, 'task.json'), JSON.stringify(TASK));
    const r = await run(['tasks', 'create', '-f', 'task.json']);
    expect(r.stdout).toContain('"Authorization": "***"');
    expect(r.stdout).not.toContain('s3cret');
  });

  it.each([
    ['bad.yaml', 'name: [unclosed', 'bad.yaml is not valid YAML'],
    ['bad.json', '{"name": ', 'bad.json is not valid JSON'],
    ['list.yaml', '- a\n- b\n', 'list.yaml must hold one object (a mapping), not a list'],
    ['empty.json', '  \n', 'empty.json is empty'],
  ])('refuses %s before sending anything', async (file, text, message) => {
    await writeFile(join(dir, file), text);
    const r = await run(['tasks', 'create', '-f', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error: ${message}`);
    expect(r.stderr).toContain('(INVALID_FILE)');
    expect(server.requests).toHaveLength(0);
  });

  it('names a missing file', async () => {
    const r = await run(['tasks', 'create', '-f', 'nope.yaml']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('error: cannot read nope.yaml: no such file (INVALID_FILE)\n');
  });

  it("prints the server's refusal with its code and field, exit 1", async () => {
    server.respond(() => ({
      status: 400,
      body: {
        error: {
          code: 'INVALID_CRON',
          message: 'hour: 25 is out of range 0-23',
          field: 'schedule.expression',
        },
      },
    }));
    await writeFile(join(dir, 'task.json'), JSON.stringify(TASK));
    const r = await run(['tasks', 'create', '-f', 'task.json']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('error: hour: 25 is out of range 0-23 (INVALID_CRON, field schedule.expression)\n');
  });
});

describe('tasks update', () => {
  it('PATCHes the task with the file', async () => {
    await writeFile(join(dir, 'patch.yaml'), 'enabled: false\ntimeoutSeconds: 60\n');
    server.respond(() => ({ body: aTask({ enabled: false }) }));
    const r = await run(['tasks', 'update', '42', '-f', 'patch.yaml']);
    expect(r.code).toBe(0);
    expect(server.requests[0]).toMatchObject({ method: 'PATCH', url: '/api/v1/tasks/42' });
    expect(JSON.parse(server.requests[0]!.body)).toEqual({ enabled: false, timeoutSeconds: 60 });
    expect(r.stdout).toContain('enabled:     no');
  });
});

describe('tasks list', () => {
  it('resolves --app by name and filters', async () => {
    server.respond((req) =>
      req.path === '/api/v1/apps/invoicing'
        ? { body: anApp() }
        : {
            body: {
              items: [aTask(), aTask({ id: 5, name: 'x', enabled: false, nextFireAt: null })],
              nextCursor: 'n2',
            },
          },
    );
    const r = await run(['tasks', 'list', '--app', 'invoicing', '--enabled', 'true', '--limit', '2']);
    expect(r.code).toBe(0);
    expect(server.requests.map((q) => q.url)).toEqual([
      '/api/v1/apps/invoicing',
      '/api/v1/tasks?appId=3&enabled=true&limit=2',
    ]);
    expect(r.stdout).toBe(
      [
        'ID  NAME            APP        TYPE  SCHEDULE                         ENABLED  NEXT FIRE',
        '42  nightly-report  invoicing  http  cron 0 0 2 * * ? (Europe/Paris)  yes      2026-03-16T01:00:00.000Z',
        '5   x               invoicing  http  cron 0 0 2 * * ? (Europe/Paris)  no       -',
        '(more: add --cursor n2)',
        '',
      ].join('\n'),
    );
  });

  it('takes a numeric --app as the id, without a lookup', async () => {
    server.respond(() => ({ body: { items: [], nextCursor: null } }));
    const r = await run(['tasks', 'list', '--app', '3']);
    expect(r.stdout).toBe('(no tasks)\n');
    expect(server.requests.map((q) => q.url)).toEqual(['/api/v1/tasks?appId=3']);
  });
});

describe('tasks run', () => {
  it('triggers with input and idempotency key', async () => {
    server.respond(() => ({ status: 202, body: { runId: 7 } }));
    const r = await run([
      'tasks',
      'run',
      '42',
      '--input',
      '{"day":"2026-03-15"}',
      '--idempotency-key',
      'k-1',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('run 7 accepted (kairos runs get 7)\n');
    const req = server.requests[0]!;
    expect(req).toMatchObject({ method: 'POST', url: '/api/v1/tasks/42/run' });
    expect(req.headers['idempotency-key']).toBe('k-1');
    expect(JSON.parse(req.body)).toEqual({ input: { day: '2026-03-15' } });
  });

  function runLifecycle(final: ReturnType<typeof aRun>) {
    const states = [aRun({ status: 'scheduled' }), aRun({ status: 'running' }), final];
    server.respond((req) => {
      if (req.method === 'POST') return { status: 202, body: { runId: 7 } };
      return { body: states.shift() ?? final };
    });
  }

  it('--wait polls until the run succeeds, exit 0', async () => {
    runLifecycle(aRun({ status: 'succeeded' }));
    const sleeps: number[] = [];
    const r = await run(['tasks', 'run', '42', '--wait'], { sleeps });
    expect(r.code).toBe(0);
    expect(sleeps).toEqual([1000, 1000]);
    expect(server.requests.map((q) => `${q.method} ${q.url}`)).toEqual([
      'POST /api/v1/tasks/42/run',
      'GET /api/v1/runs/7',
      'GET /api/v1/runs/7',
      'GET /api/v1/runs/7',
    ]);
    expect(r.stdout).toContain('status:    succeeded');
    expect(r.stdout).toContain('duration:  1.5s');
    expect(r.stderr).toBe('run 7 accepted; waiting for it to finish…\n');
  });

  it('--wait exits 1 when the run did not succeed', async () => {
    runLifecycle(aRun({ status: 'failed', error: { type: 'http', message: 'HTTP 500 from example.com' } }));
    const r = await run(['tasks', 'run', '42', '--wait', '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ id: 7, status: 'failed' });
    expect(r.stderr).toBe('error: run 7 ended failed: HTTP 500 from example.com (RUN_FAILED)\n');
  });
});

describe('tasks get / enable / disable / delete / next-fires', () => {
  it.each([
    [['get', '42'], 'GET /api/v1/tasks/42'],
    [['enable', '42'], 'POST /api/v1/tasks/42/enable'],
    [['disable', '42'], 'POST /api/v1/tasks/42/disable'],
  ])('%j', async (args, request) => {
    server.respond(() => ({ body: aTask() }));
    const r = await run(['tasks', ...args]);
    expect(r.code).toBe(0);
    expect(server.requests.map((q) => `${q.method} ${q.url}`)).toEqual([request]);
    expect(r.stdout).toContain('name:        nightly-report');
  });

  it('delete', async () => {
    server.respond(() => ({ status: 204 }));
    const r = await run(['tasks', 'delete', '42']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('task 42 deleted\n');
    expect(server.requests[0]).toMatchObject({ method: 'DELETE', url: '/api/v1/tasks/42' });
  });

  it('next-fires', async () => {
    server.respond(() => ({ body: { fires: ['2026-03-16T01:00:00.000Z', '2026-03-17T01:00:00.000Z'] } }));
    const r = await run(['tasks', 'next-fires', '42', '--count', '2', '--from', '2026-03-15T00:00:00Z']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('2026-03-16T01:00:00.000Z\n2026-03-17T01:00:00.000Z\n');
    expect(server.requests[0]!.url).toBe('/api/v1/tasks/42/next-fires?count=2&from=2026-03-15T00%3A00%3A00Z');
  });

  it('a task that does not exist: exit 1 with the server message', async () => {
    server.respond(() => ({
      status: 404,
      body: { error: { code: 'TASK_NOT_FOUND', message: 'task 9 does not exist' } },
    }));
    const r = await run(['tasks', 'get', '9']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('error: task 9 does not exist (TASK_NOT_FOUND)\n');
  });
});
