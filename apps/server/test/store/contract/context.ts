/**
 * What the contract's parts share: the database under test and fixtures that build valid
 * records with as little noise as possible.
 */
import type { Schedule } from '@kairos/protocol';
import type {
  AppRecord,
  DecideLost,
  NamespaceRecord,
  NewRun,
  NewTask,
  RunEnd,
  Settlement,
  Store,
  TaskRecord,
} from '../../../src/store/store.js';

export interface ContractDatabase {
  /**
   * Opens a store on this test's database and migrates it. Each call is another store: another
   * node on PostgreSQL; refused on SQLite while one is open.
   */
  open(options?: { now?: () => number }): Promise<Store>;
  /** Raw SQL behind the store's back, only to inspect or tamper with the migration ledger. */
  query(sql: string): Promise<Record<string, unknown>[]>;
  /** Closes every store opened by open() and removes the database. */
  dispose(): Promise<void>;
}

export interface ContractContext {
  /** The store opened for the current test. */
  readonly store: Store;
  readonly database: ContractDatabase;
}

export const CRON: Schedule = {
  type: 'cron',
  expression: '*/5 * * * * *',
  timezone: 'UTC',
  misfire: { policy: 'skip', thresholdSeconds: 5, maxCatchUp: 100 },
  dstGap: 'shift',
};

export interface Seeded {
  ns: NamespaceRecord;
  app: AppRecord;
}

let appCounter = 0;

export async function seed(store: Store, namespace = 'default'): Promise<Seeded> {
  const ns = await store.ensureNamespace(namespace);
  appCounter += 1;
  const app = await store.createApp({
    namespaceId: ns.id,
    appName: `app-${appCounter}`,
    name: 'An app',
    description: null,
    maxConcurrency: null,
    accessTokenHash: `hash-${appCounter}`,
    accessTokenHint: 'abcd',
  });
  return { ns, app };
}

export function taskInput(seeded: Seeded, overrides: Partial<NewTask> = {}): NewTask {
  return {
    namespaceId: seeded.ns.id,
    appId: seeded.app.id,
    name: 'A task',
    description: null,
    type: 'http',
    config: { url: 'http://127.0.0.1:9/hook', method: 'POST' },
    schedule: CRON,
    timeoutSeconds: null,
    retry: { maxAttempts: 1, backoff: 'exponential', delaySeconds: 10, maxDelaySeconds: 3600 },
    concurrency: { max: 1, overlap: 'skip' },
    enabled: true,
    nextFireAt: null,
    outputGate: null,
    ...overrides,
  };
}

export function runInput(task: TaskRecord, overrides: Partial<NewRun> = {}): NewRun {
  return {
    taskId: task.id,
    appId: task.appId,
    namespaceId: task.namespaceId,
    triggerType: 'manual',
    status: 'scheduled',
    slotAt: null,
    scheduledAt: 1_000,
    attempt: 1,
    retryOf: null,
    input: null,
    leaseOwner: 'node-a',
    leaseExpiresAt: 60_000,
    ...overrides,
  };
}

/** Inserts `count` scheduled runs of a task and returns their ids, oldest first. */
export async function scheduledRuns(
  store: Store,
  task: TaskRecord,
  count: number,
  overrides: Partial<NewRun> = {},
) {
  const ids: number[] = [];
  for (let i = 0; i < count; i++) {
    const { run } = await store.insertRun(runInput(task, { scheduledAt: 1_000 + i, ...overrides }));
    ids.push(run.id);
  }
  return ids;
}

export function start(runId: number, leaseOwner = 'node-a') {
  return { runId, startedAt: 2_000, executor: 'exec-1', leaseOwner, leaseExpiresAt: 60_000 };
}

/** An end with nothing following it (no retry, no next fire). */
export function bareSettlement(
  runId: number,
  expected: Settlement['expected'],
  end: Partial<RunEnd> & Pick<RunEnd, 'status'>,
): Settlement {
  return {
    runId,
    expected,
    end: { finishedAt: 3_000, durationMs: null, error: null, retryable: false, ...end },
    retry: null,
    nextFire: null,
  };
}

/**
 * Ends runs with nothing following, each expected in the status it has now (a terminal one is
 * expected `running`, so it reports false); resolves with whether each applied.
 */
export async function endRuns(
  store: Store,
  ends: (Partial<RunEnd> & Pick<RunEnd, 'status'> & { runId: number })[],
): Promise<boolean[]> {
  const settlements = await Promise.all(
    ends.map(async ({ runId, ...end }) => {
      const status = (await store.getRun(runId))?.status;
      return bareSettlement(runId, status === 'scheduled' ? 'scheduled' : 'running', end);
    }),
  );
  return (await store.settleRuns(settlements)).map((r) => r.settled);
}

/** Recovery's decision with nothing following a loss. */
export const loseAt =
  (finishedAt: number): DecideLost =>
  (run) =>
    bareSettlement(run.id, 'running', {
      status: 'lost',
      finishedAt,
      error: { type: 'lost', message: 'no live lease' },
      retryable: true,
    });
