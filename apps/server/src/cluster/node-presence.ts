/**
 * This node's row in the `nodes` table: registered once the HTTP listener is bound,
 * `alive` with a heartbeat while it runs, `stopping` from SIGTERM, `stopped` at the end. On
 * PostgreSQL it also takes the node's liveness lock (liveness-session.ts) before it says `alive`.
 * On SQLite the process is the only node: rows a crashed predecessor left live are marked dead.
 */
import { randomInt } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../clock.js';
import { LIVE_NODE_STATES } from '../store/node-store.js';
import type { Store } from '../store/store.js';

export interface NodePresenceDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  nodeId: string;
  version: string;
  heartbeatMs: number;
  /** PostgreSQL: holds the liveness lock. Absent with SQLite. */
  lock?: { hold(lockKey: number): Promise<boolean>; close(): Promise<void> } | undefined;
}

/** A start refused because another live process uses this node id. */
export class NodeIdInUseError extends Error {
  override name = 'NodeIdInUseError';
}

export class NodePresence {
  private timer: TimerHandle | undefined;
  private beating: Promise<void> | undefined;
  private running = false;
  /** The row is this process's to update (not the case when the start was refused). */
  private registered = false;

  constructor(private readonly deps: NodePresenceDeps) {}

  /**
   * Registers the node and says it is alive at `url`. Runs its id held before this start are
   * from a previous life of the same id (a fixed KAIROS_NODE_ID): their leases are expired so
   * that the recovery at start takes them over.
   */
  async start(url: string | null): Promise<void> {
    const { store, clock, nodeId, lock } = this.deps;
    const now = clock.now();
    // The lock before the row: a refused start must leave the running node's row as it is.
    const previous = (await store.listNodes()).find((n) => n.id === nodeId);
    const lockKey = previous?.lockKey ?? randomInt(1, 2 ** 31 - 1);
    if (lock && !(await lock.hold(lockKey))) {
      throw new NodeIdInUseError(
        `node id "${nodeId}" is in use by another running Kairos (pid ${previous?.pid ?? '?'} on ` +
          `${previous?.host ?? '?'}): give each node its own KAIROS_NODE_ID / --node-id, or leave it unset`,
      );
    }
    await store.registerNode({
      id: nodeId,
      version: this.deps.version,
      host: hostname(),
      pid: process.pid,
      url,
      lockKey,
      startedAt: now,
    });
    this.registered = true;
    if (store.capabilities.exclusiveWriter) {
      for (const other of await store.listNodes()) {
        if (other.id !== nodeId && LIVE_NODE_STATES.includes(other.state))
          await store.markNodeDead(other.id, now);
      }
    }
    await store.expireLeasesOf(nodeId);
    await store.updateNode(nodeId, { state: 'alive', url, lastHeartbeatAt: clock.now() });
    this.running = true;
    this.schedule();
  }

  /** SIGTERM: the node drains; other nodes and `kairos nodes` see it `stopping`. */
  async stopping(): Promise<void> {
    if (!this.registered) return;
    await this.deps.store
      .updateNode(this.deps.nodeId, { state: 'stopping' })
      .catch((error: unknown) => this.deps.logger.warn({ err: error }, 'could not record the node stopping'));
  }

  /** The end of a clean stop: `stopped`, then the lock released (in that order, or a watcher would call it dead). */
  async stop(): Promise<void> {
    this.running = false;
    this.timer?.cancel();
    await this.beating;
    if (!this.registered) return this.deps.lock?.close();
    try {
      await this.deps.store.updateNode(this.deps.nodeId, { state: 'stopped', at: this.deps.clock.now() });
    } catch (error) {
      this.deps.logger.warn({ err: error }, 'could not record the node stopped');
    }
    await this.deps.lock?.close();
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = this.deps.clock.setTimer(() => {
      this.beating = this.deps.store
        .updateNode(this.deps.nodeId, { lastHeartbeatAt: this.deps.clock.now() })
        .catch((error: unknown) => this.deps.logger.warn({ err: error }, 'node heartbeat failed; retrying'))
        .finally(() => {
          this.beating = undefined;
          this.schedule();
        });
    }, this.deps.heartbeatMs);
  }
}
