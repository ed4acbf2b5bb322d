/**
 * The console's sign-in with a username and password (a cookie session) and its access pages,
 * in a real browser against a real Kairos node: an admin user signs in, creates an API token
 * (its secret shown once), a user, revokes the token, reads the audit log with each change's
 * before and after, reloads and is still signed in, signs out. A wrong password is refused.
 * Every wait is on the page's DOM or URL, never a sleep.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startTestNode } from '../support/test-node.js';
import { chromiumAvailable, ensureConsoleBuilt, launchChromium, screenshot } from './browser.js';

const PASSWORD = 'correct horse battery';

let browser: Browser;
let context: BrowserContext | undefined;
let current: Page | undefined;

beforeAll(async () => {
  ensureConsoleBuilt();
  browser = await launchChromium();
}, 120_000);
afterAll(async () => {
  await browser?.close();
});
afterEach(async ({ task }) => {
  if (task.result?.state === 'fail' && current) {
    await screenshot(current, `failed-${task.name.slice(0, 40).replace(/\W+/g, '-')}`).catch(() => undefined);
  }
  current = undefined;
  await context?.close();
  context = undefined;
});

async function openPage(url: string): Promise<Page> {
  context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  current = page;
  await page.goto(url);
  return page;
}

async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.getByLabel(/^Username\s*\*?$/).fill(username);
  await page.getByLabel(/^Password\s*\*?$/).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

describe.skipIf(!chromiumAvailable())('the console: users, tokens and the audit log', () => {
  it('signs an admin in with a password, manages tokens and users, and shows the audit log', async () => {
    const node = await startTestNode();
    await node.api('POST', '/api/v1/users', {
      username: 'root',
      password: PASSWORD,
      role: 'admin',
      namespaces: '*',
    });
    const page = await openPage(node.url);

    await signIn(page, 'root', 'not the password');
    await expect(page.getByRole('alert').textContent()).resolves.toContain('wrong username or password');

    await signIn(page, 'root', PASSWORD);
    await page.getByRole('link', { name: 'API tokens' }).click();
    await page.getByRole('button', { name: 'Create token' }).click();
    await page.getByLabel(/^Name\s*\*?$/).fill('ci');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    const secret = await page.getByTestId('access-token').textContent();
    expect(secret).toMatch(/^kairos_/);
    await screenshot(page, 'token-created');
    await page.getByRole('button', { name: 'Done' }).click();
    const row = page.getByRole('row', { name: /ci viewer default/ });
    await expect(row.textContent()).resolves.toContain(`kairos_****${secret!.slice(-4)}`);

    // The token works until it is revoked from the page.
    const withToken = () =>
      fetch(`${node.url}/api/v1/tasks`, { headers: { authorization: `Bearer ${secret}` } }).then(
        (r) => r.status,
      );
    expect(await withToken()).toBe(200);
    await row.getByRole('button', { name: 'Revoke' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke' }).click();
    await page
      .getByRole('row', { name: /ci viewer default/ })
      .getByText('revoked')
      .waitFor();
    expect(await withToken()).toBe(401);

    await page.getByRole('link', { name: 'Users' }).click();
    await page.getByRole('button', { name: 'Create user' }).click();
    await page.getByLabel(/^Username\s*\*?$/).fill('ann');
    await page.getByLabel(/^Password\s*\*?$/).fill('short');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await expect(page.getByText('at least 12 characters').first().isVisible()).resolves.toBe(true);
    await page.getByLabel(/^Password\s*\*?$/).fill(PASSWORD);
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await page.getByRole('row', { name: /ann viewer default password/ }).waitFor();

    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('row', { name: /root users\.create/ }).waitFor();
    await page
      .getByRole('row', { name: /tokens\.delete/ })
      .getByRole('button', { name: 'Before / after' })
      .click();
    await expect(page.getByText('revokedAt').count()).resolves.toBeGreaterThan(0);
    await screenshot(page, 'audit-log');

    // A reload keeps the session (its cookie); signing out ends it.
    await page.reload();
    await page.getByRole('heading', { name: 'Audit log' }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel(/^Username\s*\*?$/).waitFor();
    await page.reload();
    await page.getByLabel(/^Username\s*\*?$/).waitFor();
  });
});
