/**
 * The console's dead letters, output checks and compare view, in a real browser against a real
 * node and the Dify simulator: two dead letters are picked and redriven from the Dead letters
 * page; a run failed by its output gate shows its "Output checks"; a replay is compared with its
 * original node by node. Every wait is on the page's DOM or URL, never a sleep.
 */
import { describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startTestNode } from '../support/test-node.js';
import { chromiumAvailable, screenshot } from './browser.js';
import { signIn, useConsoleBrowser } from './console-page.js';
import { createDifyTask, runOnce, startSim } from '../dify/support.js';

const { openPage } = useConsoleBrowser();

describe.skipIf(!chromiumAvailable())('the console: dead letters, output checks, compare', () => {
  it('redrives picked dead letters', async () => {
    const sim = await startSim();
    const node = await startTestNode();
    const task = await createDifyTask(node, sim, 'app-failing', { task: { name: 'failing' } });
    const a = await runOnce(node, task.body.id);
    const b = await runOnce(node, task.body.id);
    const page = await openPage(node.url);
    await signIn(page, ADMIN_TOKEN);
    await page.getByRole('link', { name: 'Dead letters' }).click();
    await page.getByTestId('dead-letter-row').nth(1).waitFor();
    await page.getByLabel(`Select run ${a.id}`).check();
    await page.getByLabel(`Select run ${b.id}`).check();
    const redriven = node.waitFor('run:finished', (p) => p.run.triggerType === 'redrive');
    await page.getByRole('button', { name: 'Redrive 2' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Redrive', exact: true }).click();
    await page.getByText('Redriven: 2').waitFor();
    await redriven;
    await screenshot(page, 'dead-letters-redriven');
    const all = await node.api('GET', '/api/v1/dead-letters?state=redriven');
    expect(all.body.items.map((d: any) => d.run.id).sort()).toEqual([a.id, b.id].sort());
    await node.stop();
  });

  it('shows a run’s output checks and compares a replay with its original', async () => {
    const sim = await startSim();
    const node = await startTestNode();
    const gated = await createDifyTask(node, sim, 'app-empty', {
      task: {
        name: 'gated',
        outputGate: { required: ['summary'], maxLength: [{ path: 'summary', max: 50 }] },
      },
    });
    const failed = await runOnce(node, gated.body.id);
    expect(failed.error.type).toBe('assertion');
    const page = await openPage(`${node.url}/runs/${failed.id}`);
    await signIn(page, ADMIN_TOKEN);
    const checks = page.getByTestId('output-checks');
    await checks.waitFor();
    await expect(checks.textContent()).resolves.toContain('summary is empty');
    await expect(page.getByTestId('output-check').count()).resolves.toBe(2);

    const simple = await createDifyTask(node, sim, 'app-simple', { task: { name: 'simple' } });
    const original = await runOnce(node, simple.body.id);
    const replayed = node.waitFor('run:finished', (p) => p.run.triggerType === 'replay');
    await page.goto(`${node.url}/runs/${original.id}`);
    await page.getByRole('button', { name: 'Replay this workflow version' }).click();
    const { run: replay } = await replayed;
    await page.waitForURL(`**/runs/${replay.id}`);
    await page.getByRole('button', { name: 'Compare with…' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Compare', exact: true }).click();
    await page.waitForURL(`**/runs/compare?left=${original.id}&right=${replay.id}`);
    await page.getByTestId('compare-node').nth(2).waitFor();
    await expect(page.getByTestId('compare-nodes').getByTestId('differs').count()).resolves.toBe(0);
    await screenshot(page, 'runs-compared');
    await node.stop();
  });
});
