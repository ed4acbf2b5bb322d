/**
 * Dead letters through the API, with real Dify runs on the simulator: a failed run with no
 * retry left is listed (filters, paging), redriven (a new run with its input, linked to it) or
 * discarded, each run answered on its own; bad requests are 400s naming the field.
 */
import { describe, expect, it } from 'vitest';
import { startTestNode, type TestNode } from '../support/test-node.js';
import { createDifyTask, startSim } from '../dify/support.js';

async function trigger(node: TestNode, taskId: number, input?: unknown) {
  const finished = node.waitFor(
    'run:finished',
    (p) => p.run.taskId === taskId && p.run.triggerType === 'api',
  );
  const res = await node.api('POST', `/api/v1/tasks/${taskId}/run`, input === undefined ? {} : { input });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  return (await finished).run;
}

describe('dead letters API', () => {
  it('lists, redrives and discards dead letters, keeping the history', async () => {
    const sim = await startSim();
    const node = await startTestNode();
    const failing = await createDifyTask(node, sim, 'app-failing', { task: { name: 'failing' } });
    const simple = await createDifyTask(node, sim, 'app-simple', { task: { name: 'simple' } });
    const a = await trigger(node, failing.body.id, { batch: 'a' });
    const b = await trigger(node, failing.body.id, { batch: 'b' });
    const ok = await trigger(node, simple.body.id);
    expect([a.status, b.status, ok.status]).toEqual(['failed', 'failed', 'succeeded']);

    const list = await node.api('GET', '/api/v1/dead-letters');
    expect(list.status).toBe(200);
    expect(list.body.items.map((d: any) => d.run.id)).toEqual([b.id, a.id]);
    expect(list.body.items[0]).toMatchObject({
      taskName: 'failing',
      state: 'open',
      handledAt: null,
      redriveRunId: null,
      run: { status: 'failed', input: { batch: 'b' }, error: { type: 'dify' } },
    });
    const paged = await node.api('GET', '/api/v1/dead-letters?limit=1');
    expect(paged.body.items.map((d: any) => d.run.id)).toEqual([b.id]);
    const next = await node.api('GET', `/api/v1/dead-letters?limit=1&cursor=${paged.body.nextCursor}`);
    expect(next.body.items.map((d: any) => d.run.id)).toEqual([a.id]);
    const filtered = await node.api(
      'GET',
      `/api/v1/dead-letters?namespace=default&taskId=${failing.body.id}&status=failed,timed_out&since=2000-01-01T00:00:00Z`,
    );
    expect(filtered.body.items).toHaveLength(2);
    expect((await node.api('GET', '/api/v1/dead-letters?status=lost')).body.items).toEqual([]);
    expect((await node.api('GET', '/api/v1/dead-letters?until=2000-01-01T00:00:00Z')).body.items).toEqual([]);

    // Redrive one (and two that are no dead letters): a result per run, in order.
    const redriven = node.waitFor('run:finished', (p) => p.run.triggerType === 'redrive');
    const redrive = await node.api('POST', '/api/v1/dead-letters/redrive', {
      runIds: [a.id, 999_999, ok.id],
    });
    expect(redrive.status, JSON.stringify(redrive.body)).toBe(200);
    const [done, unknown, notDead] = redrive.body.items;
    expect(done).toMatchObject({ runId: a.id, newRunId: expect.any(Number) });
    expect(unknown).toMatchObject({ runId: 999_999, error: { code: 'NOT_FOUND', field: 'runIds.1' } });
    expect(notDead).toMatchObject({ runId: ok.id, error: { code: 'NOT_FOUND', field: 'runIds.2' } });
    const { run: rerun } = await redriven;
    expect(rerun).toMatchObject({
      id: done.newRunId,
      triggerType: 'redrive',
      input: { batch: 'a' },
      attempt: 1,
    });
    const stored = (await node.api('GET', `/api/v1/runs/${rerun.id}`)).body;
    expect(stored).toMatchObject({ replayOf: a.id, triggerType: 'redrive', status: 'failed' });
    // Redriving it again is refused; it left the open list and the redrive is its own dead letter.
    const twice = await node.api('POST', '/api/v1/dead-letters/redrive', { runIds: [a.id] });
    expect(twice.body.items[0]).toMatchObject({
      error: { code: 'CONFLICT', field: 'runIds.0', message: `dead letter ${a.id} was redriven already` },
    });
    const open = await node.api('GET', '/api/v1/dead-letters');
    expect(open.body.items.map((d: any) => d.run.id)).toEqual([rerun.id, b.id]);
    const redrivenList = await node.api('GET', '/api/v1/dead-letters?state=redriven');
    expect(redrivenList.body.items).toHaveLength(1);
    expect(redrivenList.body.items[0]).toMatchObject({
      state: 'redriven',
      redriveRunId: rerun.id,
      handledBy: expect.any(String),
      run: { id: a.id },
    });

    // Discard: gone from the open list, kept under `discarded`.
    const discard = await node.api('POST', '/api/v1/dead-letters/discard', { runIds: [b.id, b.id] });
    expect(discard.body.items).toEqual([
      { runId: b.id, newRunId: null },
      { runId: b.id, error: expect.objectContaining({ code: 'CONFLICT', field: 'runIds.1' }) },
    ]);
    expect((await node.api('GET', '/api/v1/dead-letters')).body.items.map((d: any) => d.run.id)).toEqual([
      rerun.id,
    ]);
    const all = await node.api('GET', '/api/v1/dead-letters?state=all');
    expect(all.body.items.map((d: any) => [d.run.id, d.state])).toEqual([
      [rerun.id, 'open'],
      [b.id, 'discarded'],
      [a.id, 'redriven'],
    ]);
    await node.stop();
  });

  it('refuses bad requests with a 400 naming the field', async () => {
    const node = await startTestNode();
    const cases: [string, string, unknown, string][] = [
      ['POST', '/api/v1/dead-letters/redrive', { runIds: [] }, 'runIds'],
      ['POST', '/api/v1/dead-letters/redrive', { runIds: ['x'] }, 'runIds.0'],
      ['POST', '/api/v1/dead-letters/discard', {}, 'runIds'],
      ['POST', '/api/v1/dead-letters/discard', { runIds: [1], extra: true }, 'extra'],
      ['GET', '/api/v1/dead-letters?state=gone', undefined, 'state'],
      ['GET', '/api/v1/dead-letters?status=succeeded', undefined, 'status.0'],
      ['GET', '/api/v1/dead-letters?since=yesterday', undefined, 'since'],
      ['GET', '/api/v1/dead-letters?cursor=abc', undefined, 'cursor'],
    ];
    for (const [method, path, body, field] of cases) {
      const res = await node.api(method, path, body);
      expect(res.status, `${method} ${path}`).toBe(400);
      expect(res.body.error.field, `${method} ${path}: ${JSON.stringify(res.body)}`).toBe(field);
    }
    await node.stop();
  });
});
