/**
 * Child tasks that would trigger one another forever, found in the graph a namespace will have
 * once an apply is stored: the tasks of the files with their `childTasks`, and the tasks kept on
 * the server with theirs. A loop is a 400 on the `childTasks` of the first task of the files in
 * it, naming the whole loop (as `childTaskIds` is refused on the task routes).
 */
import type { TaskDefinition } from '@kairos/protocol';
import { KairosError } from '../errors.js';
import type { TaskRecord } from '../store/records.js';

export function refuseChildLoops(
  files: Map<string, { def: TaskDefinition; field: string }>,
  kept: Iterable<TaskRecord>,
  storedNames: Map<number, string>,
): void {
  const children = new Map<string, string[]>();
  for (const task of kept) {
    children.set(
      task.name,
      (task.childTaskIds ?? []).flatMap((id) => storedNames.get(id) ?? []),
    );
  }
  for (const [name, { def }] of files) children.set(name, def.childTasks ?? []);

  const done = new Set<string>();
  for (const [start, { field }] of files) {
    const loop = loopFrom(start, children, done);
    if (loop) {
      throw new KairosError(
        'VALIDATION_ERROR',
        `${field}.childTasks: cycle: ${loop.join(' → ')} would trigger forever`,
        { field: `${field}.childTasks` },
      );
    }
  }
}

/** A path from `start` back to a task already on it, depth first; `done`: tasks with no loop below. */
function loopFrom(start: string, children: Map<string, string[]>, done: Set<string>): string[] | undefined {
  const path: string[] = [];
  const onPath = new Set<string>();
  const visit = (name: string): string[] | undefined => {
    if (onPath.has(name)) return [...path.slice(path.indexOf(name)), name];
    if (done.has(name)) return undefined;
    path.push(name);
    onPath.add(name);
    for (const child of children.get(name) ?? []) {
      const loop = visit(child);
      if (loop) return loop;
    }
    path.pop();
    onPath.delete(name);
    done.add(name);
    return undefined;
  };
  return visit(start);
}
