/** A run's node track, built by its task's job type from every event it recorded (GET /runs/{id}/track, compare). */
import type { JobTypeRegistry } from '../job-types/registry.js';
import type { RunEventRecord, RunRecord, Store } from '../store/store.js';

const PAGE = 5000;

export async function readRunTrack(
  store: Store,
  jobTypes: JobTypeRegistry | undefined,
  run: RunRecord,
): Promise<{ nodes: unknown[] }> {
  const task = await store.getTask(run.taskId);
  const track = task ? jobTypes?.get(task.type)?.track : undefined;
  if (!track) return { nodes: [] };
  const events: RunEventRecord[] = [];
  for (let after = 0; ;) {
    const page = await store.listRunEvents(run.id, after, PAGE);
    events.push(...page);
    const last = page.at(-1);
    if (page.length < PAGE || !last) break;
    after = last.seq;
  }
  return track(events) as { nodes: unknown[] };
}
