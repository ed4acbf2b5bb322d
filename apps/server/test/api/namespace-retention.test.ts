/**
 * GET and PUT /api/v1/namespaces/{name}/retention: settings kept per namespace over the server's
 * defaults, a PUT changing only what it names, and a clear 400 naming the field for bad input.
 */
import { describe, expect, it } from 'vitest';
import { startTestNode } from '../support/test-node.js';

describe('namespace retention API', () => {
  it("answers the namespace's settings and those in effect, the server's defaults where unset", async () => {
    const node = await startTestNode({ config: { retentionDays: 30, retentionLogDays: 0 } });
    const initial = await node.api('GET', '/api/v1/namespaces/default/retention');
    expect(initial.status).toBe(200);
    expect(initial.body).toEqual({
      namespace: 'default',
      keepDays: null,
      keepRunsPerTask: null,
      keepLogsDays: null,
      effective: { keepDays: 30, keepRunsPerTask: 0, keepLogsDays: 0 },
    });
    const set = await node.api('PUT', '/api/v1/namespaces/default/retention', {
      keepDays: 7,
      keepLogsDays: 2,
    });
    expect(set.status).toBe(200);
    const partial = await node.api('PUT', '/api/v1/namespaces/default/retention', { keepRunsPerTask: 100 });
    expect(partial.body).toEqual({
      namespace: 'default',
      keepDays: 7,
      keepRunsPerTask: 100,
      keepLogsDays: 2,
      effective: { keepDays: 7, keepRunsPerTask: 100, keepLogsDays: 2 },
    });
    const back = await node.api('PUT', '/api/v1/namespaces/default/retention', { keepDays: null });
    expect(back.body.effective.keepDays).toBe(30);
    expect((await node.api('GET', '/api/v1/namespaces/default/retention')).body).toEqual(back.body);
  });

  it('answers 400 naming the field for bad settings, 404 for an unknown namespace', async () => {
    const node = await startTestNode();
    const bad = async (body: unknown, field: string) => {
      const res = await node.api('PUT', '/api/v1/namespaces/default/retention', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'VALIDATION_ERROR', field });
    };
    await bad({ keepDays: -1 }, 'keepDays');
    await bad({ keepDays: 1.5 }, 'keepDays');
    await bad({ keepRunsPerTask: 'many' }, 'keepRunsPerTask');
    await bad({ keepLogsDays: 100_000 }, 'keepLogsDays');
    await bad({ keepForever: true }, 'keepForever');
    // Nothing was stored by the refused requests.
    expect((await node.api('GET', '/api/v1/namespaces/default/retention')).body.keepDays).toBeNull();
    expect((await node.api('GET', '/api/v1/namespaces/nope/retention')).status).toBe(404);
  });
});
