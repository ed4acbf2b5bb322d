/**
 * `kairos dead-letters` and `kairos runs replay|diff` against a real node and the Dify simulator.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../src/run-cli.js';
import { ADMIN_TOKEN, startTestNode } from '../../../apps/server/test/support/test-node.js';
import { createDifyTask, runOnce, startSim } from '../../../apps/server/test/dify/support.js';

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

describe('kairos dead-letters and runs replay/diff', () => {
  it('lists, redrives and discards dead letters', async () => {
    const sim = await startSim();
    const node = await startTestNode();
    const task = await createDifyTask(node, sim, 'app-failing', { task: { name: 'failing' } });
    const a = await runOnce(node, task.body.id);
    const b = await runOnce(node, task.body.id);
    const list = await kairos(node.url, ['dead-letters', 'list']);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`${b.id}\\s+#${task.body.id} failing\\s+failed`));
    const redriven = node.waitFor('run:finished', (p) => p.run.triggerType === 'redrive');
    const redrive = await kairos(node.url, ['dead-letters', 'redrive', String(a.id)]);
    expect(redrive.code, redrive.stderr).toBe(0);
    expect(redrive.stdout).toMatch(new RegExp(`run ${a.id} redriven as run \\d+`));
    await redriven;
    const refused = await kairos(node.url, ['dead-letters', 'discard', String(a.id), String(b.id)]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`run ${a.id}: dead letter ${a.id} was redriven already`);
    expect(refused.stdout).toContain(`run ${b.id} discarded`);
    const all = await kairos(node.url, ['dead-letters', 'list', '--state', 'all', '--json']);
    expect(JSON.parse(all.stdout).items.map((d: any) => d.state)).toEqual(['open', 'discarded', 'redriven']);
    const bad = await kairos(node.url, ['dead-letters', 'redrive', 'x']);
    expect(bad.code).toBe(2);
    await node.stop();
  });

  it('replays a run pinned to its workflow and diffs the two', async () => {
    const sim = await startSim();
    const node = await startTestNode();
    const task = await createDifyTask(node, sim, 'app-simple');
    const original = await runOnce(node, task.body.id);
    const finished = node.waitFor('run:finished', (p) => p.run.triggerType === 'replay');
    const replay = await kairos(node.url, ['runs', 'replay', String(original.id), '--pin', '--json']);
    expect(replay.code, replay.stderr).toBe(0);
    const replayed = JSON.parse(replay.stdout);
    expect(replayed).toMatchObject({ replayOf: original.id, versionPin: original.output.workflowId });
    await finished;
    const diff = await kairos(node.url, ['runs', 'diff', String(original.id), String(replayed.id)]);
    expect(diff.code, diff.stderr).toBe(0);
    expect(diff.stdout).toMatch(/=\s+status\s+succeeded\s+succeeded/);
    expect(diff.stdout).toMatch(/=\s+Summarize\s+llm\s+succeeded/);
    expect(diff.stdout).not.toContain('≠');
    await node.stop();
  });
});
