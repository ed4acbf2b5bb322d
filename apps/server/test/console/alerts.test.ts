/**
 * The console's alerting pages in a real browser against a real node and a real webhook receiver
 * on 127.0.0.1: a contact made on its page is refused a bad webhook URL (the error on the field,
 * nothing saved), then receives "Send a test", and the test is in the history with its delivery;
 * a failure rule made on a task's rules page raises an alert when the task fails, delivered and
 * shown `sent` in the history; a contact group and a threshold rule on an app are made, the rule
 * refused without anyone to tell, muted, unmuted, disabled and changed to another `on`. Every wait
 * is on the page, the receiver or the store, never a sleep.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { startReceiver } from '../alerts/receivers.js';
import { startHttpTarget } from '../support/http-target.js';
import { ADMIN_TOKEN, createApp, startTestNode } from '../support/test-node.js';
import { chromiumAvailable, screenshot } from './browser.js';
import { pick, signIn, useConsoleBrowser } from './console-page.js';

const { openPage } = useConsoleBrowser();
const SECRET = 'console-test-secret';
// The receiver is on loopback: the destination policy must allow it (the default, said here).
const CONFIG = { webhookAllowLoopback: true };

describe.skipIf(!chromiumAvailable())('the console’s alerting pages', () => {
  it('refuses a bad webhook URL on its field, then sends a test to the contact and shows it in the history', async () => {
    const receiver = await startReceiver();
    const node = await startTestNode({ config: CONFIG });
    const page = await openPage(`${node.url}/contacts`);
    await signIn(page, ADMIN_TOKEN);
    await page.getByText('No contacts yet').waitFor();

    await page.getByRole('button', { name: 'New contact' }).click();
    const dialog = page.getByRole('dialog', { name: 'New contact' });
    await dialog.getByRole('textbox', { name: 'Name' }).fill('ops hook');
    const url = dialog.getByRole('textbox', { name: 'Webhook URL' });
    for (const bad of ['ftp://example.com/hook', 'http://169.254.169.254/latest/meta-data']) {
      await url.fill(bad);
      await dialog.getByRole('button', { name: 'Create contact' }).click();
      // Mantine links an input to its error message with aria-describedby.
      // The second refusal replaces the first: wait for the input to name an error again (typing
      // clears it) rather than read it while the request is still under way.
      const errorId = async () =>
        ((await url.getAttribute('aria-describedby')) ?? '').split(' ').find((id) => id.endsWith('-error'));
      // Read in one poll: the form clears its errors when it submits and sets the server's
      // once it answers, so an id read before may name nothing for a moment.
      const errorText = async () => {
        const id = await errorId();
        return id === undefined ? '' : ((await dialog.locator(`[id="${id}"]`).textContent()) ?? '');
      };
      await expect.poll(errorText).toMatch(/webhook|URL|refused|address/i);
      await expect.poll(() => url.getAttribute('aria-invalid')).toBe('true');
      await screenshot(page, `contact-bad-webhook-${bad.startsWith('ftp') ? 'scheme' : 'metadata'}`);
    }
    expect((await node.api('GET', '/api/v1/contacts')).body.items).toEqual([]);

    await url.fill(`${receiver.url}/hook`);
    await dialog.getByLabel('Secret').fill(SECRET);
    await dialog.getByRole('button', { name: 'Create contact' }).click();
    const row = page.getByTestId('contact-row').filter({ hasText: 'ops hook' });
    await row.waitFor();
    await screenshot(page, 'contacts');

    await row.getByRole('button', { name: 'Send a test' }).click();
    const [request] = await receiver.waitFor(1);
    const timestamp = request!.headers['x-kairos-timestamp'] as string;
    const signature = createHmac('sha256', SECRET).update(`${timestamp}.${request!.body}`).digest('hex');
    expect(request!.headers['x-kairos-signature']).toBe(`sha256=${signature}`);
    expect(JSON.parse(request!.body)).toMatchObject({ state: 'test', on: 'test' });
    const test = page.getByRole('dialog', { name: 'Test alert to ops hook' });
    await test.getByTestId('delivery-row').filter({ hasText: 'sent' }).waitFor();
    await screenshot(page, 'contact-test-sent');

    await test.getByRole('link', { name: 'alert history' }).click();
    await page.waitForURL(/\/alerts\?alert=\d+/);
    const details = page.getByTestId('alert-details');
    await details
      .getByTestId('delivery-row')
      .filter({ hasText: `${receiver.url}/hook` })
      .waitFor();
    expect(await details.getByTestId('delivery-row').textContent()).toContain('sent');
    await page.keyboard.press('Escape');
    await page.waitForURL((u) => !u.search.includes('alert='));
    const alertRow = page.getByTestId('alert-row');
    await alertRow.filter({ hasText: 'a test' }).waitFor();
    expect(await alertRow.count()).toBe(1);
    expect(await alertRow.textContent()).toContain('1 sent');
    expect(receiver.received).toHaveLength(1);
  }, 60_000);

  it('makes a failure rule on a task’s rules page, and the task’s failure is alerted and shown sent', async () => {
    const receiver = await startReceiver();
    const target = await startHttpTarget((_req, res) => {
      res.statusCode = 503;
      res.end('down');
    });
    const node = await startTestNode({ config: CONFIG });
    await createApp(node, 'billing');
    const task = await node.api('POST', '/api/v1/tasks', {
      name: 'nightly-report',
      app: 'billing',
      type: 'http',
      config: { url: `${target.url}/report`, method: 'POST' },
      schedule: { type: 'api' },
    });
    expect(task.status).toBe(201);
    const contact = await node.api('POST', '/api/v1/contacts', {
      name: 'ops hook',
      webhook: { url: `${receiver.url}/hook`, kind: 'generic' },
    });
    expect(contact.status).toBe(201);

    const page = await openPage(`${node.url}/tasks/${task.body.id}`);
    await signIn(page, ADMIN_TOKEN);
    await page.getByRole('link', { name: 'Alert rules for this task' }).click();
    await page.waitForURL(/\/alert-rules\?taskId=\d+/);
    await page.getByText('No rule for this task yet').waitFor();
    await page.getByRole('button', { name: 'New rule' }).click();
    const dialog = page.getByRole('dialog', { name: 'New alert rule' });
    await dialog.getByRole('textbox', { name: 'Name' }).fill('report fails');
    // The task's page opened the form on that task; failure takes no threshold, window or budget.
    expect(await dialog.getByLabel('Task', { exact: true }).inputValue()).toBe('nightly-report');
    expect(await dialog.getByText('Threshold').count()).toBe(0);
    await pick(page, 'Notify contacts', 'ops hook');
    await page.keyboard.press('Escape');
    await screenshot(page, 'alert-rule-form');
    await dialog.getByRole('button', { name: 'Create rule' }).click();
    const ruleRow = page.getByTestId('rule-row').filter({ hasText: 'report fails' });
    await ruleRow.waitFor();
    expect(await ruleRow.textContent()).toContain('task nightly-report');
    await screenshot(page, 'alert-rules');
    const rules = await node.api('GET', '/api/v1/alert-rules');
    expect(rules.body.items).toMatchObject([
      {
        name: 'report fails',
        on: 'failure',
        scope: { taskId: task.body.id },
        notify: { contacts: [contact.body.id] },
      },
    ]);

    const run = await node.api('POST', `/api/v1/tasks/${task.body.id}/run`, {});
    const [request] = await receiver.waitFor(1);
    expect(JSON.parse(request!.body)).toMatchObject({
      state: 'firing',
      on: 'failure',
      runId: run.body.runId,
    });

    await page.getByRole('link', { name: 'History' }).click();
    const alertRow = page.getByTestId('alert-row').filter({ hasText: 'report fails' });
    await alertRow.filter({ hasText: '1 sent' }).waitFor();
    expect(await alertRow.textContent()).toContain('firing');
    expect(await alertRow.getByRole('link', { name: 'nightly-report' }).getAttribute('href')).toBe(
      `/tasks/${task.body.id}`,
    );
    await alertRow.getByRole('button', { name: 'Details' }).click();
    const details = page.getByTestId('alert-details');
    await details.getByTestId('delivery-row').filter({ hasText: 'sent' }).waitFor();
    expect(await details.textContent()).toContain('503');
    await screenshot(page, 'alert-details');
  }, 60_000);

  it('makes a contact group and a threshold rule on an app, then mutes, unmutes, disables and changes it', async () => {
    const node = await startTestNode({ config: CONFIG });
    await createApp(node, 'billing');
    for (const name of ['alice', 'bob']) {
      const res = await node.api('POST', '/api/v1/contacts', { name, email: `${name}@example.com` });
      expect(res.status).toBe(201);
    }
    const page = await openPage(`${node.url}/contact-groups`);
    await signIn(page, ADMIN_TOKEN);
    await page.getByText('No contact groups yet').waitFor();
    await page.getByRole('button', { name: 'New group' }).click();
    const groupForm = page.getByRole('dialog', { name: 'New contact group' });
    await groupForm.getByRole('textbox', { name: 'Name' }).fill('on-call');
    await pick(page, 'Members', 'alice');
    await page.getByRole('option', { name: 'bob', exact: true }).click();
    await page.keyboard.press('Escape');
    await groupForm.getByRole('button', { name: 'Create group' }).click();
    await page.getByTestId('group-row').filter({ hasText: 'alice, bob' }).waitFor();
    await screenshot(page, 'contact-groups');

    await page.getByRole('link', { name: 'Rules' }).click();
    await page.getByText('No alert rules yet').waitFor();
    await page.getByRole('button', { name: 'New rule' }).click();
    const form = page.getByRole('dialog', { name: 'New alert rule' });
    await form.getByRole('textbox', { name: 'Name' }).fill('billing failing');
    await pick(page, 'On', 'failure_rate');
    // failure_rate takes a threshold and a window, and no silence.
    await form.getByLabel('Window (minutes)').waitFor();
    expect(await form.getByLabel('Silence (seconds)').count()).toBe(0);
    await form.locator('label', { hasText: /^app$/ }).click();
    await pick(page, 'App', 'billing');
    await form.getByLabel('Threshold').fill('0.5');
    await form.getByLabel('Window (minutes)').fill('30');
    // Nobody to tell: the server's error is shown on the contacts field, and nothing is saved.
    await form.getByRole('button', { name: 'Create rule' }).click();
    await form.getByText('name at least one contact or group').waitFor();
    expect((await node.api('GET', '/api/v1/alert-rules')).body.items).toEqual([]);
    await pick(page, 'Notify groups', 'on-call');
    await page.keyboard.press('Escape');
    await screenshot(page, 'alert-rule-form-threshold');
    await form.getByRole('button', { name: 'Create rule' }).click();
    const row = page.getByTestId('rule-row').filter({ hasText: 'billing failing' });
    await row.filter({ hasText: '0.5 in 30 min' }).waitFor();
    expect(await row.textContent()).toContain('group on-call');
    const [created] = (await node.api('GET', '/api/v1/alert-rules')).body.items;
    expect(created).toMatchObject({
      scope: { app: 'billing' },
      on: 'failure_rate',
      threshold: 0.5,
      windowSeconds: 1800,
    });
    const rule = async () => (await node.api('GET', `/api/v1/alert-rules/${created.id}`)).body;

    await row.getByRole('button', { name: 'Mute' }).click();
    await page.getByRole('menuitem', { name: '1 hour' }).click();
    await row.getByRole('button', { name: 'Unmute' }).waitFor();
    expect((await rule()).mutedUntil).not.toBeNull();
    await screenshot(page, 'alert-rules-muted');
    await row.getByRole('button', { name: 'Unmute' }).click();
    await row.getByRole('button', { name: 'Mute' }).waitFor();
    expect((await rule()).mutedUntil).toBeNull();

    // Mantine draws the switch over a visually hidden checkbox: the click goes to the input itself.
    await row.getByRole('switch', { name: 'Enabled: billing failing' }).click({ force: true });
    await expect.poll(async () => (await rule()).enabled).toBe(false);

    await row.getByRole('button', { name: 'Edit' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit rule billing failing' });
    await pick(page, 'On', 'executors_online');
    expect(await edit.getByLabel('Window (minutes)').count()).toBe(0);
    await edit.getByLabel('Threshold').fill('2');
    await edit.getByRole('button', { name: 'Save rule' }).click();
    await row.filter({ hasText: 'executors_online' }).waitFor();
    expect(await rule()).toMatchObject({
      on: 'executors_online',
      threshold: 2,
      windowSeconds: null,
      enabled: false,
    });

    // Nothing fired: the history says how alerts come about, and links to the rules.
    await page.getByRole('link', { name: 'History' }).click();
    await page.getByText('No alert yet').waitFor();
    await screenshot(page, 'alerts-empty');
  }, 60_000);
});
