/**
 * The console's batches in a real browser against a real node and a receiver on 127.0.0.1: a
 * batch started from a task's page by uploading a JSONL file (a bad line reported, the rest run),
 * its page with progress, the failed-items table, retry of the failed items, and the list with
 * its progress bars. Every wait is on the page or the receiver, never a sleep.
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
});
