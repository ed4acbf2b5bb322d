/**
 * `kairos workflows` against a real Kairos node: create from YAML, run, list runs, read one,
 * resume a failed run; a bad definition is reported with its place.
 */
import { writeFileSync } from 'node:fs';
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
    sleep: (ms: number) => new Promise((resolve) => setTimeout(resolve, ms)),
  });
  return { code, stdout, stderr };
}

describe('kairos workflows', () => {
  it('creates a workflow from YAML, runs it, lists and reads its runs, resumes a failed one', async () => {
    const node = await startTestNode();
    await createApp(node);
    let calls = 0;
    const target = await startHttpTarget((req, res) => {
      if (req.url === '/second' && ++calls === 1) res.statusCode = 400;
      res.end('{}');
    });
    const file = join(tempDataDir(), 'wf.yaml');
    writeFileSync(
      file,
      [
        'name: nightly',
        'app: demo',
        'nodes:',
        `  - { key: first, task: { type: http, config: { url: "${target.url}/first", method: POST } } }`,
        `  - { key: second, task: { type: http, config: { url: "${target.url}/second", method: POST } } }`,
        'edges:',
        '  - { from: first, to: second }',
      ].join('\n'),
    );
    const created = await kairos(node.url, ['workflows', 'create', '-f', file, '--json']);
    expect(created.code, created.stderr).toBe(0);
    const id = JSON.parse(created.stdout).id;
    expect((await kairos(node.url, ['workflows', 'list'])).stdout).toContain('nightly');

    const ended = node.waitFor('workflow_run:finished', (e) => e.run.workflowId === id);
    const run = await kairos(node.url, ['workflows', 'run', String(id), '--input', '{"day": 1}', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const runId = JSON.parse(run.stdout).id;
    await ended;
    const failed = await kairos(node.url, [
      'workflows',
      'runs',
      '--workflow',
      String(id),
      '--status',
      'failed',
    ]);
    expect(failed.stdout).toContain(String(runId));

    const resumedEnd = node.waitFor('workflow_run:finished', (e) => e.run.resumedFrom === runId);
    const resumed = await kairos(node.url, ['workflows', 'resume', String(runId), '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    await resumedEnd;
    const shown = await kairos(node.url, ['workflows', 'run-get', String(JSON.parse(resumed.stdout).id)]);
    expect(shown.stdout).toMatch(/status:\s+succeeded/);
    expect(shown.stdout).toMatch(/first\s+reused/);
  });

  it('reports a bad definition with its place, exit code 1', async () => {
    const node = await startTestNode();
    await createApp(node);
    const file = join(tempDataDir(), 'wf.json');
    writeFileSync(
      file,
      JSON.stringify({
        name: 'bad',
        app: 'demo',
        nodes: [{ key: 'a', task: { type: 'http', config: { url: 'http://127.0.0.1:9/' } } }],
        edges: [{ from: 'a', to: 'b' }],
      }),
    );
    const result = await kairos(node.url, ['workflows', 'create', '-f', file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('edges.0.to');
  });
});
