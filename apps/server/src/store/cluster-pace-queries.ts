/**
 * The pace shared by the nodes of a cluster: a pool's buckets and back-off (one row per pool,
 * taken under its row lock), the places of its concurrency each node holds (leases that expire),
 * and what each budget scope used in a period (counters the nodes add to). Both dialects; only a
 * cluster (PostgreSQL) uses them, a single process paces in memory.
 */
import type { Kysely } from 'kysely';
import type { Database } from './db-schema.js';
import type { StepRunner, WriteSteps } from './write-steps.js';

/** A pool's shared buckets as of `refilledAt` (the token level may be below zero: a debt). */
export interface PoolPaceRow {
  requests: number;
  tokens: number;
  refilledAt: number;
  backoffUntil: number;
}

export interface PoolLeaseRequest {
  poolId: number;
  nodeId: string;
  now: number;
  /** How long the places this node holds stay its own without another lease. */
  slotTtlMs: number;
  /**
   * Pure: from the pool's row (undefined: its first lease) and the places other nodes hold, the
   * row to write and the places this node holds from now. Called under the row's lock.
   */
  decide(row: PoolPaceRow | undefined, othersHeld: number): { row: PoolPaceRow; held: number };
}

export interface PoolLease {
  row: PoolPaceRow;
  held: number;
  othersHeld: number;
}

export interface BudgetCount {
  scope: string;
  periodStart: number;
  periodEnd: number;
  tokens: number;
  cost: number;
}

export interface ClusterPaceStore {
  /**
   * One lease of a pool's pace for a node, in one transaction: the pool's row is locked (an
   * UPDATE that changes nothing), so the leases of all nodes on one pool follow one another.
   */
  leasePoolPace(request: PoolLeaseRequest): Promise<PoolLease>;
  /**
   * Adds each count to its scope's counter for its period (created at zero), and returns the
   * counters of `read` (scope and period start), those added to included. Rows of periods that
   * ended by `forgetBefore` are deleted.
   */
  addBudgetCounts(
    add: BudgetCount[],
    read: { scope: string; periodStart: number }[],
    forgetBefore: number,
  ): Promise<Map<string, { tokens: number; cost: number }>>;
}

interface PoolPacesTable {
  pool_id: number;
  requests: number;
  tokens: number;
  refilled_at: number;
  backoff_until: number;
}
interface PoolSlotsTable {
  pool_id: number;
  node_id: string;
  held: number;
  expires_at: number;
}
interface BudgetCountersTable {
  scope: string;
  period_start: number;
  period_end: number;
  tokens: number;
  cost: number;
}
type PaceTables = {
  pool_paces: PoolPacesTable;
  pool_slots: PoolSlotsTable;
  budget_counters: BudgetCountersTable;
};

const toRow = (r: Record<string, unknown>): PoolPaceRow => ({
  requests: Number(r.requests),
  tokens: Number(r.tokens),
  refilledAt: Number(r.refilled_at),
  backoffUntil: Number(r.backoff_until),
});

export const budgetCountKey = (scope: string, periodStart: number): string => `${scope}@${periodStart}`;

