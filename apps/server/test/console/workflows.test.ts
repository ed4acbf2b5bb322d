/**
 * Workflows in the console, in a real browser against a real Kairos node and a real HTTP
 * server on 127.0.0.1: the empty list says what a workflow is; the editor refuses a cycle
 * before anything is sent; a workflow of three HTTP tasks (one an existing task, two inline)
 * is drawn, refused once by the server on the node it names, saved, run and watched to success
 * on the live graph, a node opens its run, and an edit saves a new version; a failed run is
 * resumed from its failed node. Every wait is on the page's DOM or URL.
 */
import { describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startTestNode } from '../support/test-node.js';
import { startHttpTarget } from '../support/http-target.js';
import { chromiumAvailable } from './browser.js';
import { pick, signIn, useConsoleBrowser } from './console-page.js';
import { addNode, drawEdge, edgeCount, selectNode, shot } from './workflow-editor-page.js';

const { openPage } = useConsoleBrowser();

describe.skipIf(!chromiumAvailable())('workflows in the console', () => {
  it('shows what a workflow is when there is none', async () => {
    const node = await startTestNode();
    const page = await openPage(node.url);
    await signIn(page, ADMIN_TOKEN);
    await page.getByRole('link', { name: 'Workflows' }).click();
    await page.getByRole('heading', { name: 'Workflows' }).waitFor();
    const empty = page.getByTestId('workflows-empty');
    await empty.getByText('No workflows yet').waitFor();
    expect(await empty.textContent()).toMatch(/each node is a task/);
    await shot(page, 'workflows-empty');
    await empty.getByRole('link', { name: 'Create a workflow' }).click();
    await page.waitForURL(/\/workflows\/new$/);
    await page.getByTestId('inspector-hint').getByText('Press “Add node” to start').waitFor();
  });

  it('refuses an edge that would close a cycle, naming it', async () => {
    const node = await startTestNode();
    const page = await openPage(`${node.url}/workflows/new`);
    await signIn(page, ADMIN_TOKEN);
    await page.getByRole('heading', { name: 'New workflow' }).waitFor();
    for (const key of ['a', 'b', 'c']) await addNode(page, key);
    await drawEdge(page, 'a', 'b');
    await drawEdge(page, 'b', 'c');
    await expect.poll(() => edgeCount(page)).toBe(2);
    await drawEdge(page, 'c', 'a');
    const refusal = page.getByRole('alert').filter({ hasText: 'Edge not added' });
    await refusal.waitFor();
    expect(await refusal.textContent()).toContain('cycle: c → a → b → c');
    expect(await edgeCount(page)).toBe(2);
    await shot(page, 'workflow-cycle-refused');
  });

  it('draws three HTTP tasks, saves, runs and follows the run on the graph, and opens a node’s run', async () => {
    const target = await startHttpTarget((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(req.url === '/tickets' ? JSON.stringify({ summary: '12 tickets, 2 urgent' }) : '{"ok":true}');
    });
    const node = await startTestNode();
    const app = await node.api('POST', '/api/v1/apps', { appName: 'support', name: 'Support' });
    expect(app.status).toBe(201);
    const task = await node.api('POST', '/api/v1/tasks', {
      name: 'post-summary',
      app: 'support',
      type: 'http',
      config: { method: 'POST', url: `${target.url}/post` },
      schedule: { type: 'api' },
    });
    expect(task.status, JSON.stringify(task.body)).toBe(201);

    const page = await openPage(`${node.url}/workflows`);
    await signIn(page, ADMIN_TOKEN);
    await page.getByRole('link', { name: 'New workflow' }).click();
    await page.getByRole('textbox', { name: 'Name' }).fill('daily-tickets');
    await pick(page, 'App', 'support');

    await addNode(page, 'summarise');
    const inspector = page.getByTestId('node-inspector');
    await inspector.getByRole('textbox', { name: 'Name' }).fill('Summarise tickets');
    await inspector
      .getByRole('textbox', { name: 'Config (JSON)' })
      .fill(JSON.stringify({ method: 'GET', url: `${target.url}/tickets` }));

    await addNode(page, 'post');
    await inspector.getByText('An existing task', { exact: true }).click();
    await pick(page, 'Task', 'post-summary (http)');
    // Not JSONata: the server refuses it, on this node.
    await inspector
      .getByRole('textbox', { name: 'Input mapping (JSONata)' })
      .fill('{ "summary": nodes.summarise.output.body.summary');

    await addNode(page, 'archive');
    await inspector
      .getByRole('textbox', { name: 'Config (JSON)' })
      .fill(JSON.stringify({ method: 'POST', url: `${target.url}/archive` }));

    await drawEdge(page, 'summarise', 'post');
    await drawEdge(page, 'summarise', 'archive');
    await expect.poll(() => edgeCount(page)).toBe(2);
    // Left to right by dependency: the two branches one above the other.
    await page.getByRole('button', { name: 'Arrange' }).click();

    await page.getByRole('button', { name: 'Check' }).click();
    const refused = page.locator('.react-flow__node[data-id="post"]').getByTestId('node-problem');
    await refused.waitFor();
    await shot(page, 'workflow-editor-refused');
    await selectNode(page, 'post');
    await inspector
      .getByRole('textbox', { name: 'Input mapping (JSONata)' })
      .fill('{ "summary": nodes.summarise.output.body.summary }');
    await page.getByRole('button', { name: 'Check' }).click();
    await page.getByText('The server accepts this workflow.').waitFor();
    await shot(page, 'workflow-editor');

    await page.getByRole('button', { name: 'Create workflow' }).click();
    await page.waitForURL(/\/workflows\/\d+$/);
    await page.getByRole('heading', { name: 'daily-tickets' }).waitFor();
    await page.getByTestId('run-node').nth(2).waitFor();
    await page.getByText('Not run yet').waitFor();
    await shot(page, 'workflow-detail');

    await page.getByRole('button', { name: 'Run once' }).click();
    await page.getByRole('button', { name: 'Run now' }).click();
    await page.waitForURL(/\/workflow-runs\/\d+$/);
    await page.getByRole('heading', { name: /Workflow run #\d+/ }).waitFor();
    // Live: the graph follows the run to its end without a reload.
    await expect
      .poll(() => page.getByTestId('run-node').filter({ hasText: 'succeeded' }).count(), { timeout: 15_000 })
      .toBe(3);
    await page.locator('h2 + .mantine-Badge-root', { hasText: 'succeeded' }).waitFor();
    await shot(page, 'workflow-run');
    const posted = target.requests.find((r) => r.url === '/post');
    expect(JSON.parse(posted!.body)).toMatchObject({ summary: '12 tickets, 2 urgent' });

    await page.getByTestId('run-node').filter({ hasText: 'Summarise tickets' }).click();
    await page.waitForURL(/\/runs\/\d+$/);
    await page.getByRole('heading', { name: /^Run #\d+$/ }).waitFor();
    await page.locator('.mantine-Badge-root', { hasText: 'succeeded' }).first().waitFor();
    // The node's run leads back to its workflow run.
    await page.getByRole('link', { name: /^#\d+, node summarise$/ }).waitFor();

    await page.getByRole('link', { name: 'Workflows' }).click();
    await page
      .getByTestId('workflow-row')
      .filter({ hasText: 'daily-tickets' })
      .getByText('succeeded')
      .waitFor();
    await shot(page, 'workflows');

    // An edit opens the saved graph where it was left and saves a new version.
    await page.getByRole('link', { name: 'daily-tickets' }).click();
    await page.getByRole('link', { name: 'Edit' }).click();
    await expect.poll(() => page.getByTestId('editor-node').count()).toBe(3);
    await page.getByRole('textbox', { name: 'Description' }).fill('Posts and archives the day’s summary');
    await page.getByRole('button', { name: 'Save workflow' }).click();
    await page.getByText('Posts and archives the day’s summary').waitFor();
    await page.locator('h2 + .mantine-Badge-root', { hasText: 'v2' }).waitFor();
  }, 120_000);
});

describe.skipIf(!chromiumAvailable())('a failed workflow run in the console', () => {
  it('shows the failed node in red and resumes from it, reusing what succeeded', async () => {
    let archiveCalls = 0;
    const target = await startHttpTarget((req, res) => {
      // The archive fails the first time only.
      const fail = req.url === '/archive' && archiveCalls++ === 0;
      res.statusCode = fail ? 503 : 200;
      res.setHeader('content-type', 'application/json');
      res.end(fail ? '{"error":"archive is down"}' : '{"ok":true}');
    });
    const node = await startTestNode();
    expect((await node.api('POST', '/api/v1/apps', { appName: 'support', name: 'Support' })).status).toBe(
      201,
    );
    const http = (path: string) => ({
      type: 'http',
      config: { method: 'POST', url: `${target.url}${path}` },
    });
    const created = await node.api('POST', '/api/v1/workflows', {
      name: 'nightly',
      app: 'support',
      nodes: [
        { key: 'fetch', task: http('/fetch') },
        { key: 'archive', task: http('/archive') },
      ],
      edges: [{ from: 'fetch', to: 'archive' }],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const run = await node.api('POST', `/api/v1/workflows/${created.body.id}/run`, {});
    expect(run.status, JSON.stringify(run.body)).toBe(201);

    const page = await openPage(`${node.url}/workflow-runs/${run.body.id}`);
    await signIn(page, ADMIN_TOKEN);
    await page.locator('h2 + .mantine-Badge-root', { hasText: 'failed' }).waitFor();
    await page.getByTestId('run-node').filter({ hasText: 'archive' }).filter({ hasText: 'failed' }).waitFor();
    await shot(page, 'workflow-run-failed');

    await page.getByRole('button', { name: 'Resume from failed nodes' }).click();
    await page.waitForURL((url) => !url.pathname.endsWith(`/workflow-runs/${run.body.id}`));
    await page.locator('h2 + .mantine-Badge-root', { hasText: 'succeeded' }).waitFor();
    await page.getByTestId('run-node').filter({ hasText: 'fetch' }).filter({ hasText: 'reused' }).waitFor();
    await page.getByText(`resume of #${run.body.id}`).waitFor();
    await page
      .getByTestId('run-node')
      .filter({ hasText: `result of #${run.body.id}` })
      .waitFor();
    expect(target.requests.filter((r) => r.url === '/fetch')).toHaveLength(1);
    await shot(page, 'workflow-run-resumed');
  }, 60_000);
});
