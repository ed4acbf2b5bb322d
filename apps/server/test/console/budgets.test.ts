/**
 * The console's budget panel on a task's page and its Budgets and pools page, in a real browser
 * against a real node: a task with a budget shows where it stands; the page lists the budgets of
 * the namespace and its pools.
 */
import { describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, createApp, startTestNode } from '../support/test-node.js';
import { chromiumAvailable, screenshot } from './browser.js';
import { signIn, useConsoleBrowser } from './console-page.js';

const { openPage } = useConsoleBrowser();

describe.skipIf(!chromiumAvailable())('the console’s budgets', () => {
  it('shows a task’s budget on its page and the namespace’s budgets and pools on their page', async () => {
    const node = await startTestNode();
    await createApp(node);
    expect((await node.api('POST', '/api/v1/pools', { name: 'openai', requestsPerMinute: 600 })).status).toBe(
      201,
    );
    const task = await node.api('POST', '/api/v1/tasks', {
      name: 'summaries',
      app: 'demo',
      type: 'http',
      config: { url: 'http://127.0.0.1:9/never' },
      schedule: { type: 'api' },
      pool: 'openai',
      budget: { tokens: 20_000, period: 'day', onExceeded: 'hold' },
    });
    expect(task.status).toBe(201);
    await node.api('PUT', '/api/v1/namespaces/default/budget', {
      budget: { cost: 50, currency: 'USD', period: 'month' },
    });

    const page = await openPage(`${node.url}/tasks/${task.body.id}`);
    await signIn(page, ADMIN_TOKEN);
    const meter = page.getByLabel('budget of task summaries');
    await meter.getByText('0 of 20,000 tokens per day').waitFor();
    await page.getByText('openai').first().waitFor();
    await screenshot(page, 'task-budget-panel');

    await page.getByRole('link', { name: 'Budgets and pools' }).click();
    await page.getByLabel('budget of namespace default').getByText('0 of 50 USD per month').waitFor();
    await page.getByLabel('budget of task summaries').waitFor();
    const pools = page.getByRole('table', { name: 'Pools' });
    await pools.getByRole('cell', { name: 'openai' }).waitFor();
    await pools.getByRole('cell', { name: '600' }).waitFor();
    await screenshot(page, 'budgets-page');
  });
});
