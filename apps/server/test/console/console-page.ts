/**
 * What every console browser test does: one Chromium per test file, a fresh context per test
 * (a failed test leaves a screenshot of where it stopped), signing in, and picking an option of
 * a Mantine Select or MultiSelect by its label.
 */
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ensureConsoleBuilt, launchChromium, screenshot } from './browser.js';

/** Registers the file's browser hooks; `openPage` opens a new context and page at `url`. */
export function useConsoleBrowser(): { openPage(url: string): Promise<Page> } {
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
      await screenshot(current, `failed-${task.name.slice(0, 40).replace(/\W+/g, '-')}`).catch(
        () => undefined,
      );
    }
    current = undefined;
    await context?.close();
    context = undefined;
  });

  return {
    async openPage(url: string): Promise<Page> {
      context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
      const page = await context.newPage();
      page.setDefaultTimeout(15_000);
      current = page;
      await page.goto(url);
      return page;
    },
  };
}

export async function signIn(page: Page, token: string): Promise<void> {
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Mantine's Select or MultiSelect: the input its <label> names (the label may carry a required asterisk). */
export async function pick(page: Page, label: string, option: string): Promise<void> {
  const id = await page
    .locator('label', { hasText: new RegExp(`^${label}\\s*\\*?$`) })
    .first()
    .getAttribute('for');
  await page.locator(`[id="${id}"]`).click();
  await page.getByRole('option', { name: option, exact: true }).click();
}
