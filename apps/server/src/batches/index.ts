/**
 * Batch runs over a dataset, composed for one node: the service the API calls and the
 * feeder that turns items into runs. At start, batches left `preparing` by a start that did not
 * finish (a crash while their items were written) are deleted: none of their items ever ran.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { EventBus } from '../events.js';
import type { JobTypeRegistry } from '../job-types/registry.js';
import type { GuardSource } from '../outbound/namespace-guards.js';
import type { RunEngine } from '../runs/run-engine.js';
import type { Store } from '../store/store.js';
import { parseJobConfig } from '../job-types/job-config.js';
import type { TaskRecord } from '../store/records.js';
import { BatchFeeder } from './batch-feeder.js';
import { BatchService } from './batch-service.js';

/** How often the feeder looks without being woken (runs ended on other nodes, a restart). */
const POLL_MS = 1000;
/** On a cluster, a batch `preparing` this long belongs to a start that did not finish. */
const STALE_PREPARING_MS = 10 * 60_000;

export interface BatchesDeps {
  store: Store;
  clock: Clock;
  events: EventBus;
  engine: RunEngine;
  logger: Logger;
  guards: GuardSource;
  jobTypes: JobTypeRegistry;
  whenClear?: (() => Promise<void>) | undefined;
  nodeId: string;
  /** How long a node's lease on a batch it feeds lasts (a cluster's lease length). */
  leaseMs: number;
}

export function createBatches(deps: BatchesDeps) {
  const { store, clock } = deps;
  const feeder = new BatchFeeder({
    ...deps,
    pollMs: POLL_MS,
    // A single process (SQLite) is the only feeder; a cluster's nodes take a lease per batch.
    lease: store.capabilities.exclusiveWriter ? undefined : { nodeId: deps.nodeId, ttlMs: deps.leaseMs },
  });
  const service = new BatchService({
    store,
    clock,
    events: deps.events,
    engine: deps.engine,
    feeder,
    guards: deps.guards,
    itemCheckFor: (task) => inputCheckOf(deps.jobTypes, task),
    poolExists: async (namespaceId, name) => (await store.getPoolByName(namespaceId, name)) !== undefined,
    ...(deps.whenClear ? { whenClear: deps.whenClear } : {}),
  });
  return {
    service,
    feeder,
    async start(): Promise<void> {
      // SQLite: this process is the only writer, so any preparing batch is a dead start's.
      const before = store.capabilities.exclusiveWriter
        ? Number.MAX_SAFE_INTEGER
        : clock.now() - STALE_PREPARING_MS;
      for (const id of await store.listStalePreparing(before)) await store.deleteBatch(id);
      feeder.start();
    },
    stop: () => feeder.stop(),
  };
}

/** The task's job type's check of a run input (a Dify workflow's variables), if it has one. */
async function inputCheckOf(
  jobTypes: JobTypeRegistry,
  task: TaskRecord,
): Promise<((input: Record<string, unknown>) => string | undefined) | undefined> {
  const jobType = jobTypes.get(task.type);
  if (!jobType?.inputCheck) return undefined;
  try {
    return await jobType.inputCheck(parseJobConfig(jobType, task.config), task.namespaceId);
  } catch {
    return undefined; // a config that no longer parses fails its runs, which say why
  }
}
