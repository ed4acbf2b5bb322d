/**
 * Child tasks in the console's task form: chosen by name in a multi-select, saved as the task's
 * `childTaskIds`, shown again when the task is edited; a chain back to the task is refused by
 * the server and its message shown on the field. Every wait is on the page, never a sleep.
 */
import { describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, createApp, startTestNode, type TestNode } from '../support/test-node.js';
import { chromiumAvailable, screenshot } from './browser.js';
import { pick, signIn, useConsoleBrowser } from './console-page.js';

const { openPage } = useConsoleBrowser();

async function task(node: TestNode, name: string, childTaskIds: number[] = []): Promise<number> {
  const created = await node.api('POST', '/api/v1/tasks', {
    name,
    app: 'demo',
    type: 'http',
    config: { url: 'http://127.0.0.1:9/' },
    schedule: { type: 'api' },
    childTaskIds,
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body.id as number;
}

describe.skipIf(!chromiumAvailable())('child tasks in the task form', () => {
  it('picks child tasks by name, saves them, shows them on edit, and shows a refused cycle on the field', async () => {
    const node = await startTestNode();
    await createApp(node);
    const archive = await task(node, 'archive');
    const notify = await task(node, 'notify');

    const page = await openPage(`${node.url}/tasks/new`);
    await signIn(page, ADMIN_TOKEN);
    await page.waitForURL(/\/tasks\/new/);
    await page.getByRole('textbox', { name: 'Name' }).fill('nightly export');
    await pick(page, 'App', 'demo');
    await page.getByRole('textbox', { name: 'URL' }).fill('http://127.0.0.1:9/export');
    await pick(page, 'Child tasks', 'archive');
    await page.keyboard.press('Escape');
    await pick(page, 'Child tasks', 'notify');
    await page.keyboard.press('Escape');
    await screenshot(page, 'task-form-children');
    await page.getByRole('button', { name: 'Create task' }).click();
    await page.waitForURL(/\/tasks\/\d+$/);
    const parent = Number(/\/tasks\/(\d+)$/.exec(page.url())![1]);
    expect((await node.api('GET', `/api/v1/tasks/${parent}`)).body.childTaskIds).toEqual([archive, notify]);

    // Editing `archive` to trigger the parent would make a loop: refused, named on the field.
    await page.goto(`${node.url}/tasks/${archive}?edit=true`);
    await page.getByRole('button', { name: 'Save task' }).waitFor();
    await pick(page, 'Child tasks', 'nightly export');
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Save task' }).click();
    const field = page.locator('.mantine-MultiSelect-error');
    await field.waitFor();
    expect(await field.textContent()).toContain('cycle');
    expect((await node.api('GET', `/api/v1/tasks/${archive}`)).body.childTaskIds ?? []).toEqual([]);

    // The parent's form shows its children by name; removing one saves the rest.
    await page.goto(`${node.url}/tasks/${parent}?edit=true`);
    const chosen = page.locator('.mantine-MultiSelect-pill');
    await expect.poll(() => chosen.allTextContents()).toEqual(['archive', 'notify']);
    await chosen.filter({ hasText: 'archive' }).locator('button').click();
    await page.getByRole('button', { name: 'Save task' }).click();
    await page.waitForURL(/\/tasks\/\d+$/);
    await expect
      .poll(async () => (await node.api('GET', `/api/v1/tasks/${parent}`)).body.childTaskIds)
      .toEqual([notify]);
  });
});
