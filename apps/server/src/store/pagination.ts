/**
 * Keyset pagination, newest first by id. The cursor is the last id of the page as a string:
 * opaque to callers, stable while rows are inserted (an OFFSET would shift under new runs).
 */
import type { Page } from './store.js';

/** A cursor that no page of ours produced (the API maps it to a 400 on the `cursor` field). */
export class InvalidCursorError extends Error {
  constructor(cursor: string) {
    super(`cursor ${JSON.stringify(cursor)} is not one this server returned: pass nextCursor unchanged`);
    this.name = 'InvalidCursorError';
  }
}

/** The id below which the page starts, or undefined for the first page. */
export function decodeCursor(cursor: string | undefined): number | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  if (!/^[1-9][0-9]{0,15}$/.test(cursor)) throw new InvalidCursorError(cursor);
  return Number(cursor);
}

/** Callers fetch `limit + 1` rows: the extra row only says whether another page exists. */
export function toPage<T extends { id: number }>(rows: T[], limit: number): Page<T> {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last !== undefined ? String(last.id) : null };
}
