/**
 * Driving the workflow editor's graph in a browser: add a node and give it a key, draw an edge
 * from one node's right handle to another's left (React Flow listens to the mouse, so the test
 * moves it as a person would), and read what the canvas holds.
 */
import { expect } from 'vitest';
import type { Page } from 'playwright-core';
import { screenshot } from './browser.js';

/** Adds a node (it opens in the inspector) and renames it to `key`. */
export async function addNode(page: Page, key: string): Promise<void> {
  const before = await page.locator('.react-flow__node').count();
  await page.getByRole('button', { name: 'Add node' }).click();
  await page.locator('.react-flow__node').nth(before).waitFor();
  const keyInput = page.getByTestId('node-inspector').getByRole('textbox', { name: 'Key' });
  await keyInput.fill(key);
  await keyInput.press('Enter');
  await page.locator(`.react-flow__node[data-id="${key}"]`).waitFor();
}

/** Opens a node in the inspector. */
export async function selectNode(page: Page, key: string): Promise<void> {
  await page.locator(`.react-flow__node[data-id="${key}"]`).click();
  const keyInput = page.getByTestId('node-inspector').getByRole('textbox', { name: 'Key' });
  await expect.poll(() => keyInput.inputValue()).toBe(key);
}

export async function drawEdge(page: Page, from: string, to: string): Promise<void> {
  // The mouse reaches only what is in the viewport.
  await page.getByTestId('workflow-editor-canvas').scrollIntoViewIfNeeded();
  const source = await page
    .locator(`.react-flow__node[data-id="${from}"] .react-flow__handle.source`)
    .boundingBox();
  const target = await page
    .locator(`.react-flow__node[data-id="${to}"] .react-flow__handle.target`)
    .boundingBox();
  if (!source || !target) throw new Error(`the handles of ${from} or ${to} are not on screen`);
  await page.mouse.move(source.x + source.width / 2, source.y + source.height / 2);
  await page.mouse.down();
  await page.mouse.move(target.x + target.width / 2, target.y + target.height / 2, { steps: 12 });
  await page.mouse.up();
}

export const edgeCount = (page: Page): Promise<number> => page.locator('.react-flow__edge').count();

/** A screenshot from the top of the page (a scrolled full-page picture shows the fixed header mid-page). */
export async function shot(page: Page, name: string): Promise<void> {
  await page.evaluate('window.scrollTo(0, 0)');
  await screenshot(page, name);
}
