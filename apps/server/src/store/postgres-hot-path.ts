/**
 * The concurrency-critical operations on PostgreSQL, by hand. Several nodes share the database,
 * so every decision is made in it, under row locks, in READ COMMITTED:
 *
 * - Rows are locked in id order (`ORDER BY id FOR NO KEY UPDATE` in a MATERIALIZED CTE;
 *   PostgreSQL sorts before it locks), so two batches touching the same runs wait for each other
 *   instead of deadlocking. NO KEY, because none of these updates change a key: the lock then
 *   does not conflict with the KEY SHARE locks that inserting a run's log lines or events takes
 *   on the run (with FOR UPDATE they deadlocked under load). A deadlock or serialization failure
 *   that still happens is retried.
 * - A locked row is re-checked against the WHERE clause on its newest committed version
 *   (EvalPlanQual), so "still scheduled" / "not terminal yet" is judged after the wait.
 * - Batches are single statements over `unnest($n::type[])` arrays: one round trip per batch,
 *   and no bound-parameter limit (a catch-up can plan thousands of runs).
 */
import type pg from 'pg';
import type { SettlementAlertWrites, SettlementSuccessorWrites } from './write-steps.js';
import { applySettlements } from './postgres-apply-settlements.js';
import type { Queryable } from './hot-path/postgres-queryable.js';
import { selectDueTasks } from './hot-path/claim/postgres-select-due-tasks.js';
import { insertRuns } from './hot-path/claim/postgres-insert-runs.js';
import { setNextFireAts } from './hot-path/claim/postgres-set-next-fire-ats.js';
import { lockAdmissions } from './hot-path/start/postgres-lock-admissions.js';
import { lockRuns } from './hot-path/start/postgres-lock-runs.js';
import { countRunning } from './hot-path/start/postgres-count-running.js';
import { renewLeases } from './hot-path/leases/postgres-renew-leases.js';
import { adoptScheduledRuns } from './hot-path/recovery/postgres-adopt-scheduled-runs.js';
import { lockRunningRuns } from './hot-path/recovery/postgres-running-runs.js';
import { selectTasks } from './hot-path/recovery/postgres-select-tasks.js';
import { isRetryableTransactionError } from './db-errors.js';
import type { HotPath } from './kysely-store-base.js';
import { withEnd } from './records.js';
import { runColumns, toRunRecord, toTaskRecord, type RunColumns } from './row-mapping.js';
import { addRunsToStatsPostgres } from './run-stats-rollup.js';
import { startRuns } from './hot-path/start/postgres-start-runs.js';
import type { ExecutionRecord } from './executor-records.js';
import type {
  AdmissionRequest,
  AdmissionResult,
  ClaimOptions,
  DecideLost,
  RecoveryResult,
  RunRecord,
  SettleResult,
  Settlement,
  StartOutcome,
  StartRequest,
  TaskPlan,
  TaskRecord,
} from './store.js';

/** Attempts for a transaction PostgreSQL aborted to break a deadlock. */
const MAX_ATTEMPTS = 3;

export class PostgresHotPath implements HotPath {
  constructor(
    private readonly pool: pg.Pool,
    private readonly now: () => number,
    /** The settlement's alert writes, run inside its transaction. */
    private readonly alertWrites: SettlementAlertWrites,
    /** The settlement's successors (child tasks' runs, a node's end), run inside its transaction. */
    private readonly successorWrites: SettlementSuccessorWrites,
  ) {}

  /**
   * Claim: `FOR NO KEY UPDATE SKIP LOCKED` hands each due task to one node; another node skips it
   * rather than waiting, and if it reads the row only after our commit, the re-check sees the
   * advanced next_fire_at and drops it. The unique (task_id, slot_at) backs this up: even a
   * slot planned twice is inserted once (ON CONFLICT DO NOTHING RETURNING reports only ours).
   */
  async claimDueTasks(options: ClaimOptions, plan: (task: TaskRecord) => TaskPlan): Promise<RunRecord[]> {
    return this.inTransaction(async (client) => {
      const due = await selectDueTasks(client, options.horizon, options.limit);
      if (due.length === 0) return [];
      const now = this.now();
      const runs: RunColumns[] = [];
      const taskIds: number[] = [];
      const nextFireAts: (number | null)[] = [];
      for (const row of due) {
        const planned = plan(toTaskRecord(row));
        for (const run of planned.runs) runs.push(runColumns(run, now));
        taskIds.push(row.id);
        nextFireAts.push(planned.nextFireAt);
      }
      const inserted = await insertRuns(client, runs);
      await addRunsToStatsPostgres(
        client,
        inserted.filter((r) => r.status === 'skipped').map((r) => r.id),
      );
      await setNextFireAts(client, taskIds, nextFireAts);
      return inserted;
    });
  }

