/**
 * Provider pacing pools and budgets: the pools' CRUD, a namespace's
 * budget, the scopes that carry a budget, and the usage a budget counts (summed from the run
 * statistics rollup, never the run table). Both dialects.
 */
import { sql, type Kysely, type Selectable, type Updateable } from 'kysely';
import type { Budget } from '@kairos/protocol';
import type { Database, PoolsTable } from './db-schema.js';
import { mapConflict } from './db-errors.js';
import { StoreConflictError } from './store.js';

export interface PoolRecord {
  id: number;
  namespaceId: number;
  name: string;
  description: string | null;
  requestsPerMinute: number | null;
  tokensPerMinute: number | null;
  concurrency: number | null;
  createdAt: number;
  updatedAt: number;
}
export type NewPool = Omit<PoolRecord, 'id' | 'createdAt' | 'updatedAt'>;
export type PoolPatch = Partial<
  Pick<PoolRecord, 'description' | 'requestsPerMinute' | 'tokensPerMinute' | 'concurrency'>
>;

/** Whose runs a budget counts. */
export type BudgetScope =
  | { kind: 'task'; taskId: number }
  | { kind: 'app'; appId: number }
  | { kind: 'namespace'; namespaceId: number };

/** A task, app or namespace that carries a budget. */
export interface BudgetedScope {
  scope: BudgetScope;
  namespaceId: number;
  name: string;
  budget: Budget;
}

export interface PacingStore {
  /** Throws StoreConflictError when the namespace has a pool of that name. */
  createPool(pool: NewPool): Promise<PoolRecord>;
  getPool(id: number): Promise<PoolRecord | undefined>;
  getPoolByName(namespaceId: number, name: string): Promise<PoolRecord | undefined>;
  /** The namespace's pools by name (a namespace has few). */
  listPools(namespaceId: number): Promise<PoolRecord[]>;
  updatePool(id: number, patch: PoolPatch): Promise<PoolRecord | undefined>;
  /** Throws StoreConflictError while tasks name the pool. */
  deletePool(id: number): Promise<boolean>;
  setNamespaceBudget(namespaceId: number, budget: Budget | null): Promise<void>;
  /** The namespace itself, its apps and its tasks that carry a budget. */
  listBudgetedScopes(namespaceId: number): Promise<BudgetedScope[]>;
  /**
   * Tokens and cost of the scope's runs settled with a finish minute in [from, to), from the
   * minute rollup (run_stats, kept in each settlement's transaction).
   */
  sumRunUsage(scope: BudgetScope, from: number, to: number): Promise<{ tokens: number; cost: number }>;
}

const toRecord = (row: Selectable<PoolsTable>): PoolRecord => ({
  id: Number(row.id),
  namespaceId: Number(row.namespace_id),
  name: row.name,
  description: row.description,
  requestsPerMinute: row.requests_per_minute,
  tokensPerMinute: row.tokens_per_minute,
  concurrency: row.concurrency,
  createdAt: Number(row.created_at),
  updatedAt: Number(row.updated_at),
});

const parseBudget = (text: string | null | undefined): Budget | null =>
  text ? (JSON.parse(text) as Budget) : null;

