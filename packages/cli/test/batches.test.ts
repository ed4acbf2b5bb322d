/**
 * `kairos batches` against a real Kairos node and a receiver on 127.0.0.1: start from a CSV file
 * and wait, list, get, download the results, replay and compare, and the refusals (exit codes,
 * the API's message).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../src/run-cli.js';
import { startHttpTarget } from '../../../apps/server/test/support/http-target.js';
import {
  ADMIN_TOKEN,
  createApp,
  startTestNode,
  tempDataDir,
} from '../../../apps/server/test/support/test-node.js';

async function kairos(url: string, argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    env: { KAIROS_URL: url, KAIROS_TOKEN: ADMIN_TOKEN },
    stdout: { write: (chunk: string) => (stdout += chunk) },
    stderr: { write: (chunk: string) => (stderr += chunk) },
    // --wait polls the API: a short pause between polls, not a synchronisation.
    sleep: (ms: number) => new Promise((resolve) => setTimeout(resolve, ms)),
    pollIntervalMs: 20,
  });
  return { code, stdout, stderr };
}

describe('kairos batches', () => {
  it('starts a batch from a CSV file, waits for it, lists it and downloads its results', async () => {
    const node = await startTestNode();
    const target = await startHttpTarget((_req, res, body) => {
      res.statusCode = JSON.parse(body).city === 'Nowhere' ? 500 : 200;
      res.end('ok');
    });
    await createApp(node);
    const task = await node.api('POST', '/api/v1/tasks', {
      name: 'per-city',
      app: 'demo',
      type: 'http',
      config: { url: target.url, method: 'POST' },
      schedule: { type: 'api' },
      concurrency: { max: 5, overlap: 'allow' },
    });
    const dir = tempDataDir();
    const file = join(dir, 'cities.csv');
    writeFileSync(file, 'city,code\nParis,75\nLyon,69\nNowhere,00\nbad,row,here\n');

    const started = await kairos(node.url, [
      'batches',
      'start',
      '--task',
      String(task.body.id),
      '-f',
      file,
      '--concurrency',
      '2',
      '--name',
      'cities',
      '--input',
      '{"country":"FR"}',
      '--wait',
    ]);
    expect(started.stderr).toBe('');
    expect(started.code).toBe(1); // an item failed
    expect(started.stdout).toContain('item 4: line 5: has 3 field(s); the header has 2 (city, code)');
    expect(started.stdout).toMatch(/batch \d+ completed: 2\/4 done, 1 failed, 1 invalid, 0 left/);
    expect(target.requests.map((r) => JSON.parse(r.body).country)).toEqual(['FR', 'FR', 'FR']);
    const id = /batch (\d+)/.exec(started.stdout)![1]!;

    const list = await kairos(node.url, ['batches', 'list']);
    expect(list.stdout).toMatch(
      new RegExp(`^${id}\\s+cities\\s+${task.body.id}\\s+completed\\s+2/4\\s+1\\s+0`, 'm'),
    );
    const get = await kairos(node.url, ['batches', 'get', id, '--json']);
    expect(JSON.parse(get.stdout).progress).toMatchObject({ done: 2, failed: 1, invalid: 1 });

    const out = join(dir, 'out.csv');
    const results = await kairos(node.url, ['batches', 'results', id, '--format', 'csv', '-o', out]);
    expect(results.code).toBe(0);
    const rows = readFileSync(out, 'utf8').trim().split('\n');
    expect(rows[0]).toBe('seq,status,attempt,run_id,tokens,cost,error,input,output');
    expect(rows.slice(1).map((r) => r.split(',')[1])).toEqual([
      'succeeded',
      'succeeded',
      'failed',
      'invalid',
    ]);
    const failed = await kairos(node.url, ['batches', 'results', id, '--status', 'failed']);
    expect(
      failed.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).input.city),
    ).toEqual(['Nowhere']);

    const paused = await kairos(node.url, ['batches', 'pause', id]);
    expect(paused.code).toBe(1);
    expect(paused.stderr).toContain(`batch ${id} is completed: only a running batch can be paused`);
  });

  it('refuses a start without a dataset, and reports the API refusal with its field', async () => {
    const node = await startTestNode();
    const none = await kairos(node.url, ['batches', 'start', '--task', '1']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('needs one of -f FILE, --url URL, --from-run RUN_ID');
    const missing = await kairos(node.url, ['batches', 'start', '--task', '999', '--from-run', '5']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('taskId: task 999 does not exist');
  });

  it('replays a finished batch and compares the two; a regression fails the command', async () => {
    const node = await startTestNode();
    let failing = 'Nowhere';
    const target = await startHttpTarget((_req, res, body) => {
      res.statusCode = JSON.parse(body).city === failing ? 500 : 200;
      res.end('ok');
    });
    await createApp(node);
    const task = await node.api('POST', '/api/v1/tasks', {
      name: 'per-city',
      app: 'demo',
      type: 'http',
      config: { url: target.url, method: 'POST' },
      schedule: { type: 'api' },
      concurrency: { max: 5, overlap: 'allow' },
    });
    const file = join(tempDataDir(), 'cities.jsonl');
    writeFileSync(file, '{"city":"Paris"}\n{"city":"Nowhere"}\n{"city":"Lyon"}\n');
    const first = await kairos(node.url, [
      'batches',
      'start',
      '--task',
      String(task.body.id),
      '-f',
      file,
      '--wait',
    ]);
    const baseline = /batch (\d+)/.exec(first.stdout)![1]!;

    // The target now fails Lyon and no longer Nowhere.
    failing = 'Lyon';
    const replayed = await kairos(node.url, ['batches', 'replay', baseline, '--wait']);
    expect(replayed.stderr).toContain(`compare: kairos batches compare ${baseline} `);
    const candidate = /batch (\d+)/.exec(replayed.stdout)![1]!;
    expect(candidate).not.toBe(baseline);

    const compared = await kairos(node.url, ['batches', 'compare', baseline, candidate]);
    expect(compared.code).toBe(1);
    expect(compared.stdout).toContain(
      `batch ${baseline} → batch ${candidate}: 3 items: 1 improved, 1 regressed, 1 unchanged,`,
    );
    expect(compared.stdout).toMatch(/^2\s+improved\s+failed\s+succeeded\s+differs/m);
    expect(compared.stdout).toMatch(/^3\s+regressed\s+succeeded\s+failed\s+differs/m);
    // An HTTP run's output holds its response's headers (a Date among them): it differs each time.
    expect(compared.stdout).toMatch(/^1\s+unchanged\s+succeeded\s+succeeded\s+differs/m);
    const json = await kairos(node.url, ['batches', 'compare', candidate, baseline, '--json']);
    expect(JSON.parse(json.stdout).totals).toMatchObject({ improved: 1, regressed: 1, unchanged: 1 });

    // Only a Dify workflow's runs can be pinned to a version.
    const pinned = await kairos(node.url, [
      'batches',
      'replay',
      baseline,
      '--workflow-id',
      '7f1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
    ]);
    expect(pinned.code).toBe(1);
    expect(pinned.stderr).toContain('workflowId: task');
  });
});
