/**
 * An inline node's secrets are kept as a task's are: sealed in its hidden task, masked in the
 * stored definition and in every read, sent in clear only to the target; sent back masked (as
 * reads show it), the secret is kept and the node keeps its hidden task.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startHttpTarget } from '../support/http-target.js';
import { createApp, startTestNode, type TestNode } from '../support/test-node.js';

const TOKEN = 'Bearer inline-node-token-4242';

/** The stored definitions and the hidden tasks of node `call`, read from the database file. */
function stored(node: TestNode) {
  const db = new Database(join(node.dataDir, 'kairos.db'), { readonly: true });
  try {
    const definitions = db.prepare('SELECT definition FROM workflow_versions').all() as {
      definition: string;
    }[];
    const hidden = db.prepare("SELECT config FROM tasks WHERE name = 'with-token/call'").all() as {
      config: string;
    }[];
    return { definitions: definitions.map((d) => d.definition), hidden: hidden.map((t) => t.config) };
  } finally {
    db.close();
  }
}

async function runOnce(node: TestNode, workflowId: number): Promise<void> {
  const ended = node.waitFor('workflow_run:finished', (e) => e.run.workflowId === workflowId);
  const started = await node.api('POST', `/api/v1/workflows/${workflowId}/run`, {});
  expect(started.status, JSON.stringify(started.body)).toBe(201);
  await ended;
}

describe('inline node secrets', () => {
  it('are sealed at rest, masked in reads, sent to the target, and kept when sent back masked', async () => {
    const node = await startTestNode();
    await createApp(node);
    const sent: (string | undefined)[] = [];
    const target = await startHttpTarget((req, res) => {
      sent.push(req.headers.authorization);
      res.end('{}');
    });
    const created = await node.api('POST', '/api/v1/workflows', {
      name: 'with-token',
      app: 'demo',
      nodes: [
        {
          key: 'call',
          task: { type: 'http', config: { url: target.url, headers: { authorization: TOKEN } } },
        },
      ],
      edges: [],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const shown = created.body.nodes[0].task.config.headers.authorization as string;
    expect(shown).not.toContain('inline-node-token');
    expect(shown).toMatch(/^\*+4242$/);

    await runOnce(node, created.body.id);
    expect(sent).toEqual([TOKEN]);

    // Nowhere in the database is the token in clear.
    const first = stored(node);
    expect(first.definitions).toHaveLength(1);
    expect(first.hidden).toHaveLength(1);
    for (const text of [...first.definitions, ...first.hidden])
      expect(text).not.toContain('inline-node-token');

    // The definition sent back as read, with only the description changed: the token is kept,
    // and so is the node's hidden task.
    const read = (await node.api('GET', `/api/v1/workflows/${created.body.id}`)).body;
    const updated = await node.api('PATCH', `/api/v1/workflows/${created.body.id}`, {
      description: 'same node',
      nodes: read.nodes,
      edges: read.edges,
    });
    expect(updated.status, JSON.stringify(updated.body)).toBe(200);
    expect(updated.body.version).toBe(2);
    expect(stored(node)).toMatchObject({ definitions: { length: 2 }, hidden: first.hidden });
    await runOnce(node, created.body.id);
    expect(sent).toEqual([TOKEN, TOKEN]);

    // A new value replaces it (a new hidden task for the changed node).
    const changed = await node.api('PATCH', `/api/v1/workflows/${created.body.id}`, {
      nodes: [
        {
          key: 'call',
          task: {
            type: 'http',
            config: { url: target.url, headers: { authorization: 'Bearer other-9999' } },
          },
        },
      ],
      edges: [],
    });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect(stored(node).hidden).toHaveLength(2);
    await runOnce(node, created.body.id);
    expect(sent.at(-1)).toBe('Bearer other-9999');
  });
});
