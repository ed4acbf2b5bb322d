/**
 * The console's batches in a real browser against a real node and a receiver on 127.0.0.1: a
 * batch started from a task's page by uploading a JSONL file (a bad line reported, the rest run),
 * its page with progress, the failed-items table, retry of the failed items, and the list with
 * its progress bars; a finished batch replayed and compared with it item by item. Every wait is
 * on the page or the receiver, never a sleep.
 */
import { describe, expect, it } from 'vitest';
import { startHttpTarget } from '../support/http-target.js';
import { ADMIN_TOKEN, createApp, startTestNode } from '../support/test-node.js';
import { chromiumAvailable, screenshot } from './browser.js';
import { signIn, useConsoleBrowser } from './console-page.js';

const { openPage } = useConsoleBrowser();

describe.skipIf(!chromiumAvailable())('the console’s batches', () => {
  it('starts a batch from a task page with a file, shows its progress and failed items, retries them', async () => {
    const node = await startTestNode();
    let failing = true;
    const target = await startHttpTarget((_req, res, body) => {
      res.statusCode = failing && JSON.parse(body).n % 4 === 0 ? 500 : 200;
      res.end('ok');
    });
    await createApp(node);
    const task = await node.api('POST', '/api/v1/tasks', {
      name: 'score articles',
      app: 'demo',
      type: 'http',
      config: { url: target.url, method: 'POST' },
      schedule: { type: 'api' },
      concurrency: { max: 10, overlap: 'allow' },
    });
    const page = await openPage(`${node.url}/tasks/${task.body.id}`);
    await signIn(page, ADMIN_TOKEN);

    await page.getByRole('button', { name: 'Start a batch' }).click();
    const dialog = page.getByRole('dialog', { name: 'Start a batch of score articles' });
    const lines = Array.from({ length: 12 }, (_, i) => JSON.stringify({ n: i + 1 }));
    lines.splice(5, 0, '{"n": oops}');
    await dialog.locator('input[type="file"]').setInputFiles({
      name: 'articles.jsonl',
      mimeType: 'application/x-ndjson',
      buffer: Buffer.from(lines.join('\n')),
    });
    await dialog.getByRole('textbox', { name: 'Name (optional)' }).fill('nightly scoring');
    await dialog.getByRole('textbox', { name: 'Concurrency' }).fill('3');
    await screenshot(page, 'batch-start');
    await dialog.getByRole('button', { name: 'Start batch' }).click();

    await page.waitForURL(/\/batches\/\d+$/);
    await page.getByRole('heading', { name: 'nightly scoring' }).waitFor();
    // 12 valid items, 3 of them fail (n = 4, 8, 12), 1 invalid line.
    await page.getByText('9 / 13 done').waitFor();
    const failedTable = page.getByRole('table', { name: 'Failed items' });
    await failedTable.getByRole('row').nth(4).waitFor();
    expect(await failedTable.getByRole('row').count()).toBe(5);
    expect(await failedTable.textContent()).toContain('line 6: not JSON');
    expect(await failedTable.textContent()).toContain('answered 500');
    await screenshot(page, 'batch-detail-failed');

    failing = false;
    await page.getByRole('button', { name: 'Retry 3 failed' }).click();
    await page.getByText('12 / 13 done').waitFor();
    await page.getByRole('row').filter({ hasText: 'invalid' }).waitFor();
    expect(await failedTable.getByRole('row').count()).toBe(2);
    expect(target.requests).toHaveLength(15);
    await screenshot(page, 'batch-detail-retried');

    await page.getByRole('link', { name: 'Batches' }).click();
    const row = page
      .getByRole('table', { name: 'Batches' })
      .getByRole('row')
      .filter({ hasText: 'nightly scoring' });
    await row.waitFor();
    expect(await row.textContent()).toContain('12 / 13');
    expect(await row.getByLabel(/progress/).count()).toBe(1);
    await screenshot(page, 'batches-list');
  }, 60_000);

  it('replays a finished batch and shows the comparison item by item', async () => {
    const node = await startTestNode();
    let failing = 2;
    const target = await startHttpTarget((_req, res, body) => {
      res.statusCode = JSON.parse(body).n === failing ? 500 : 200;
      res.end('ok');
    });
    await createApp(node);
    const task = await node.api('POST', '/api/v1/tasks', {
      name: 'score articles',
      app: 'demo',
      type: 'http',
      config: { url: target.url, method: 'POST' },
      schedule: { type: 'api' },
      concurrency: { max: 10, overlap: 'allow' },
    });
    const content = [1, 2, 3, 4].map((n) => JSON.stringify({ n })).join('\n');
    const started = await node.api('POST', '/api/v1/batches', {
      taskId: task.body.id,
      name: 'baseline',
      concurrency: 2,
      source: { type: 'upload', format: 'jsonl', content },
    });
    const page = await openPage(`${node.url}/batches/${started.body.id}`);
    await signIn(page, ADMIN_TOKEN);
    await page.getByText('3 / 4 done').waitFor();

    // Now item 3 fails and item 2 no longer does.
    failing = 3;
    await page.getByRole('button', { name: 'Replay…' }).click();
    const dialog = page.getByRole('dialog', { name: `Replay batch ${started.body.id}` });
    const version = dialog.getByRole('textbox', { name: 'Workflow version (optional)' });
    // An HTTP task has no workflow version to pin: the field says so, nothing is created.
    await version.fill('7f1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d');
    await dialog.getByRole('button', { name: 'Replay 4 items' }).click();
    await dialog.getByText(/only a Dify workflow's runs can be pinned/).waitFor();
    expect((await node.api('GET', '/api/v1/batches')).body.items).toHaveLength(1);
    await version.fill('');
    await dialog.getByRole('button', { name: 'Replay 4 items' }).click();

    await page.getByRole('heading', { name: `replay of baseline` }).waitFor();
    await page.getByText('3 / 4 done').waitFor();
    await page.getByRole('link', { name: `Compare with batch ${started.body.id}` }).click();
    await page.getByRole('heading', { name: /^Compare batch \d+ and batch \d+$/ }).waitFor();
    const totals = page.getByLabel('Totals');
    expect(await totals.textContent()).toMatch(/Items4Improved1Regressed1Unchanged2/);
    const rows = page.getByRole('table', { name: 'Compared items' }).getByRole('row');
    await rows.filter({ hasText: 'regressed' }).waitFor();
    expect(await rows.filter({ hasText: 'improved' }).first().textContent()).toMatch(
      /^2improvedfailedsucceeded/,
    );
    expect(await rows.filter({ hasText: 'regressed' }).first().textContent()).toMatch(
      /^3regressedsucceededfailed/,
    );
    await screenshot(page, 'batch-compare');
  }, 60_000);
});
