/**
 * The liveness watcher (PostgreSQL). About every second each node asks which nodes
 * recorded live no longer hold their liveness lock (liveness-session.ts): PostgreSQL released it
 * because their connection died, so they died. The first node to mark one `dead`
 * (Store.markNodeDead, a conditional UPDATE: one winner) calls `onNodeDead`, which takes over its
 * runs at once instead of after their leases expire. Leases stay the fallback for a node that
 * is alive but cut off from the database, and for a taker-over that dies mid-takeover.
 */
import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../clock.js';
import type { Store } from '../store/store.js';
import type { LivenessProbe } from './liveness-session.js';

/** A node registered but not yet holding its lock is given this long before it is judged. */
const STARTING_GRACE_MS = 30_000;

export interface NodeLivenessDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  nodeId: string;
  probe: LivenessProbe;
  /** How often to look, in ms (default 1000). */
  checkMs?: number;
  /** Takes over a node this node found dead (its runs' leases expired, recovery run now). */
  onNodeDead: (nodeId: string) => Promise<void>;
}

export class NodeLiveness {
  private timer: TimerHandle | undefined;
  private running = false;
  private checking: Promise<void> | undefined;

  constructor(private readonly deps: NodeLivenessDeps) {}

  start(): void {
    this.running = true;
    this.schedule();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.timer?.cancel();
    await this.checking;
  }

  /** One pass: re-takes this node's own lock if it was lost, then finds and takes over dead nodes. */
  async check(): Promise<void> {
    const { store, clock, logger, nodeId, probe } = this.deps;
    try {
      if ((await probe.ensureHeld()) === 'retaken') {
        // Others may have marked this node dead meanwhile: it is alive again from now on.
        await store.updateNode(nodeId, { state: 'alive', lastHeartbeatAt: clock.now() });
      }
      const now = clock.now();
      for (const dead of await probe.nodesWithoutLock(nodeId, now - STARTING_GRACE_MS)) {
        if (!(await store.markNodeDead(dead, now))) continue; // another node takes it over
        logger.warn({ deadNode: dead }, 'node died (its liveness lock was released); taking over its runs');
        await this.deps.onNodeDead(dead);
      }
    } catch (error) {
      logger.error({ err: error }, 'liveness check failed; retrying');
    }
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = this.deps.clock.setTimer(() => {
      this.checking = this.check().finally(() => {
        this.checking = undefined;
        this.schedule();
      });
    }, this.deps.checkMs ?? 1000);
  }
}
