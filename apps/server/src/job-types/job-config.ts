/**
 * Validates a task's `config` against its job type's schema, turning the first zod issue into a
 * KairosError INVALID_CONFIG that names the field (`config.url`) and says what is wrong with it.
 */
import type { z } from 'zod';
import { KairosError } from '../errors.js';
import type { JobType } from './job-type.js';

/**
 * @example
 *   parseJobConfig(httpJobType, { url: 'ftp://example.com' });
 *   // throws KairosError INVALID_CONFIG "config.url: must use http or https, not ftp",
 *   // field "config.url"
 */
export function parseJobConfig<Config>(type: JobType<Config>, config: unknown): Config {
  // reportInput: to tell a missing field from a wrong one; inputs never reach the message.
  const result = type.configSchema.safeParse(config, { reportInput: true });
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (issue === undefined) throw new KairosError('INVALID_CONFIG', 'config: is invalid', { field: 'config' });
  const { path, reason } = describeIssue(issue, type.name);
  const field = ['config', ...path.map(String)].join('.');
  throw new KairosError('INVALID_CONFIG', `${field}: ${reason}`, { field, details: { jobType: type.name } });
}

function describeIssue(issue: z.core.$ZodIssue, typeName: string): { path: PropertyKey[]; reason: string } {
  switch (issue.code) {
    case 'unrecognized_keys':
      return {
        path: [...issue.path, issue.keys[0] ?? ''],
        reason: `is not a setting of the "${typeName}" job type`,
      };
    case 'invalid_key':
      // A record key (a header or variable name): zod's own message is a bare "Invalid key".
      return { path: issue.path, reason: issue.issues[0]?.message ?? 'is not an allowed name' };
    case 'invalid_type':
      if (issue.input === undefined) return { path: issue.path, reason: 'is required' };
      return {
        path: issue.path,
        reason: `must be ${withArticle(issue.expected)}, not ${kindOf(issue.input)}`,
      };
    default:
      return { path: issue.path, reason: issue.message };
  }
}

function withArticle(expected: string): string {
  const noun = expected === 'record' ? 'object' : expected === 'int' ? 'integer' : expected;
  return `${/^[aeiou]/.test(noun) ? 'an' : 'a'} ${noun}`;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  const kind = typeof value;
  return `${/^[aeiou]/.test(kind) ? 'an' : 'a'} ${kind}`;
}
