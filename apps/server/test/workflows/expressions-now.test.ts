/**
 * `Expressions.evaluateNow` answers without awaiting only where its answer is JSONata's: plain
 * paths of field names over objects. Checked against JSONata itself on the cases it answers,
 * and that it declines (undefined) where JSONata would do more than navigate fields.
 */
import { describe, expect, it } from 'vitest';
import { Expressions } from '../../src/workflows/expressions.js';

const context = {
  input: { items: [1, 2, 3], one: [7], nested: [[1, 2]], text: 'x', empty: [], nil: null },
  nodes: {
    fan: { status: 'succeeded', output: [{ a: 1 }, { a: 2 }] },
    obj: { output: { body: { ok: true } } },
  },
  item: { id: 4 },
};

describe('evaluateNow', () => {
  const expressions = new Expressions();

  it.each([
    'input.items',
    'input.one',
    'input.nested',
    'input.text',
    'input.empty',
    'input.missing',
    'input.missing.deeper',
    'nodes.obj.output.body.ok',
    'nodes.obj.output',
    'item',
    'item.id',
    'nodes',
  ])('%s: the value JSONata gives', async (text) => {
    const now = expressions.evaluateNow(text, context);
    expect(now).toBeDefined();
    const jsonata = await expressions.evaluate(text, context);
    expect(now!.value).toEqual(jsonata === undefined ? undefined : JSON.parse(JSON.stringify(jsonata)));
  });

  it.each([
    'nodes.fan.output.a', // maps over a list
    'input.nil.x', // navigates null
    'input.text.length', // navigates a string
    '$count(input.items)',
    'input.items[0]',
    '{ "a": input.text }',
    'input.items ~> $sum()',
    '$',
  ])('%s: declined, left to JSONata', (text) => {
    expect(expressions.evaluateNow(text, context)).toBeUndefined();
  });
});
