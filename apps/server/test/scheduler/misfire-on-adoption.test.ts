import { describe, expect, it } from 'vitest';
import { misfiresOnAdoption, type HeldRun } from '../../src/scheduler/misfire-on-adoption.js';
import type { RunRecord, TaskRecord } from '../../src/store/store.js';

const NOW = 100_000;
function task(id: number, policy: 'skip' | 'fire_once' | 'catch_up', maxCatchUp = 2): TaskRecord {
  return {
    id,
    schedule: {
      type: 'cron',
      expression: '* * * * * ?',
      misfire: { policy, thresholdSeconds: 5, maxCatchUp },
    },
  } as unknown as TaskRecord;
}
let nextId = 1;
function held(t: TaskRecord, scheduledAt: number, slot = true): HeldRun {
  const run = { id: nextId++, taskId: t.id, scheduledAt, slotAt: slot ? scheduledAt : null } as RunRecord;
  return { run, task: t };
}
const ids = (list: { run: RunRecord }[]) => list.map((h) => h.run.scheduledAt);

describe('misfiresOnAdoption', () => {
  it('fires slots within the threshold, and late retries or triggered runs whatever the policy', () => {
    const t = task(1, 'skip');
    const { fire, skip } = misfiresOnAdoption([held(t, 97_000), held(t, 50_000, false)], NOW);
    expect(ids(fire)).toEqual([50_000, 97_000]);
    expect(skip).toEqual([]);
  });

  it('skip: every late slot is skipped, with a misfire error', () => {
    const t = task(1, 'skip');
    const { fire, skip } = misfiresOnAdoption([held(t, 80_000), held(t, 81_000), held(t, 99_000)], NOW);
    expect(ids(fire)).toEqual([99_000]);
    expect(ids(skip)).toEqual([80_000, 81_000]);
    expect(skip[0]?.error).toMatchObject({ type: 'misfire', missedSlots: 1 });
  });

  it('fire_once fires the newest late slot; catch_up the newest maxCatchUp', () => {
    const once = task(1, 'fire_once');
    const catchUp = task(2, 'catch_up', 2);
    const { fire, skip } = misfiresOnAdoption(
      [
        held(once, 80_000),
        held(once, 81_000),
        held(catchUp, 70_000),
        held(catchUp, 71_000),
        held(catchUp, 72_000),
      ],
      NOW,
    );
    expect(ids(fire)).toEqual([71_000, 72_000, 81_000]);
    expect(ids(skip).sort()).toEqual([70_000, 80_000]);
  });
});
