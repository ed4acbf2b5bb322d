/**
 * The third-party npm `xxl-job` executor package (unmodified, in its own process) against
 * Kairos: it registers with the app's token under its path prefix (/job), runs handlers, calls
 * back in the 2.3-3.4 shape, serves its log over /log, and is killed on cancel (its own kill
 * reports success, which Kairos ignores: the run stays cancelled).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { startTestNode } from '../support/test-node.js';
import type { TestNode } from '../support/test-node.js';
import { createAppWithToken, createExecutorTask, trigger, triggerAndWait } from './support.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/npm-xxl-executor.mjs', import.meta.url));
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

async function startNpmExecutor(node: TestNode, appName: string, token: string): Promise<string> {
  const cwd = mkdtempSync(join(tmpdir(), 'kairos-npm-xxl-'));
  const child = spawn(process.execPath, [FIXTURE], {
    cwd,
    env: {
      PATH: process.env.PATH ?? '',
      KAIROS_URL: node.url,
      APP_NAME: appName,
      APP_TOKEN: token,
      NODE_PATH: '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  cleanups.push(() => {
    child.kill('SIGKILL');
    rmSync(cwd, { recursive: true, force: true });
  });
  let out = '';
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const ready = /READY (\S+)/.exec(out);
      if (ready) resolve(ready[1]!);
    });
    child.on('exit', (code) => reject(new Error(`npm executor exited (${code}): ${out}`)));
  });
}

/** The executor's own answer to XXL-JOB's idleBeat: code 200 once it holds no job `jobId`. */
async function idleBeat(address: string, token: string, jobId: number): Promise<{ code: number }> {
  const response = await fetch(`${address}/idleBeat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'XXL-JOB-ACCESS-TOKEN': token },
    body: JSON.stringify({ jobId }),
  });
  return (await response.json()) as { code: number };
}

describe('the npm xxl-job executor against Kairos', () => {
  it('registers, runs, fails, logs and is killed', async () => {
    const node = await startTestNode();
    const { appName, token } = await createAppWithToken(node, 'npm-exec');
    const address = await startNpmExecutor(node, appName, token);
    await eventually(async () => {
      const items = (await node.api('GET', `/api/v1/executors?app=${appName}`)).body.items;
      expect(items).toEqual([
        expect.objectContaining({ address, mode: 'push', protocol: 'xxl', status: 'live' }),
      ]);
    });

    const echo = await createExecutorTask(node, appName, { handler: 'npmEcho', params: 'hi' });
    const ok = await triggerAndWait(node, echo);
    // It reports JSON.stringify(result) as handleMsg.
    expect(ok).toMatchObject({ status: 'succeeded', output: '"echo:hi"', executor: address });
    await eventually(async () => {
      const logs = (await node.api('GET', `/api/v1/runs/${ok.id}/logs`)).body.items.map((l: any) => l.text);
      expect(logs.join('\n')).toContain('npm executor got hi');
    });

    const failing = await createExecutorTask(node, appName, { handler: 'npmFail' });
    expect(await triggerAndWait(node, failing)).toMatchObject({
      status: 'failed',
      error: { message: 'npm handler failed' },
    });

    const missing = await createExecutorTask(node, appName, { handler: 'nope' });
    const refused = await triggerAndWait(node, missing);
    expect(refused.status).toBe('failed');
    expect(refused.error.message).toContain('No matched jobHandler: nope');

    const slow = await createExecutorTask(node, appName, { handler: 'npmSlow' });
    const runId = await trigger(node, slow);
    await eventually(async () =>
      expect((await node.api('GET', `/api/v1/runs/${runId}`)).body.status).toBe('running'),
    );
    await eventually(async () =>
      expect((await node.api('GET', `/api/v1/runs/${runId}/executions`)).body.items).toHaveLength(1),
    );
    // While the job runs, the executor answers idleBeat busy.
    expect(await idleBeat(address, token, slow)).toMatchObject({ code: 500 });
    expect((await node.api('POST', `/api/v1/runs/${runId}/cancel`)).body.status).toBe('cancelled');
    // Its "Job Task: N is killed." success callback arrives later and changes nothing. The
    // executor drops the job only once Kairos has answered that callback, so its idleBeat turns
    // idle when the callback has been applied (or refused): then the run is looked at.
    await eventually(async () => expect(await idleBeat(address, token, slow)).toMatchObject({ code: 200 }));
    expect((await node.api('GET', `/api/v1/runs/${runId}`)).body.status).toBe('cancelled');
    expect((await node.api('GET', `/api/v1/runs/${runId}/executions`)).body.items[0].status).toBe('killed');
  });
});
