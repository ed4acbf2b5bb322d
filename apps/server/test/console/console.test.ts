/**
 * The console in a real browser against a real Kairos node and the bundled Dify simulator: sign
 * in, create an app, create a Dify task on the iteration scenario, run it once, open the run's
 * Track and expand Round 2; the dashboard charts the run; a wrong token is refused. Every wait
 * is on the page's DOM or URL, never a sleep.
 */
import { describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startTestNode } from '../support/test-node.js';
import { startSim } from '../dify/support.js';
import { chromiumAvailable, screenshot } from './browser.js';
import { pick, signIn, useConsoleBrowser } from './console-page.js';

const { openPage } = useConsoleBrowser();

describe.skipIf(!chromiumAvailable())('the web console', () => {
  it('refuses a wrong token with a clear message', async () => {
    const node = await startTestNode();
    const page = await openPage(node.url);
    await signIn(page, 'not-the-admin-token-at-all');
    await expect(page.getByRole('alert').textContent()).resolves.toContain('refused this token');
    await expect(page.getByLabel('API token').isVisible()).resolves.toBe(true);
    await screenshot(page, 'sign-in-refused');
  });

  it('creates an app and a Dify task, runs it, drills into Round 2 of the iteration, and charts it', async () => {
    const sim = await startSim();
    const node = await startTestNode();
    // A deep link survives the sign-in form.
    const page = await openPage(`${node.url}/apps`);
    await signIn(page, ADMIN_TOKEN);
    await page.getByRole('heading', { name: 'Apps' }).waitFor();
    await page.getByText('No apps yet').waitFor();

    await page.getByRole('button', { name: 'Create app' }).click();
    await page.getByRole('textbox', { name: 'App name' }).fill('demo');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    const token = await page.getByTestId('access-token').textContent();
    expect(token?.length).toBeGreaterThan(16);
    await screenshot(page, 'app-created');
    await page.getByRole('button', { name: 'Done' }).click();
    await page.getByRole('link', { name: 'demo' }).waitFor();

    await page.getByRole('link', { name: 'Tasks' }).click();
    await page.getByRole('link', { name: 'New task' }).click();
    await page.waitForURL(/\/tasks\/new/);
    await page.getByRole('textbox', { name: 'Name' }).fill('cities');
    await pick(page, 'App', 'demo');
    await pick(page, 'Job type', 'dify_workflow');
    await page.getByRole('textbox', { name: 'Dify API endpoint' }).fill(`${sim.url}/v1`);
    await page.getByRole('textbox', { name: 'API key' }).fill('app-iteration');
    await page.getByRole('textbox', { name: 'Cron expression' }).fill('0 30 2 * * ?');
    await pick(page, 'Time zone', 'Europe/Berlin');
    const preview = page.getByTestId('schedule-preview');
    await preview.getByText('Next 10 fire times in Europe/Berlin').waitFor();
    expect(await preview.textContent()).toMatch(/Fires\s+at 02:30:00/);
    await screenshot(page, 'task-form');
    await page.getByRole('button', { name: 'Create task' }).click();
    await page.waitForURL(/\/tasks\/\d+$/);
    await page.getByRole('heading', { name: 'cities' }).waitFor();

    await page.getByRole('button', { name: 'Run once' }).click();
    await page.getByRole('button', { name: 'Run now' }).click();
    await page.waitForURL(/\/runs\/\d+/);
    await page.getByRole('heading', { name: /Run #\d+/ }).waitFor();
    // Live: the page follows the run to its end without a reload.
    await page.locator('.mantine-Badge-root', { hasText: 'succeeded' }).first().waitFor();

    await page.getByRole('tab', { name: 'Track' }).click();
    await page.waitForURL(/tab=track/);
    const track = page.getByTestId('track');
    await track.getByText('Each city').waitFor();
    const before = await track.getByTestId('track-node').count();
    await track.getByRole('button', { name: /Round 2/ }).click();
    await expect.poll(() => track.getByTestId('track-node').count()).toBe(before + 2);
    await track.getByTestId('track-node').filter({ hasText: 'Describe' }).first().click();
    await page.getByTestId('node-details').getByRole('heading', { name: 'Describe' }).waitFor();
    await screenshot(page, 'run-track-round-2');

    // Reload keeps the tab (deep link).
    await page.reload();
    await page.getByTestId('track').getByText('Each city').waitFor();

    await page.getByRole('link', { name: 'Dashboard' }).click();
    await page.getByTestId('runs-chart').locator('.recharts-bar-rectangle').first().waitFor();
    await screenshot(page, 'dashboard');

    // The other pages, as a user walks them: each loads its data and shows it.
    await page.getByRole('link', { name: 'Runs' }).click();
    await page.getByTestId('run-row').first().waitFor();
    await screenshot(page, 'runs');
    await page.getByRole('link', { name: 'Tasks' }).click();
    await page.getByRole('link', { name: 'cities' }).waitFor();
    await screenshot(page, 'tasks');
    await page.goto(`${node.url}/apps/demo`);
    await page.getByText('No executor has registered for this app').waitFor();
    await screenshot(page, 'app-detail');
    await page.getByRole('link', { name: 'Calendars' }).click();
    await page.getByRole('textbox', { name: 'New calendar' }).fill('holidays');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    const day = page.getByRole('button', { name: /^\d{4}-\d{2}-15$/ }).first();
    await day.click();
    await page.getByRole('button', { name: 'Save dates' }).click();
    await page.getByText('1 dates · UTC').waitFor();
    await screenshot(page, 'calendars');
    await page.getByRole('link', { name: 'Executors' }).click();
    await page.getByText('No executor has registered').waitFor();
  }, 120_000);
});
