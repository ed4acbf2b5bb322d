/**
 * The Store on Kysely, shared by the SQLite and PostgreSQL stores: composed from the ordinary
 * queries of each concept (catalog, runs, run events, statistics, executors, calendars, nodes,
 * alerting, outbound rules, secrets, access, users, retention; one module each), the hand-written
 * hot path of the dialect (sqlite-hot-path.ts, postgres-hot-path.ts), and the statements a
 * dialect writes faster itself.
 *
 * Every ordinary query is ONE SQL statement, never a Kysely transaction: on SQLite the hot path
 * runs its synchronous transactions on the same connection, and a transaction held across an
 * await would let them interleave with it.
 */
import type { Kysely } from 'kysely';
import type { Database } from './db-schema.js';
import { catalogOperations } from './catalog-queries.js';
import { runOperations } from './run-queries.js';
import { RunEventQueries } from './run-event-queries.js';
import { RunStatsQueries } from './run-stats-queries.js';
import { executorOperations } from './executor-queries.js';
import { calendarOperations } from './calendar-queries.js';
import { outboundRulesOperations } from './outbound-rules-queries.js';
import { secretOperations } from './secret-queries.js';
import { nodeOperations } from './node-queries.js';
import { retentionOperations } from './retention-queries.js';
import { deadLetterOperations } from './dead-letter-queries.js';
import { pacingOperations } from './pacing-queries.js';
import { clusterPaceOperations } from './cluster-pace-queries.js';
import type { SpaceReport } from './retention-store.js';
import type { NodeStore } from './node-store.js';
import { alertOperations } from './alert-operations.js';
import type { StepRunner } from './write-steps.js';
import { definitionWriteSteps, type DefinitionIds, type DefinitionWrites } from './definition-writes.js';
import { accessOperations } from './access-queries.js';
import { userOperations } from './user-queries.js';
import { batchOperations } from './batch-queries.js';
import { batchFeedOperations } from './batch-feed-queries.js';
import { workflowOperations } from './workflow-queries.js';
import { workflowRunOperations } from './workflow-run-queries.js';
import type { RunColumns } from './row-mapping.js';
import type { RunRecord, Store, StoreCapabilities } from './store.js';

/** The operations each dialect writes by hand. */
export type HotPath = Pick<
  Store,
  | 'claimDueTasks'
  | 'startRunsWithExecutions'
  | 'admitRunsWithExecutions'
  | 'settleRuns'
  | 'renewLeases'
  | 'recoverRuns'
> &
  /** A dialect may also write logs by hand; otherwise the Kysely version is used. */
  Partial<Pick<Store, 'appendRunLogs'>>;

export interface KyselyStoreParts {
  dialect: Store['dialect'];
  capabilities: StoreCapabilities;
  db: Kysely<Database>;
  hotPath: HotPath;
  /** A dialect's faster task read (SQLite: a statement kept prepared; PostgreSQL: the reads of one turn in one statement). */
  getTask?: Store['getTask'];
  /** A dialect's faster run-event insert (SQLite: a cached prepared statement). */
  appendRunEvents?: Store['appendRunEvents'];
  setRunCheckpoint?: Store['setRunCheckpoint'];
  /** A dialect's faster per-run executor statements (SQLite: cached prepared statements). */
  executions?: Partial<
    Pick<
      Store,
      'insertExecution' | 'getExecution' | 'completeExecution' | 'takeQueuedExecutions' | 'takeKillRequests'
    >
  >;
  /** A dialect's own lease takeover (PostgreSQL: locks in id order, see postgres-takeover.ts). */
  expireLeasesOf?: NodeStore['expireLeasesOf'];
  /** The dialect has FOR UPDATE SKIP LOCKED (PostgreSQL): claims of several nodes skip each other's rows. */
  skipLocked?: boolean;
  /** The cluster-wide lock of the threshold evaluator (PostgreSQL); absent: always held. */
  holdEvaluatorLock?: () => Promise<boolean>;
  /** The cluster-wide lock of the run pruner (PostgreSQL); absent: always held. */
  holdPrunerLock?: () => Promise<boolean>;
  /** A dialect's step of giving free pages back to the file system (SQLite). */
  reclaimSpace?: (pages: number) => Promise<SpaceReport>;
  /**
   * Inserts runs in one transaction, ON CONFLICT DO NOTHING, answering those inserted, oldest
   * first (SQLite: a cached prepared statement per row; PostgreSQL: one statement over arrays).
   */
  insertRunRows: (runs: RunColumns[]) => Promise<RunRecord[]>;
  /** Runs multi-statement writes in a transaction of their own (write-steps.ts). */
  runSteps: StepRunner;
  now: () => number;
  /** Releases the connection(s) and anything else the store holds (the SQLite lock). */
  close: () => Promise<void>;
}

