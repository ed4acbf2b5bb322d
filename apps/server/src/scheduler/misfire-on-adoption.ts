/**
 * When a node takes over the planned runs of a node that stopped, some slots may already be later
 * than their task's misfire threshold. They get the task's misfire policy, as the planner gives
 * it to slots missed while nothing ran (planner.ts), so a takeover never fires a slot late and
 * after the task's later slots: `skip` skips them all, `fire_once` fires the newest and skips
 * the rest, `catch_up` fires the newest `maxCatchUp`. Retries and triggered runs (no slot)
 * always fire. Pure: the caller settles the skipped runs and holds the rest.
 */
import type { RunError } from '@kairos/protocol';
import type { RunRecord, TaskRecord } from '../store/records.js';

export interface HeldRun {
  run: RunRecord;
  task: TaskRecord;
}

export function misfiresOnAdoption(
  held: HeldRun[],
  now: number,
): { fire: HeldRun[]; skip: (HeldRun & { error: RunError })[] } {
  const fire: HeldRun[] = [];
  const lateByTask = new Map<number, HeldRun[]>();
  for (const h of held) {
    const lateBefore = now - h.task.schedule.misfire.thresholdSeconds * 1000;
    if (h.run.slotAt === null || h.run.scheduledAt >= lateBefore) fire.push(h);
    else lateByTask.set(h.task.id, [...(lateByTask.get(h.task.id) ?? []), h]);
  }
  const skip: (HeldRun & { error: RunError })[] = [];
  for (const late of lateByTask.values()) {
    late.sort((a, b) => a.run.scheduledAt - b.run.scheduledAt);
    const { policy, maxCatchUp } = late[0]!.task.schedule.misfire;
    const kept = policy === 'skip' ? 0 : policy === 'fire_once' ? 1 : maxCatchUp;
    const cut = Math.max(0, late.length - kept);
    for (const h of late.slice(cut)) fire.push(h);
    for (const h of late.slice(0, cut)) {
      const message =
        `its node stopped before the slot ${new Date(h.run.scheduledAt).toISOString()} fired, and the ` +
        `takeover came after the misfire threshold (misfire policy ${policy})`;
      skip.push({ ...h, error: { type: 'misfire', message, missedSlots: 1 } });
    }
  }
  fire.sort((a, b) => a.run.scheduledAt - b.run.scheduledAt || a.run.id - b.run.id);
  return { fire, skip };
}
