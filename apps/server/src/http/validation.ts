/**
 * Request parsing with the protocol's zod schemas; the first problem becomes a 400 that names the
 * field (dotted path) and the reason.
 */
import type { z } from 'zod';
import { KairosError } from '../errors.js';

export function parseInput<T extends z.ZodType>(schema: T, value: unknown, prefix = ''): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') path.push(issue.keys[0] ?? '');
  const field = [prefix, ...path].filter(Boolean).join('.');
  const reason = issue.code === 'unrecognized_keys' ? 'is not a known field' : issue.message;
  const code = field === 'schedule.expression' ? 'INVALID_CRON' : 'VALIDATION_ERROR';
  throw new KairosError(code, field ? `${field}: ${reason}` : reason, field ? { field } : {});
}

/** A positive integer path parameter. */
export function parseId(value: string | undefined, what: string): number {
  if (value === undefined || !/^[1-9]\d{0,15}$/.test(value)) {
    throw new KairosError(
      'VALIDATION_ERROR',
      `${what}: must be a positive integer id, got ${JSON.stringify(value)}`,
      {
        field: what,
      },
    );
  }
  return Number(value);
}

/** An ISO instant (already validated by the schema) as epoch ms. */
export const instant = (iso: string | undefined): number | undefined =>
  iso === undefined ? undefined : Date.parse(iso);
