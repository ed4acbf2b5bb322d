/**
 * The `budget` alert rule: the threshold evaluator fires once at 80 % and once at 100 % of a
 * task's budget (runs against the Dify simulator, usage from their settlements).
 */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { createDifyTask, runOnce, startSim } from '../dify/support.js';
import { eventually } from '../support/eventually.js';
import { startTestNode } from '../support/test-node.js';

const EVALUATE_MS = 1000;

describe('budget alerts', () => {
  it('fires at 80 % and at 100 % of the budget, once each', async () => {
    const clock = new ManualClock(Date.parse('2026-06-01T10:00:00.000Z'));
    const sim = await startSim();
    const node = await startTestNode({ clock, config: { alertEvaluateMs: EVALUATE_MS } });
    const task = await createDifyTask(node, sim, 'app-simple', {
      task: { budget: { tokens: 400, period: 'day' } },
    });
    const taskId = task.body.id as number;
    const contact = await node.api('POST', '/api/v1/contacts', { name: 'ann', email: 'ann@example.com' });
    const rule = await node.api('POST', '/api/v1/alert-rules', {
      name: 'budget of the report',
      scope: { taskId },
      on: 'budget',
      notify: { contacts: [contact.body.id], channels: ['email'] },
    });
    expect(rule.status).toBe(201);
    const summaries = async () =>
      ((await node.api('GET', '/api/v1/alerts')).body.items as any[])
        .filter((a) => a.on === 'budget')
        .map((a) => `${a.state} ${a.facts?.summary ?? a.summary}`)
        .sort();

    await runOnce(node, taskId); // 326 of 400 tokens: 81.5 %
    clock.advance(EVALUATE_MS);
    await eventually(async () => expect(await summaries()).toHaveLength(1));
    expect((await summaries())[0]).toMatch(
      /^firing 80 % of the daily budget of task .+ used \(326 of 400 tokens\); it resets at 2026-06-02T00:00:00.000Z$/,
    );

    await runOnce(node, taskId); // 652 of 400
    clock.advance(EVALUATE_MS);
    await eventually(async () => expect(await summaries()).toHaveLength(2));
    expect(await summaries()).toContainEqual(
      expect.stringMatching(/^firing 100 % of the daily budget of task .+ used \(652 of 400 tokens\)/),
    );

    // Another pass says nothing new.
    clock.advance(EVALUATE_MS);
    await node.events.settle();
    clock.advance(EVALUATE_MS);
    await eventually(async () => expect(await summaries()).toHaveLength(2));
  });
});