/** The entries of `operations` that are defined: a dialect's replacements, where it has them. */
function defined<T extends object>(operations: T | undefined): Partial<T> {
  return Object.fromEntries(
    Object.entries(operations ?? {}).filter(([, value]) => value !== undefined),
  ) as Partial<T>;
}

/**
 * A Store on Kysely: each concept's operations, then the dialect's hot path and its faster
 * statements, which replace the Kysely versions of the same operations.
 */
export function openKyselyStore(parts: KyselyStoreParts): Store {
  const hot = parts.hotPath;
  const events = new RunEventQueries(parts.db);
  const stats = new RunStatsQueries(parts.db);
  let closing: Promise<void> | undefined;
  return {
    dialect: parts.dialect,
    capabilities: parts.capabilities,
    ...catalogOperations(parts),
    ...(parts.getTask ? { getTask: parts.getTask } : {}),
    ...runOperations(parts),
    ...executorOperations(parts),
    ...defined(parts.executions),
    ...calendarOperations(parts),
    ...nodeOperations(parts),
    ...alertOperations(parts),
    ...outboundRulesOperations(parts),
    ...secretOperations(parts),
    ...accessOperations(parts),
    ...userOperations(parts),
    ...retentionOperations(parts),
    ...workflowOperations(parts),
    ...workflowRunOperations(parts),
    applyDefinitions: (writes: DefinitionWrites): Promise<DefinitionIds> =>
      parts.runSteps(() => definitionWriteSteps(parts.db, writes, parts.now())),
    ...deadLetterOperations(parts),
    ...batchOperations(parts),
    ...batchFeedOperations(parts),
    ...pacingOperations(parts),
    ...clusterPaceOperations(parts),
    appendRunEvents: parts.appendRunEvents ?? ((entries) => events.appendRunEvents(entries)),
    listRunEvents: (runId, afterSeq, limit) => events.listRunEvents(runId, afterSeq, limit),
    lastRunEventSeq: (runId) => events.lastRunEventSeq(runId),
    setRunCheckpoint:
      parts.setRunCheckpoint ?? ((runId, checkpoint) => events.setRunCheckpoint(runId, checkpoint)),
    adoptResumableRuns: (options) => events.adoptResumableRuns(options),
    runStats: (query) => stats.runStats(query),
    claimDueTasks: (options, plan) => hot.claimDueTasks(options, plan),
    markRunsStarted: async (starts) =>
      (await hot.startRunsWithExecutions(starts)).map((s) => s.result === 'started'),
    startRunsWithExecutions: (starts) => hot.startRunsWithExecutions(starts),
    admitRuns: async (requests) => (await hot.admitRunsWithExecutions(requests)).map((s) => s.result),
    admitRunsWithExecutions: (requests) => hot.admitRunsWithExecutions(requests),
    settleRuns: (settlements) => hot.settleRuns(settlements),
    renewLeases: (owner, leaseExpiresAt) => hot.renewLeases(owner, leaseExpiresAt),
    recoverRuns: (options, decideLost) => hot.recoverRuns(options, decideLost),
    ...(hot.appendRunLogs ? { appendRunLogs: hot.appendRunLogs.bind(hot) } : {}),
    close: () => (closing ??= parts.close()),
  };
}
