/**
 * What apply compares: a stored definition and a wanted one, both in the document's shape (names
 * instead of ids, defaults filled, secrets masked as reads show them), field by field.
 */
import type { FieldChange } from '@kairos/protocol';
import { isDeepStrictEqual } from 'node:util';
import { KairosError } from '../errors.js';

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The fields where `to` differs from `from`, as dotted paths: objects are compared key by key
 * (an absent key and `undefined` are the same), arrays and scalars as a whole.
 *
 * @example fieldChanges({ a: 1, s: { x: 1 } }, { a: 1, s: { x: 2 } }) // [{ field: 's.x', from: 1, to: 2 }]
 */
export function fieldChanges(from: unknown, to: unknown, path = ''): FieldChange[] {
  if (isPlainObject(from) && isPlainObject(to)) {
    const keys = [...new Set([...Object.keys(from), ...Object.keys(to)])];
    return keys.flatMap((key) => fieldChanges(from[key], to[key], path ? `${path}.${key}` : key));
  }
  if (from === undefined && to === undefined) return [];
  if (isDeepStrictEqual(from, to)) return [];
  return [{ field: path, ...(from === undefined ? {} : { from }), ...(to === undefined ? {} : { to }) }];
}

const isSecretRefMark = (value: unknown): value is { secretRef: string } =>
  isPlainObject(value) && Object.keys(value).length === 1 && typeof value['secretRef'] === 'string';

/**
 * A config from a file with each `{secretRef: …}` (export's mark of a value kept in Kairos)
 * replaced by the value the stored task shows at the same place: a masked secret, which saving
 * keeps as stored. A mark with nothing stored at its place is a 400 naming the field: the value
 * exists only in the server it was exported from.
 */
export function keepReferencedSecrets(
  config: Record<string, unknown>,
  shown: Record<string, unknown> | undefined,
  field: string,
  taskName: string,
): Record<string, unknown> {
  const walk = (value: unknown, stored: unknown, path: string): unknown => {
    if (isSecretRefMark(value)) {
      if (typeof stored === 'string') return stored;
      throw new KairosError(
        'VALIDATION_ERROR',
        `${path}: is a secretRef, a value kept in Kairos, but task "${taskName}" has no value there on this server: ` +
          'write {"$secret": "<name>"} with a named secret (kairos secrets create), or the value',
        { field: path },
      );
    }
    if (Array.isArray(value)) {
      return value.map((v, i) => walk(v, Array.isArray(stored) ? stored[i] : undefined, `${path}.${i}`));
    }
    if (isPlainObject(value)) {
      return Object.fromEntries(
        Object.entries(value).map(([key, v]) => [
          key,
          walk(v, isPlainObject(stored) ? stored[key] : undefined, `${path}.${key}`),
        ]),
      );
    }
    return value;
  };
  return walk(config, shown, field) as Record<string, unknown>;
}

/**
 * The places where a file writes a secret in clear that saving would seal (reads then show it
 * masked): its stored value cannot be compared, so such a field always counts as changed.
 */
export function clearSecrets(written: unknown, shown: unknown, path: string): string[] {
  if (typeof written === 'string' && typeof shown === 'string') {
    return written !== shown && shown.includes('****') ? [path] : [];
  }
  if (Array.isArray(written) && Array.isArray(shown)) {
    return written.flatMap((v, i) => clearSecrets(v, shown[i], `${path}.${i}`));
  }
  if (isPlainObject(written) && isPlainObject(shown)) {
    return Object.keys(written).flatMap((key) => clearSecrets(written[key], shown[key], `${path}.${key}`));
  }
  return [];
}

/** Runs `work`, naming its error's field (and message) under `prefix` (`documents.0.tasks.2`). */
export async function within<T>(prefix: string, work: () => Promise<T> | T): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof KairosError && error.status < 500) {
      const field = error.field ? `${prefix}.${error.field}` : prefix;
      const message =
        error.field && error.message.startsWith(`${error.field}:`)
          ? `${prefix}.${error.message}`
          : `${field}: ${error.message}`;
      throw new KairosError(error.code, message, {
        field,
        ...(error.details ? { details: error.details } : {}),
      });
    }
    throw error;
  }
}