export function pacingOperations(parts: { db: Kysely<Database>; now: () => number }): PacingStore {
  const { db, now } = parts;
  return {
    async createPool(pool) {
      const at = now();
      const row = await mapConflict(
        'unique',
        () =>
          new StoreConflictError(
            `a pool named "${pool.name}" exists already in this namespace`,
            'pools_namespace_name_key',
          ),
        () =>
          db
            .insertInto('pools')
            .values({
              namespace_id: pool.namespaceId,
              name: pool.name,
              description: pool.description,
              requests_per_minute: pool.requestsPerMinute,
              tokens_per_minute: pool.tokensPerMinute,
              concurrency: pool.concurrency,
              created_at: at,
              updated_at: at,
            })
            .returningAll()
            .executeTakeFirstOrThrow(),
      );
      return toRecord(row);
    },
    async getPool(id) {
      const row = await db.selectFrom('pools').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toRecord(row);
    },
    async getPoolByName(namespaceId, name) {
      const row = await db
        .selectFrom('pools')
        .selectAll()
        .where('namespace_id', '=', namespaceId)
        .where('name', '=', name)
        .executeTakeFirst();
      return row && toRecord(row);
    },
    async listPools(namespaceId) {
      const rows = await db
        .selectFrom('pools')
        .selectAll()
        .where('namespace_id', '=', namespaceId)
        .orderBy('name')
        .execute();
      return rows.map(toRecord);
    },
    async updatePool(id, patch) {
      const set: Updateable<PoolsTable> = { updated_at: now() };
      if (patch.description !== undefined) set.description = patch.description;
      if (patch.requestsPerMinute !== undefined) set.requests_per_minute = patch.requestsPerMinute;
      if (patch.tokensPerMinute !== undefined) set.tokens_per_minute = patch.tokensPerMinute;
      if (patch.concurrency !== undefined) set.concurrency = patch.concurrency;
      const row = await db
        .updateTable('pools')
        .set(set)
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      return row && toRecord(row);
    },
    async deletePool(id) {
      const result = await mapConflict(
        'foreign_key',
        () => new StoreConflictError('tasks still name this pool; change them first', 'tasks_pool_id_fkey'),
        () => db.deleteFrom('pools').where('id', '=', id).executeTakeFirst(),
      );
      return Number(result.numDeletedRows) > 0;
    },
    async setNamespaceBudget(namespaceId, budget) {
      await db
        .updateTable('namespaces')
        .set({ budget: budget === null ? null : JSON.stringify(budget) })
        .where('id', '=', namespaceId)
        .execute();
    },
    async listBudgetedScopes(namespaceId) {
      const [ns, apps, tasks] = await Promise.all([
        db
          .selectFrom('namespaces')
          .select(['id', 'name', 'budget'])
          .where('id', '=', namespaceId)
          .where('budget', 'is not', null)
          .execute(),
        db
          .selectFrom('apps')
          .select(['id', 'app_name', 'budget'])
          .where('namespace_id', '=', namespaceId)
          .where('budget', 'is not', null)
          .orderBy('app_name')
          .execute(),
        db
          .selectFrom('tasks')
          .select(['id', 'name', 'budget'])
          .where('namespace_id', '=', namespaceId)
          .where('budget', 'is not', null)
          .orderBy('id')
          .execute(),
      ]);
      return [
        ...ns.map((r) => ({
          scope: { kind: 'namespace' as const, namespaceId: Number(r.id) },
          namespaceId,
          name: r.name,
          budget: parseBudget(r.budget)!,
        })),
        ...apps.map((r) => ({
          scope: { kind: 'app' as const, appId: Number(r.id) },
          namespaceId,
          name: r.app_name,
          budget: parseBudget(r.budget)!,
        })),
        ...tasks.map((r) => ({
          scope: { kind: 'task' as const, taskId: Number(r.id) },
          namespaceId,
          name: r.name,
          budget: parseBudget(r.budget)!,
        })),
      ];
    },
    async sumRunUsage(scope, from, to) {
      let q = db
        .selectFrom('run_stats')
        .select([
          sql<number | string | null>`SUM(tokens)`.as('tokens'),
          sql<number | string | null>`SUM(cost)`.as('cost'),
        ])
        .where('bucket_at', '>=', from)
        .where('bucket_at', '<', to);
      if (scope.kind === 'task') q = q.where('task_id', '=', scope.taskId);
      else if (scope.kind === 'app') q = q.where('app_id', '=', scope.appId);
      else q = q.where('namespace_id', '=', scope.namespaceId);
      const row = await q.executeTakeFirst();
      return { tokens: Number(row?.tokens ?? 0), cost: Number(row?.cost ?? 0) };
    },
  };
}
