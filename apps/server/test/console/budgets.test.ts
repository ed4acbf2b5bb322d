/**
 * The console's budget panel on a task's page and its Budgets and pools page, in a real browser
 * against a real node: a task with a budget shows where it stands; the page lists the budgets of
 * the namespace and its pools; budgets are added, edited and removed there, a bad field refused
 * in the form (by the browser, or by the server on the field it names) with nothing saved; a run
 * queued for its pool says so on its page.
 */
import { describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, createApp, startTestNode } from '../support/test-node.js';
import { chromiumAvailable, screenshot } from './browser.js';
import { pick, signIn, useConsoleBrowser } from './console-page.js';

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

  it('adds, edits and removes budgets of a task and a namespace, refusing bad fields', async () => {
    const node = await startTestNode();
    await createApp(node);
    const task = await node.api('POST', '/api/v1/tasks', {
      name: 'summaries',
      app: 'demo',
      type: 'http',
      config: { url: 'http://127.0.0.1:9/never' },
      schedule: { type: 'api' },
    });
    const budgetOfTask = async () => (await node.api('GET', `/api/v1/tasks/${task.body.id}`)).body.budget;
    const page = await openPage(`${node.url}/budgets`);
    await signIn(page, ADMIN_TOKEN);

    await page.getByRole('button', { name: 'Add a budget' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add a budget in default' });
    await pick(page, 'Task', 'summaries');
    const save = dialog.getByRole('button', { name: 'Save budget' });
    // Checked in the browser: neither tokens nor cost; a cost without its currency.
    await save.click();
    await dialog.getByText('set tokens, cost or both').waitFor();
    await dialog.getByRole('textbox', { name: 'Cost per period' }).fill('5');
    await save.click();
    await dialog.getByText('is required with a cost (e.g. USD)').waitFor();
    // Checked by the server, shown on the field it names: a currency that is not ISO 4217, a zone.
    await dialog.getByRole('textbox', { name: 'Currency' }).fill('XYZ');
    await save.click();
    await dialog.getByText(/must be an ISO 4217 currency code/).waitFor();
    await dialog.getByRole('textbox', { name: 'Currency' }).fill('USD');
    await dialog.getByRole('textbox', { name: 'Time zone' }).fill('Mars/Olympus');
    await save.click();
    await dialog.getByText(/must be an IANA time zone/).waitFor();
    expect(await budgetOfTask()).toBeNull();
    await dialog.getByRole('textbox', { name: 'Time zone' }).fill('Europe/Paris');
    await dialog.getByRole('textbox', { name: 'Cost per period' }).fill('');
    await dialog.getByRole('textbox', { name: 'Currency' }).fill('');
    await dialog.getByRole('textbox', { name: 'Tokens per period' }).fill('1000');
    await save.click();
    await page
      .getByLabel('budget of task summaries', { exact: true })
      .getByText('0 of 1,000 tokens per day')
      .waitFor();
    expect(await budgetOfTask()).toMatchObject({ tokens: 1000, period: 'day', timezone: 'Europe/Paris' });
    await screenshot(page, 'budget-added');

    await page.getByRole('button', { name: 'Edit budget (task summaries)' }).click();
    const edit = page.getByRole('dialog', { name: 'Budget of task summaries' });
    await edit.getByRole('textbox', { name: 'Tokens per period' }).fill('2000');
    await pick(page, 'Period', 'hour');
    await pick(page, 'Once used up', 'hold new runs until the next period');
    await screenshot(page, 'budget-edit');
    await edit.getByRole('button', { name: 'Save budget' }).click();
    await page
      .getByLabel('budget of task summaries', { exact: true })
      .getByText('0 of 2,000 tokens per hour')
      .waitFor();
    expect(await budgetOfTask()).toMatchObject({ tokens: 2000, period: 'hour', onExceeded: 'hold' });

    await page.getByRole('button', { name: 'Add a budget' }).click();
    await pick(page, 'On', 'the namespace default');
    const added = page.getByRole('dialog', { name: 'Add a budget in default' });
    await added.getByRole('textbox', { name: 'Cost per period' }).fill('50');
    await added.getByRole('textbox', { name: 'Currency' }).fill('usd');
    await pick(page, 'Period', 'month');
    await added.getByRole('button', { name: 'Save budget' }).click();
    await page
      .getByLabel('budget of namespace default', { exact: true })
      .getByText('0 of 50 USD per month')
      .waitFor();

    await page.getByRole('button', { name: 'Edit budget (task summaries)' }).click();
    await page
      .getByRole('dialog', { name: 'Budget of task summaries' })
      .getByRole('button', { name: 'Remove budget' })
      .click();
    await page
      .getByRole('dialog', { name: 'Remove budget' })
      .getByRole('button', { name: 'Remove budget' })
      .click();
    await page.getByLabel('budget of task summaries', { exact: true }).waitFor({ state: 'detached' });
    expect(await budgetOfTask()).toBeNull();
    await page.getByLabel('budget of namespace default', { exact: true }).waitFor();
  }, 60_000);

  it('shows a run queued for its pool as waiting, with the pool and since when', async () => {
    const node = await startTestNode();
    await createApp(node);
    await node.api('POST', '/api/v1/pools', { name: 'slow', requestsPerMinute: 1 });
    const task = await node.api('POST', '/api/v1/tasks', {
      name: 'paced',
      app: 'demo',
      type: 'http',
      config: { url: 'http://127.0.0.1:9/never' },
      schedule: { type: 'api' },
      concurrency: { max: 5, overlap: 'allow' },
      pool: 'slow',
    });
    const first = node.waitFor('run:finished', (p) => p.run.taskId === task.body.id);
    await node.api('POST', `/api/v1/tasks/${task.body.id}/run`, {});
    await first;
    // One request a minute: the second run waits, queued.
    const second = (await node.api('POST', `/api/v1/tasks/${task.body.id}/run`, {})).body.runId as number;
    await node.events.settle();
    expect((await node.api('GET', `/api/v1/runs/${second}`)).body.waiting).toMatchObject({ reason: 'pool' });

    const page = await openPage(`${node.url}/runs/${second}`);
    await signIn(page, ADMIN_TOKEN);
    const note = page.getByRole('alert', { name: 'Waiting' });
    await note.getByText('Queued: waiting for pool slow').waitFor();
    expect(await note.textContent()).toContain('requestsPerMinute 1 reached');
    expect(await note.textContent()).toContain('Waiting since');
    await screenshot(page, 'run-waiting-for-pool');
  }, 60_000);
});
