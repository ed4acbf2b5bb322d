import type { StoreConflictError } from './store.js';

/**
 * Recognises constraint violations from either driver, so the store can turn them into
 * StoreConflictError. The codes do not overlap: better-sqlite3 reports `SQLITE_CONSTRAINT_*`
 * strings, pg reports SQLSTATE codes (23505 unique_violation, 23503 foreign_key_violation).
 */
export type ConstraintKind = 'unique' | 'foreign_key';

export function constraintViolation(error: unknown): ConstraintKind | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  switch ((error as { code: unknown }).code) {
    case 'SQLITE_CONSTRAINT_UNIQUE':
    case 'SQLITE_CONSTRAINT_PRIMARYKEY':
    case '23505':
      return 'unique';
    case 'SQLITE_CONSTRAINT_FOREIGNKEY':
    case '23503':
      return 'foreign_key';
    default:
      return undefined;
  }
}

/** PostgreSQL aborted the transaction to break a deadlock or a serialization conflict: retry it. */
export function isRetryableTransactionError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null || !('code' in error)) return false;
  const code = (error as { code: unknown }).code;
  return code === '40P01' || code === '40001';
}

/** Runs a write and turns a constraint violation of the given kind into a StoreConflictError. */
export async function mapConflict<T>(
  kind: 'unique' | 'foreign_key',
  conflict: () => StoreConflictError,
  write: () => Promise<T>,
): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (constraintViolation(error) === kind) throw conflict();
    throw error;
  }
}