  /**
   * Start: only rows still `scheduled` after the lock are started, each with its executions in
   * the same statement; the rest report `gone`.
   */
  async startRunsWithExecutions(starts: StartRequest[]): Promise<StartOutcome[]> {
    if (starts.length === 0) return [];
    const { unique, isFirst } = firstOfEachRun(starts);
    const started = await this.retrying((client) => startRuns(client, unique));
    return starts.map((start, i) => outcomeOf(isFirst[i] === true ? started.get(start.runId) : undefined));
  }

  /**
   * Shared admission. Admissions for the same task or app are serialised by transaction-scoped
   * advisory locks taken in a fixed order (tasks by id, then apps by id), so a second node
   * admitting for the same task waits here until we commit, then counts our starts. Advisory
   * locks rather than row locks on tasks/apps: the claim holds due task rows while it plans, and
   * admission must not wait for it (measured: row locks made p99 start lateness ~1 s with 1,000
   * every-second tasks).
   */
  async admitRunsWithExecutions(requests: AdmissionRequest[]): Promise<StartOutcome[]> {
    if (requests.length === 0) return [];
    const sortedIds = (ids: number[]) => [...new Set(ids)].sort((a, b) => a - b);
    const taskIds = sortedIds(requests.filter((r) => r.taskMax !== null).map((r) => r.taskId));
    const appIds = sortedIds(requests.filter((r) => r.appMax !== null).map((r) => r.appId));
    if (taskIds.length === 0 && appIds.length === 0) {
      // Nothing to count: admitting is starting the runs still scheduled, one statement (the
      // transaction below costs four round trips, which at executor rates was most of them).
      const { unique, isFirst } = firstOfEachRun(requests);
      const started = await this.retrying((client) => startRuns(client, unique));
      return requests.map((r, i) => outcomeOf(isFirst[i] === true ? started.get(r.runId) : undefined));
    }
    const runIds = sortedIds(requests.map((r) => r.runId));
    return this.inTransaction(async (client) => {
      await lockAdmissions(client, 'task', taskIds);
      await lockAdmissions(client, 'app', appIds);
      const runs = await lockRuns(client, runIds);
      const byTask = await countRunning(client, 'task_id', taskIds);
      const byApp = await countRunning(client, 'app_id', appIds);
      const scheduled = new Set(runs.filter((r) => r.status === 'scheduled').map((r) => r.id));
      const toStart: AdmissionRequest[] = [];
      const decided = requests.map((request): AdmissionResult => {
        if (!scheduled.has(request.runId)) return 'gone';
        const taskRunning = byTask.get(request.taskId) ?? 0;
        if (request.taskMax !== null && taskRunning >= request.taskMax) return 'task_busy';
        const appRunning = byApp.get(request.appId) ?? 0;
        if (request.appMax !== null && appRunning >= request.appMax) return 'app_busy';
        scheduled.delete(request.runId);
        byTask.set(request.taskId, taskRunning + 1);
        byApp.set(request.appId, appRunning + 1);
        toStart.push(request);
        return 'started';
      });
      const started =
        toStart.length > 0 ? await startRuns(client, toStart) : new Map<number, ExecutionRecord[]>();
      return decided.map((result, i) =>
        result === 'started' ? outcomeOf(started.get(requests[i]!.runId)) : { result, executions: [] },
      );
    });
  }