export function clusterPaceOperations(parts: {
  db: Kysely<Database>;
  runSteps: StepRunner;
}): ClusterPaceStore {
  const db = parts.db as unknown as Kysely<PaceTables>;

  function* lockPace(poolId: number): WriteSteps<PoolPaceRow | undefined> {
    const [row] = yield db
      .updateTable('pool_paces')
      .set((eb) => ({ refilled_at: eb.ref('refilled_at') }))
      .where('pool_id', '=', poolId)
      .returningAll()
      .compile();
    return row && toRow(row);
  }

  function* lease(request: PoolLeaseRequest): WriteSteps<PoolLease> {
    const { poolId, nodeId, now } = request;
    let decided: { row: PoolPaceRow; held: number } | undefined;
    let othersHeld = 0;
    let before = yield* lockPace(poolId);
    if (!before) {
      // The pool's first lease: nobody has leased it, so nobody holds its places. Its decision is
      // stored as the row; if another node inserted the row first, this one decides on theirs.
      const first = request.decide(undefined, 0);
      const inserted = yield db
        .insertInto('pool_paces')
        .values({
          pool_id: poolId,
          requests: first.row.requests,
          tokens: first.row.tokens,
          refilled_at: first.row.refilledAt,
          backoff_until: first.row.backoffUntil,
        })
        .onConflict((oc) => oc.column('pool_id').doNothing())
        .returning('pool_id')
        .compile();
      if (inserted.length > 0) decided = first;
      else before = yield* lockPace(poolId);
    }
    if (!decided) {
      const [others] = yield db
        .selectFrom('pool_slots')
        .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('held'), eb.lit(0)).as('held'))
        .where('pool_id', '=', poolId)
        .where('node_id', '<>', nodeId)
        .where('expires_at', '>', now)
        .compile();
      othersHeld = Number(others?.held ?? 0);
      decided = request.decide(before, othersHeld);
      yield db
        .updateTable('pool_paces')
        .set({
          requests: decided.row.requests,
          tokens: decided.row.tokens,
          refilled_at: decided.row.refilledAt,
          backoff_until: decided.row.backoffUntil,
        })
        .where('pool_id', '=', poolId)
        .compile();
    }
    if (decided.held > 0) {
      const slot = { held: decided.held, expires_at: now + request.slotTtlMs };
      yield db
        .insertInto('pool_slots')
        .values({ pool_id: poolId, node_id: nodeId, ...slot })
        .onConflict((oc) => oc.columns(['pool_id', 'node_id']).doUpdateSet(slot))
        .compile();
    } else {
      yield db.deleteFrom('pool_slots').where('pool_id', '=', poolId).where('node_id', '=', nodeId).compile();
    }
    return { row: decided.row, held: decided.held, othersHeld };
  }

  function* addCounts(
    add: BudgetCount[],
    read: { scope: string; periodStart: number }[],
    forgetBefore: number,
  ): WriteSteps<Map<string, { tokens: number; cost: number }>> {
    // Rows in one order on every node: two nodes adding to the same counters never deadlock.
    const ordered = [...add].sort((a, b) =>
      a.scope < b.scope ? -1 : a.scope > b.scope ? 1 : a.periodStart - b.periodStart,
    );
    for (const count of ordered) {
      yield db
        .insertInto('budget_counters')
        .values({
          scope: count.scope,
          period_start: count.periodStart,
          period_end: count.periodEnd,
          tokens: count.tokens,
          cost: count.cost,
        })
        .onConflict((oc) =>
          oc.columns(['scope', 'period_start']).doUpdateSet((eb) => ({
            tokens: eb('budget_counters.tokens', '+', count.tokens),
            cost: eb('budget_counters.cost', '+', count.cost),
          })),
        )
        .compile();
    }
    yield db.deleteFrom('budget_counters').where('period_end', '<=', forgetBefore).compile();
    const out = new Map<string, { tokens: number; cost: number }>();
    if (read.length === 0) return out;
    const rows = yield db
      .selectFrom('budget_counters')
      .selectAll()
      .where(
        'scope',
        'in',
        read.map((r) => r.scope),
      )
      .compile();
    const wanted = new Set(read.map((r) => budgetCountKey(r.scope, r.periodStart)));
    for (const row of rows) {
      const key = budgetCountKey(String(row.scope), Number(row.period_start));
      if (wanted.has(key)) out.set(key, { tokens: Number(row.tokens), cost: Number(row.cost) });
    }
    return out;
  }

  return {
    leasePoolPace: (request) => parts.runSteps(() => lease(request)),
    addBudgetCounts: (add, read, forgetBefore) => parts.runSteps(() => addCounts(add, read, forgetBefore)),
  };
}
