/**
 * Lists filtered to the namespaces a caller sees: a filter's `namespaceId` is one id
 * or a set of them. A query applies it as `namespace_id IN (...)`.
 */

/** One namespace, or several (an empty set matches nothing). */
export type NamespaceFilter = number | readonly number[];

/** The ids for `namespace_id IN (...)`; never empty (SQL has no empty IN list): -1 matches no row. */
export function namespaceIdList(filter: NamespaceFilter): number[] {
  if (typeof filter === 'number') return [filter];
  return filter.length > 0 ? [...filter] : [-1];
}