  /**
   * Settle: one transaction per batch. The runs are locked in id order and ended only while in
   * the status their settler expected (compare-and-set, re-checked on the newest row version
   * after the lock); then the retries of those ended are inserted and fixed-delay tasks get
   * their next fire. Three statements, one round trip each, whatever the batch size.
   */
  async settleRuns(settlements: Settlement[]): Promise<SettleResult[]> {
    if (settlements.length === 0) return [];
    const { unique, isFirst } = firstOfEachRun(settlements);
    const results = await this.inTransaction((client) =>
      applySettlements(client, unique, this.now(), this.alertWrites, this.successorWrites),
    );
    return settlements.map((s, i) =>
      isFirst[i] === true ? results.get(s.runId)! : { settled: false, retry: null },
    );
  }

  /** Renew: locks the owner's runs in id order like the batches above, so it cannot deadlock with them. */
  async renewLeases(owner: string, leaseExpiresAt: number): Promise<number> {
    return this.retrying((client) => renewLeases(client, owner, leaseExpiresAt));
  }

  /**
   * Recovery: SKIP LOCKED, so two nodes recovering at once split the expired runs instead of
   * both taking them; a run whose owner is renewing right now is skipped, and one renewed since
   * our snapshot fails the re-check. The scheduled runs are adopted and the running ones settled
   * in one transaction, so a lost run is never without its retry.
   */
  async recoverRuns(
    options: { owner: string; now: number; leaseExpiresAt: number; includeLive: boolean },
    decideLost: DecideLost,
  ): Promise<RecoveryResult> {
    return this.inTransaction(async (client) => {
      const adopted = await adoptScheduledRuns(client, options);
      const lostRuns = (await lockRunningRuns(client, options)).map(toRunRecord);
      const tasks = new Map<number, TaskRecord>();
      const taskIds = [...new Set(lostRuns.map((run) => run.taskId))];
      for (const row of await selectTasks(client, taskIds)) tasks.set(row.id, toTaskRecord(row));
      const settlements = lostRuns.map((run) => decideLost(run, tasks.get(run.taskId)));
      const results = await applySettlements(
        client,
        settlements,
        this.now(),
        this.alertWrites,
        this.successorWrites,
      );
      return {
        adopted: adopted.map(toRunRecord).sort((a, b) => a.id - b.id),
        lost: lostRuns.map((run, i) => ({
          run: withEnd(run, settlements[i]!.end),
          retry: results.get(run.id)?.retry ?? null,
          ...(results.get(run.id)?.deliveries ? { deliveries: results.get(run.id)!.deliveries! } : {}),
          ...(results.get(run.id)?.successors ? { successors: results.get(run.id)!.successors! } : {}),
        })),
      };
    });
  }

  // ------------------------------------------------------------ plumbing

  /** BEGIN … COMMIT on one pooled connection, retried when PostgreSQL aborts it for a deadlock. */
  private async inTransaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const client = await this.pool.connect();
      try {
        await client.query('BEGIN');
        const result = await work(client);
        await client.query('COMMIT');
        client.release();
        return result;
      } catch (error) {
        // A failed ROLLBACK means the connection is broken: destroy it rather than pool it.
        const rolledBack = await client.query('ROLLBACK').then(
          () => true,
          () => false,
        );
        client.release(!rolledBack);
        if (attempt < MAX_ATTEMPTS && isRetryableTransactionError(error)) continue;
        throw error;
      }
    }
  }

  /** A single statement (its own transaction), retried when PostgreSQL aborts it for a deadlock. */
  private async retrying<T>(work: (client: Queryable) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await work(this.pool);
      } catch (error) {
        if (attempt < MAX_ATTEMPTS && isRetryableTransactionError(error)) continue;
        throw error;
      }
    }
  }
}

/** A run's start as reported: started with its executions, or gone. */
function outcomeOf(executions: ExecutionRecord[] | undefined): StartOutcome {
  return executions === undefined ? { result: 'gone', executions: [] } : { result: 'started', executions };
}

/**
 * A run named twice in one batch is handled once, by its first request: joining the same row
 * twice in one UPDATE would apply an arbitrary one of them. Later duplicates report false.
 */
function firstOfEachRun<T extends { runId: number }>(requests: T[]): { unique: T[]; isFirst: boolean[] } {
  const seen = new Set<number>();
  const isFirst = requests.map((request) => {
    if (seen.has(request.runId)) return false;
    seen.add(request.runId);
    return true;
  });
  return { unique: requests.filter((_, i) => isFirst[i]), isFirst };
}
