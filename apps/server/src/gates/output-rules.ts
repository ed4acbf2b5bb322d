/**
 * The output gate's assertions (all but the judge), checked against the run's result. Pure: each
 * rule gives one OutputCheck, passed or not, with a message naming the field and the reason.
 */
import type { OutputCheck, OutputGate } from '@kairos/protocol';
import { schemaMismatches } from './json-schema.js';
import { isEmptyValue, valueAt } from './value-path.js';

const MAX_MESSAGE = 500;

const check = (rule: OutputCheck['rule'], path: string | null, failure: string | null): OutputCheck => ({
  rule,
  path,
  passed: failure === null,
  message: failure === null ? null : failure.slice(0, MAX_MESSAGE),
});

const show = (value: unknown): string => {
  const text = typeof value === 'string' ? JSON.stringify(value) : String(JSON.stringify(value));
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
};

/** Every rule of the gate but the judge, in the gate's order (schema, required, patterns, ranges, lengths). */
export function checkOutputRules(gate: OutputGate, result: unknown): OutputCheck[] {
  const checks: OutputCheck[] = [];
  if (gate.jsonSchema) {
    const mismatches = schemaMismatches(gate.jsonSchema, result);
    checks.push(
      check(
        'jsonSchema',
        null,
        mismatches.length === 0 ? null : `does not match the JSON Schema: ${mismatches.join('; ')}`,
      ),
    );
  }
  for (const path of gate.required ?? []) {
    const value = valueAt(result, path);
    checks.push(
      check(
        'required',
        path,
        isEmptyValue(value) ? `${path} is ${value === undefined ? 'missing' : 'empty'}` : null,
      ),
    );
  }
  for (const rule of gate.patterns ?? []) {
    const value = valueAt(result, rule.path);
    const failure =
      typeof value !== 'string'
        ? `${rule.path} is not text (${value === undefined ? 'missing' : show(value)})`
        : new RegExp(rule.pattern, rule.flags).test(value)
          ? null
          : `${rule.path} does not match /${rule.pattern}/${rule.flags ?? ''}: ${show(value)}`;
    checks.push(check('pattern', rule.path, failure));
  }
  for (const rule of gate.ranges ?? []) {
    const value = valueAt(result, rule.path);
    const n =
      typeof value === 'number'
        ? value
        : typeof value === 'string' && value.trim() !== ''
          ? Number(value)
          : NaN;
    let failure: string | null = null;
    if (!Number.isFinite(n))
      failure = `${rule.path} is not a number (${value === undefined ? 'missing' : show(value)})`;
    else if (rule.min !== undefined && n < rule.min)
      failure = `${rule.path} is ${n}, below the minimum ${rule.min}`;
    else if (rule.max !== undefined && n > rule.max)
      failure = `${rule.path} is ${n}, above the maximum ${rule.max}`;
    checks.push(check('range', rule.path, failure));
  }
  for (const rule of gate.maxLength ?? []) {
    const value = valueAt(result, rule.path);
    const length =
      typeof value === 'string'
        ? value.length
        : Array.isArray(value)
          ? value.length
          : value === undefined
            ? 0
            : JSON.stringify(value).length;
    const name = rule.path ?? 'the output';
    checks.push(
      check(
        'maxLength',
        rule.path ?? null,
        length > rule.max ? `${name} is ${length} long, over the maximum ${rule.max}` : null,
      ),
    );
  }
  return checks;
}
