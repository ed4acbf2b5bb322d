/**
 * Budgets and provider pools for one node, decided in memory before admission (pacing-gate.ts).
 * On a cluster the nodes hold the pools' limits together (pools/shared-pool-pacer.ts) and count
 * their budgets' usage together (budgets/shared-budget-counts.ts); on SQLite the one node's
 * memory is the whole truth.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { EventBus } from '../events.js';
import { SharedBudgetCounts } from '../budgets/shared-budget-counts.js';
import { SharedPoolPacer } from '../pools/shared-pool-pacer.js';
import type { Store } from '../store/store.js';
import { PacingGate } from './pacing-gate.js';

export interface PacingDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  nodeId: string;
  /** How many runs of a pool wait on this node (the run engine's, bound late). */
  waitingForPool: (poolId: number) => number;
  /** Let the waiting runs try again (a lease brought room). */
  retryWaiting: () => void;
}

export interface Pacing {
  gate: PacingGate;
  /** What the gate hears: runs settling (their usage), budgets changing (read again). */
  listen: (events: EventBus) => (() => void)[];
  stop: () => Promise<void>;
}

export function createPacing(deps: PacingDeps): Pacing {
  const { store, clock, logger } = deps;
  const shared = !store.capabilities.exclusiveWriter;
  const pacer = shared
    ? new SharedPoolPacer({
        store,
        clock,
        nodeId: deps.nodeId,
        queued: deps.waitingForPool,
        wake: deps.retryWaiting,
        onError: (error) => logger.warn({ err: error }, "leasing a pool's pace failed; retrying"),
      })
    : undefined;
  const budgetCounts = shared
    ? new SharedBudgetCounts({
        store,
        clock,
        onError: (error) => logger.warn({ err: error }, 'counting budgets failed; retrying'),
      })
    : undefined;
  const gate = new PacingGate({ store, clock, pacer, budgetCounts });
  return {
    gate,
    listen: (events) => [
      events.on('run:finished', ({ run, task }) => gate.settled(run, task)),
      // A budget changed (its period may have): its usage is read again.
      events.on('task:changed', ({ task }) => gate.forgetBudgetsOf({ kind: 'task', taskId: task.id })),
      events.on('app:changed', ({ appId }) => gate.forgetBudgetsOf({ kind: 'app', appId })),
    ],
    stop: async () => {
      await pacer?.stop();
      await budgetCounts?.stop();
    },
  };
}
