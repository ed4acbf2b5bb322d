/**
 * Admission: may a due run start now, given its task's and app's concurrency limits? Two
 * implementations behind one interface, chosen by the store's capability:
 * - LocalAdmission (SQLite: this process is the only writer) keeps exact counts in memory, so a
 *   run is admitted without reading the database; the starts of a batch are then stored in one
 *   transaction before any of them runs.
 *
 * Either way a run's `running` status is committed before admit resolves, so before its job can
 * have an outside effect (a request sent, a process spawned): a node killed at any instant leaves
 * a run it started `running`, which recovery settles as `lost` (retried by policy), never a
 * `scheduled` run that the next start would execute a second time.
 * - SharedAdmission (PostgreSQL cluster) decides in the database, where every node's runs are.
 */
import type { AdmissionResult, StartOutcome, Store } from '../store/store.js';
import type { RunRecord, TaskRecord } from '../store/records.js';
import type { ExecutionRecord } from '../store/executor-records.js';
import type { StartWrites } from './start-writes.js';

export interface AdmissionCandidate {
  run: RunRecord;
  task: TaskRecord;
  /** The app's maxConcurrency, or null. */
  appMax: number | null;
  /** Set by admission on a run it started: the executions written with its start. */
  executions?: ExecutionRecord[] | undefined;
}

export interface StartStamp {
  startedAt: number;
  leaseOwner: string;
  leaseExpiresAt: number;
}

export interface Admission {
  /**
   * Decides for each candidate in order and records the start of those admitted, with what
   * `writes` gives for each (its executions) in the same transaction.
   */
  admit(
    candidates: AdmissionCandidate[],
    stamp: StartStamp,
    writes?: StartWrites,
  ): Promise<AdmissionResult[]>;
  /** A run that was admitted (or found running at start) has ended. */
  released(run: Pick<RunRecord, 'taskId' | 'appId'>): void;
}

/** Running runs allowed for the task: overlap `allow` lifts the limit. */
export const taskLimit = (task: TaskRecord): number | null =>
  task.concurrency.overlap === 'allow' ? null : task.concurrency.max;

export class LocalAdmission implements Admission {
  constructor(
    private readonly store: Store,
    private readonly byTask: Map<number, number>,
    private readonly byApp: Map<number, number>,
  ) {}

  static async create(store: Store): Promise<LocalAdmission> {
    const counts = await store.countRunning();
    return new LocalAdmission(store, counts.byTask, counts.byApp);
  }

  async admit(
    candidates: AdmissionCandidate[],
    stamp: StartStamp,
    writes?: StartWrites,
  ): Promise<AdmissionResult[]> {
    const results = candidates.map(({ run, task, appMax }): AdmissionResult => {
      const max = taskLimit(task);
      const taskCount = this.byTask.get(run.taskId) ?? 0;
      if (max !== null && taskCount >= max) return 'task_busy';
      const appCount = this.byApp.get(run.appId) ?? 0;
      if (appMax !== null && appCount >= appMax) return 'app_busy';
      this.byTask.set(run.taskId, taskCount + 1);
      this.byApp.set(run.appId, appCount + 1);
      return 'started';
    });
    const admitted = candidates.filter((_, i) => results[i] === 'started');
    if (admitted.length === 0) return results;
    // One transaction for the batch, the executions of its runs included (SQLite: ~150,000
    // starts/s in batches of 100). Only the runs admitted are asked for their writes. A run
    // cancelled meanwhile is not started: it reports `gone` and gives its place back.
    let stored: StartOutcome[];
    try {
      const executions = await Promise.all(admitted.map((c) => writes?.(c)));
      stored = await this.store.startRunsWithExecutions(
        admitted.map(({ run }, i) => ({
          runId: run.id,
          executor: null,
          ...stamp,
          executions: executions[i],
        })),
      );
    } catch (error) {
      for (const { run } of admitted) this.released(run);
      throw error;
    }
    let next = 0;
    return results.map((result, i) => {
      if (result !== 'started') return result;
      const outcome = stored[next++];
      const candidate = candidates[i]!;
      if (outcome?.result === 'started') return withExecutions(candidate, outcome);
      this.released(candidate.run);
      return 'gone';
    });
  }

  released(run: Pick<RunRecord, 'taskId' | 'appId'>): void {
    decrement(this.byTask, run.taskId);
    decrement(this.byApp, run.appId);
  }
}

export class SharedAdmission implements Admission {
  constructor(private readonly store: Store) {}

  /**
   * Writes are asked only of runs with no limit to count: the store may still refuse those
   * (`gone`) but not hold them back, so an executor run waiting for room is not routed for
   * nothing (routing moves the round-robin and least-used counters).
   */
  async admit(
    candidates: AdmissionCandidate[],
    stamp: StartStamp,
    writes?: StartWrites,
  ): Promise<AdmissionResult[]> {
    const executions = await Promise.all(
      candidates.map((c) => (taskLimit(c.task) === null && c.appMax === null ? writes?.(c) : undefined)),
    );
    const outcomes = await this.store.admitRunsWithExecutions(
      candidates.map(({ run, task, appMax }, i) => ({
        runId: run.id,
        taskId: run.taskId,
        appId: run.appId,
        taskMax: taskLimit(task),
        appMax,
        executor: null,
        ...stamp,
        executions: executions[i],
      })),
    );
    return outcomes.map((outcome, i) => withExecutions(candidates[i]!, outcome));
  }

  released(): void {}
}

/** The outcome's result; a run started keeps the executions written with it. */
function withExecutions(candidate: AdmissionCandidate, outcome: StartOutcome): AdmissionResult {
  if (outcome.result === 'started' && outcome.executions.length > 0)
    candidate.executions = outcome.executions;
  return outcome.result;
}

function decrement(map: Map<number, number>, key: number): void {
  const n = (map.get(key) ?? 0) - 1;
  if (n > 0) map.set(key, n);
  else map.delete(key);
}
