/**
 * The small things a user meets first: `--version`, `kairos executors`, a Dify run's
 * track as a tree and its node progress under `runs logs --follow`, and a closed pipe
 * (`kairos … | head -1`) ending quietly instead of with a stack trace.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startRecordingServer } from '../../protocol/test/recording-server.js';
import type { RecordingServer } from '../../protocol/test/recording-server.js';
import { aRun, aTask } from './fixtures.js';
import { kairos } from './harness.js';

let server: RecordingServer;
beforeEach(async () => {
  server = await startRecordingServer();
});
afterEach(async () => {
  await server.close();
});
const run = (argv: string[]) => kairos(argv, { env: { KAIROS_URL: server.url, KAIROS_TOKEN: 'tok' } });

const node = (title: string, type: string, over: Record<string, unknown> = {}) => ({
  id: title,
  nodeId: title,
  nodeType: type,
  title,
  status: 'succeeded',
  elapsedMs: 1200,
  ...over,
});

describe('kairos CLI polish', () => {
  it('--version prints the CLI package version', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    const r = await kairos(['--version']);
    expect(r).toEqual({ code: 0, stdout: `kairos ${version}\n`, stderr: '' });
  });

  it('executors lists the registry with state and heartbeat in --tz', async () => {
    server.respond(() => ({
      body: {
        items: [
          {
            id: 1,
            appId: 3,
            appName: 'billing',
            address: 'http://10.0.0.5:9999',
            mode: 'push',
            protocol: 'xxl35',
            status: 'live',
            registeredAt: '2026-03-15T00:00:00.000Z',
            lastHeartbeatAt: '2026-03-15T06:00:00.000Z',
            runningRuns: 2,
          },
        ],
      },
    }));
    const r = await run(['executors', '--app', 'billing', '--tz', 'Asia/Shanghai']);
    expect(r.code).toBe(0);
    expect(server.requests[0]!.url).toBe('/api/v1/executors?app=billing');
    expect(r.stdout.split('\n')[1]).toMatch(
      /^billing\s+http:\/\/10\.0\.0\.5:9999\s+push\s+xxl35\s+live\s+2026-03-15 14:00:00 \+08:00\s+2$/,
    );
  });

  it('runs track draws the node track as a tree with rounds, branches and errors', async () => {
    server.respond(() => ({
      body: {
        nodes: [
          node('Start', 'start', { elapsedMs: 5 }),
          node('Route', 'if-else', { selectedCaseId: 'true' }),
          node('Each', 'iteration', {
            rounds: [
              { index: 0, elapsedMs: 800, nodes: [node('Summarize', 'llm', { tokens: 120 })] },
              {
                index: 1,
                elapsedMs: 900,
                nodes: [node('Summarize', 'llm', { status: 'failed', error: 'rate limited' })],
              },
            ],
          }),
          node('End', 'end', { elapsedMs: null }),
        ],
      },
    }));
    const r = await run(['runs', 'track', '7']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        '├─ Start (start)  succeeded  5ms',
        '├─ Route (if-else)  succeeded  1.2s  → true',
        '├─ Each (iteration)  succeeded  1.2s',
        '│  ├─ round 0  800ms',
        '│  │  └─ Summarize (llm)  succeeded  1.2s  120 tokens',
        '│  └─ round 1  900ms',
        '│     └─ Summarize (llm)  failed  1.2s  error: rate limited',
        '└─ End (end)  succeeded',
        '',
      ].join('\n'),
    );
  });

  it('runs logs --follow on a Dify run prints a line per node as the workflow moves', async () => {
    const event = (seq: number, name: string, data: Record<string, unknown>) => ({
      seq,
      at: `2026-03-15T06:00:0${seq}.000Z`,
      event: name,
      data: { event: name, data },
      truncated: false,
    });
    const events = [
      event(1, 'workflow_started', {}),
      event(2, 'node_started', { node_id: 'llm', node_type: 'llm', title: 'Summarize' }),
      event(3, 'node_finished', {
        node_id: 'llm',
        node_type: 'llm',
        title: 'Summarize',
        status: 'succeeded',
        elapsed_time: 1.5,
      }),
      event(4, 'workflow_finished', { status: 'succeeded' }),
    ];
    let polls = 0;
    server.respond((req) => {
      if (req.path.endsWith('/logs')) return { body: { items: [], nextCursor: null } };
      if (req.path.endsWith('/events')) {
        const after = Number(req.query.get('afterSeq'));
        return {
          body: { items: events.filter((e) => e.seq > after && e.seq <= polls * 2), nextCursor: null },
        };
      }
      if (req.path.includes('/tasks/')) return { body: aTask({ type: 'dify_workflow' }) };
      polls++;
      return { body: aRun({ status: polls >= 2 ? 'succeeded' : 'running' }) };
    });
    const r = await kairos(['runs', 'logs', '7', '--follow'], {
      env: { KAIROS_URL: server.url, KAIROS_TOKEN: 'tok' },
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        '2026-03-15T06:00:01.000Z workflow started',
        '2026-03-15T06:00:02.000Z node   ▶ Summarize (llm)',
        '2026-03-15T06:00:03.000Z node   ✓ Summarize (llm) succeeded 1.5s',
        '2026-03-15T06:00:04.000Z workflow succeeded',
        '',
      ].join('\n'),
    );
  });

  it('stops quietly, exit 0, when the reader of its output goes away (kairos … | head -1)', async () => {
    const bin = fileURLToPath(new URL('../bin/kairos.js', import.meta.url));
    const child = spawn(process.execPath, [bin, 'cron', 'explain', '* * * * * ?', '--count', '1000'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH ?? '' },
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    // Read the first chunk, then close the pipe as head does.
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});
