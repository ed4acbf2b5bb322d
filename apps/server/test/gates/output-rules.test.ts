/** The output gate's rules and the judge's answer, as pure functions. */
import { describe, expect, it } from 'vitest';
import { checkOutputRules } from '../../src/gates/output-rules.js';
import { judgeAnswer, judgeFailure, judgeInput } from '../../src/gates/judge-answer.js';
import { schemaProblem } from '../../src/gates/json-schema.js';

const verdicts = (checks: { rule: string; path: string | null; passed: boolean }[]) =>
  checks.map((c) => `${c.rule}:${c.path ?? ''}:${c.passed ? 'ok' : 'fail'}`);

describe('output rules', () => {
  it('checks ranges on numbers and numeric text, and fails what is missing or not a number', () => {
    const checks = checkOutputRules(
      {
        ranges: [
          { path: 'score', min: 0, max: 1 },
          { path: 'count', min: 10 },
          { path: 'text', max: 5 },
          { path: 'missing', min: 0 },
          { path: 'nested.0.v', max: 3 },
        ],
      },
      { score: 0.5, count: '7', text: 'abc', nested: [{ v: 3 }] },
    );
    expect(verdicts(checks)).toEqual([
      'range:score:ok',
      'range:count:fail',
      'range:text:fail',
      'range:missing:fail',
      'range:nested.0.v:ok',
    ]);
    expect(checks[1]!.message).toBe('count is 7, below the minimum 10');
    expect(checks[2]!.message).toBe('text is not a number ("abc")');
    expect(checks[3]!.message).toBe('missing is not a number (missing)');
  });

  it('checks patterns, lengths and emptiness', () => {
    const checks = checkOutputRules(
      {
        required: ['a', 'b', 'c', 'd', 'e'],
        patterns: [
          { path: 'a', pattern: '^HELLO', flags: 'i' },
          { path: 'n', pattern: '\\d' },
        ],
        maxLength: [{ path: 'list', max: 2 }, { max: 10 }],
      },
      { a: 'hello world', b: '  ', c: [], d: {}, n: 5, list: [1, 2, 3] },
    );
    expect(verdicts(checks)).toEqual([
      'required:a:ok',
      'required:b:fail',
      'required:c:fail',
      'required:d:fail',
      'required:e:fail',
      'pattern:a:ok',
      'pattern:n:fail',
      'maxLength:list:fail',
      'maxLength::fail',
    ]);
    expect(checks[4]!.message).toBe('e is missing');
    expect(checks[7]!.message).toBe('list is 3 long, over the maximum 2');
  });

  it('validates JSON Schema draft-07 and 2020-12 with formats', () => {
    const gate = {
      jsonSchema: {
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        type: 'object',
        properties: {
          at: { type: 'string', format: 'date-time' },
          tags: { type: 'array', prefixItems: [{ type: 'string' }] },
        },
      },
    };
    expect(checkOutputRules(gate, { at: '2026-03-15T06:00:00Z', tags: ['a'] })[0]!.passed).toBe(true);
    const bad = checkOutputRules(gate, { at: 'yesterday', tags: [1] })[0]!;
    expect(bad.passed).toBe(false);
    expect(bad.message).toContain('at must match format "date-time"');
    expect(bad.message).toContain('tags.0 must be string');
    expect(schemaProblem({ type: 'string', minLength: 'x' })).toEqual({
      path: 'minLength',
      message: 'must be integer',
    });
    expect(schemaProblem({ $ref: '#/definitions/missing' })?.message).toContain("can't resolve reference");
    expect(schemaProblem({ type: 'object' })).toBeNull();
  });
});

describe('the judge', () => {
  const run = { id: 9, status: 'succeeded' };
  it('passes on a "pass" verdict, or a score that reaches the threshold', () => {
    expect(judgeAnswer({ taskId: 1 }, run, { verdict: ' PASS ' }).passed).toBe(true);
    expect(judgeAnswer({ taskId: 1 }, run, { verdict: 'fail', score: 1 }).passed).toBe(false);
    expect(judgeAnswer({ taskId: 1, threshold: 0.8 }, run, { score: '0.8' }).passed).toBe(true);
    expect(judgeAnswer({ taskId: 1, threshold: 0.8 }, run, { score: 0.79, verdict: 'pass' }).passed).toBe(
      false,
    );
  });

  it('fails when the judge run did not succeed or gave no answer, saying which', () => {
    const failed = judgeAnswer({ taskId: 1 }, { id: 9, status: 'failed' }, { verdict: 'pass' });
    expect(failed.passed).toBe(false);
    expect(judgeFailure(failed)).toBe('the judge (task 1, run 9) did not answer: its run failed');
    expect(judgeFailure(judgeAnswer({ taskId: 1 }, null, undefined))).toContain('its run did not start');
    expect(judgeFailure(judgeAnswer({ taskId: 1, threshold: 0.5 }, run, {}))).toBe(
      'the judge (task 1) gave no numeric score',
    );
  });

  it('sends the output and input as text', () => {
    expect(judgeInput('plain', { q: 1 })).toEqual({ output: 'plain', input: '{"q":1}' });
    expect(judgeInput({ a: 1 }, undefined)).toEqual({ output: '{"a":1}', input: 'null' });
  });
});
