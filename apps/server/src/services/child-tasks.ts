/**
 * Checks a task's `childTaskIds` (XXL-JOB's childJobId): each names an existing task of the same
 * namespace, not a workflow's own task, and following children never leads back to the task (a
 * loop would trigger forever). A 400 names the item at fault.
 */
import { KairosError } from '../errors.js';
import type { Store } from '../store/store.js';

/** Children followed at most when looking for a loop (a chain longer than this is refused). */
const MAX_CHAIN = 1000;

export async function checkChildTasks(
  store: Pick<Store, 'getTask'>,
  namespaceId: number,
  childTaskIds: readonly number[],
  self?: number,
): Promise<number[]> {
  const ids = [...new Set(childTaskIds)];
  for (const id of ids) {
    const field = `childTaskIds[${childTaskIds.indexOf(id)}]`;
    if (id === self) throw invalid(field, `task ${id} cannot be its own child`);
    const child = await store.getTask(id);
    if (!child || child.workflowId != null) throw invalid(field, `no task ${id}`);
    if (child.namespaceId !== namespaceId) {
      throw invalid(
        field,
        `task ${id} is in another namespace; a child task must be in the task's own namespace`,
      );
    }
  }
  if (self !== undefined) await refuseLoop(store, self, ids);
  return ids;
}

async function refuseLoop(store: Pick<Store, 'getTask'>, self: number, children: number[]): Promise<void> {
  const seen = new Set<number>();
  const queue = children.map((id) => ({ id, via: [id] }));
  while (queue.length > 0) {
    const { id, via } = queue.shift()!;
    if (seen.has(id)) continue;
    seen.add(id);
    if (seen.size > MAX_CHAIN)
      throw invalid('childTaskIds', `the chain of child tasks is longer than ${MAX_CHAIN}`);
    const task = await store.getTask(id);
    for (const next of task?.childTaskIds ?? []) {
      if (next === self) {
        throw invalid('childTaskIds', `cycle: ${[self, ...via, self].join(' → ')} would trigger forever`);
      }
      queue.push({ id: next, via: [...via, next] });
    }
  }
}

function invalid(field: string, message: string): KairosError {
  return new KairosError('VALIDATION_ERROR', `${field}: ${message}`, { field });
}
