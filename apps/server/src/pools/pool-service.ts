/**
 * Provider pacing pools: CRUD (POST/GET/PATCH/DELETE /api/v1/pools) and their live state on this
 * node (runs queued for the pool, running, backing off). Pools are named per namespace; tasks
 * name one (`pool`), batches too.
 */
import type { Pool, PoolUpdateInput, PoolCreate } from '@kairos/protocol';
import type { z } from 'zod';
import type { Clock } from '../clock.js';
import { KairosError } from '../errors.js';
import type { Namespaces } from '../services/namespaces.js';
import type { PoolRecord } from '../store/pacing-queries.js';
import type { Store } from '../store/store.js';
import { StoreConflictError } from '../store/store.js';
import type { Pacer } from './pool-pacer.js';

const iso = (ms: number): string => new Date(ms).toISOString();

export interface PoolServiceDeps {
  store: Store;
  clock: Clock;
  namespaces: Namespaces;
  pacer: Pacer;
  /** Runs of this node waiting (queued) for the pool. */
  queued: (poolId: number) => number;
  /** A pool changed or was deleted on this node: cached copies are dropped. */
  changed: (poolId: number) => void;
}

export class PoolService {
  constructor(private readonly deps: PoolServiceDeps) {}

  async create(input: z.output<typeof PoolCreate>): Promise<Pool> {
    const ns = await this.deps.namespaces.resolve(input.namespace);
    try {
      const pool = await this.deps.store.createPool({
        namespaceId: ns.id,
        name: input.name,
        description: input.description ?? null,
        requestsPerMinute: input.requestsPerMinute ?? null,
        tokensPerMinute: input.tokensPerMinute ?? null,
        concurrency: input.concurrency ?? null,
      });
      return this.present(pool, ns.name);
    } catch (error) {
      if (error instanceof StoreConflictError) {
        throw new KairosError(
          'NAME_TAKEN',
          `name: a pool named "${input.name}" exists already in ${ns.name}`,
          {
            field: 'name',
          },
        );
      }
      throw error;
    }
  }

  async list(namespace: string | undefined): Promise<Pool[]> {
    const ns = await this.deps.namespaces.resolve(namespace);
    return (await this.deps.store.listPools(ns.id)).map((p) => this.present(p, ns.name));
  }

  async get(namespace: string | undefined, name: string): Promise<Pool> {
    const { pool, ns } = await this.find(namespace, name);
    return this.present(pool, ns);
  }

  async update(namespace: string | undefined, name: string, patch: PoolUpdateInput): Promise<Pool> {
    const { pool, ns } = await this.find(namespace, name);
    const updated = await this.deps.store.updatePool(pool.id, patch);
    if (!updated) throw notFound(name);
    this.deps.changed(pool.id);
    return this.present(updated, ns);
  }

  async delete(namespace: string | undefined, name: string): Promise<void> {
    const { pool } = await this.find(namespace, name);
    try {
      await this.deps.store.deletePool(pool.id);
    } catch (error) {
      if (error instanceof StoreConflictError) {
        throw new KairosError('IN_USE', `pool "${name}" is named by tasks; change their pool first`);
      }
      throw error;
    }
    this.deps.pacer.forget(pool.id);
    this.deps.changed(pool.id);
  }

  private async find(namespace: string | undefined, name: string): Promise<{ pool: PoolRecord; ns: string }> {
    const ns = await this.deps.namespaces.resolve(namespace);
    const pool = await this.deps.store.getPoolByName(ns.id, name);
    if (!pool) throw notFound(name);
    return { pool, ns: ns.name };
  }

  private present(pool: PoolRecord, namespace: string): Pool {
    const now = this.deps.clock.now();
    const state = this.deps.pacer.state(pool.id, now);
    return {
      id: pool.id,
      namespace,
      name: pool.name,
      description: pool.description,
      requestsPerMinute: pool.requestsPerMinute,
      tokensPerMinute: pool.tokensPerMinute,
      concurrency: pool.concurrency,
      live: {
        queued: this.deps.queued(pool.id),
        running: state.running,
        backoffUntil: state.backoffUntil === null ? null : iso(state.backoffUntil),
      },
      createdAt: iso(pool.createdAt),
      updatedAt: iso(pool.updatedAt),
    };
  }
}

const notFound = (name: string) =>
  new KairosError('POOL_NOT_FOUND', `pool "${name}" does not exist in this namespace`);
