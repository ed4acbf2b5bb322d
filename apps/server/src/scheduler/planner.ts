/**
 * Turns one due task into runs: its slots up to the look-ahead horizon, with the misfire policy
 * applied to slots that are too late. Pure and synchronous: it runs inside the claim transaction.
 */
import type { RunError } from '@kairos/protocol';
import type { NewRun, TaskPlan } from '../store/store.js';
import type { TaskRecord } from '../store/records.js';
import { nextFireAfter } from '@kairos/time';
import type { CalendarRule, FireContext } from '@kairos/time';

/** At most this many on-time runs are planned for one task per claim; the rest wait for the next. */
const MAX_RUNS_PER_PLAN = 1000;
/** Missed slots are counted one by one up to this many; beyond it the count is a lower bound. */
const MAX_MISSED_SCAN = 100_000;

export interface PlanContext {
  now: number;
  horizon: number;
  owner: string;
  leaseExpiresAt: number;
  calendar: CalendarRule | undefined;
}

export interface MisfireReport {
  missedSlots: number;
  policy: string;
}

export interface PlannedTask extends TaskPlan {
  misfire?: MisfireReport;
}

/** Where a task's fixed-rate slots are anchored and which calendar rules its dates. */
export function fireContextFor(
  task: Pick<TaskRecord, 'schedule' | 'createdAt'>,
  calendar?: CalendarRule,
): FireContext {
  const s = task.schedule;
  const anchor = s.type === 'fixed_rate' ? task.createdAt + s.intervalSeconds * 1000 : task.createdAt;
  return calendar ? { anchor, calendar } : { anchor };
}

/** The first slot of a task that is (re)enabled or (re)scheduled at `now`; null = never by itself. */
export function firstFireAt(
  task: Pick<TaskRecord, 'schedule' | 'createdAt'>,
  now: number,
  calendar?: CalendarRule,
): number | null {
  const s = task.schedule;
  switch (s.type) {
    case 'api':
      return null;
    case 'fixed_delay':
      return now + s.delaySeconds * 1000;
    case 'one_time': {
      const at = Date.parse(s.at);
      return at > now ? at : null;
    }
    default:
      return nextFireAfter(s, now, fireContextFor(task, calendar));
  }
}

export function planTask(task: TaskRecord, ctx: PlanContext): PlannedTask {
  const s = task.schedule;
  const fire = fireContextFor(task, ctx.calendar);
  const repeats = s.type === 'cron' || s.type === 'fixed_rate';
  const next = (after: number): number | null => (repeats ? nextFireAfter(s, after, fire) : null);

  let slot = task.nextFireAt;
  // The calendar may have changed since this slot was computed: take the first slot it allows.
  if (slot !== null && repeats && ctx.calendar) slot = nextFireAfter(s, slot - 1, fire);
  const runs: NewRun[] = [];
  const newRun = (fields: Partial<NewRun> & Pick<NewRun, 'slotAt' | 'scheduledAt'>): NewRun => ({
    taskId: task.id,
    appId: task.appId,
    namespaceId: task.namespaceId,
    triggerType: 'schedule',
    status: 'scheduled',
    attempt: 1,
    retryOf: null,
    input: null,
    leaseOwner: ctx.owner,
    leaseExpiresAt: ctx.leaseExpiresAt,
    ...fields,
  });

  // Slots later than the threshold are misfires.
  const lateBefore = ctx.now - s.misfire.thresholdSeconds * 1000;
  let missed = 0;
  let firstMissed = 0;
  let lastMissed = 0;
  const catchUp: number[] = [];
  while (slot !== null && slot < lateBefore) {
    if (missed === 0) firstMissed = slot;
    lastMissed = slot;
    missed++;
    if (s.misfire.policy === 'catch_up') {
      catchUp.push(slot);
      if (catchUp.length > s.misfire.maxCatchUp) catchUp.shift();
    }
    if (missed >= MAX_MISSED_SCAN) {
      slot = next(lateBefore - 1);
      break;
    }
    slot = next(slot);
  }

  let misfire: MisfireReport | undefined;
  if (missed > 0) {
    misfire = { missedSlots: missed, policy: s.misfire.policy };
    const skippedRecord = (count: number, from: number, to: number): NewRun => {
      const error: RunError = {
        type: 'misfire',
        message: `${count} slot${count === 1 ? '' : 's'} missed between ${new Date(from).toISOString()} and ${new Date(to).toISOString()} (misfire policy ${s.misfire.policy})`,
        missedSlots: count,
        firstMissedAt: new Date(from).toISOString(),
        lastMissedAt: new Date(to).toISOString(),
      };
      return newRun({
        triggerType: 'misfire',
        status: 'skipped',
        slotAt: from,
        scheduledAt: from,
        finishedAt: ctx.now,
        error,
      });
    };
    switch (s.misfire.policy) {
      case 'skip':
        runs.push(skippedRecord(missed, firstMissed, lastMissed));
        break;
      case 'fire_once':
        if (missed > 1) runs.push(skippedRecord(missed - 1, firstMissed, lastMissed));
        runs.push(newRun({ triggerType: 'misfire', slotAt: lastMissed, scheduledAt: ctx.now }));
        break;
      case 'catch_up': {
        const dropped = missed - catchUp.length;
        if (dropped > 0) runs.push(skippedRecord(dropped, firstMissed, catchUp[0]! - 1));
        for (const at of catchUp)
          runs.push(newRun({ triggerType: 'misfire', slotAt: at, scheduledAt: ctx.now }));
        break;
      }
    }
    // A fixed-delay task whose slot was skipped goes on: the next one is a delay from now.
    if (s.type === 'fixed_delay' && s.misfire.policy === 'skip') {
      return { runs, nextFireAt: ctx.now + s.delaySeconds * 1000, misfire };
    }
  }

  let planned = 0;
  while (slot !== null && slot <= ctx.horizon && planned < MAX_RUNS_PER_PLAN) {
    runs.push(newRun({ slotAt: slot, scheduledAt: slot }));
    planned++;
    slot = next(slot);
  }
  // fixed_delay: the next slot is set when this run ends; one_time: there is no next.
  const nextFireAt = repeats ? slot : planned > 0 || missed > 0 ? null : slot;
  return misfire ? { runs, nextFireAt, misfire } : { runs, nextFireAt };
}
