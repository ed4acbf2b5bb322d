/**
 * Keeps this node's hold on its runs and takes over the runs of nodes that stopped holding
 * theirs. A node renews every third of the lease; a dead node's runs are recovered within one
 * lease: its planned runs are adopted, its running runs are resumed when their job saved a
 * checkpoint and settled `lost` otherwise, with their retry, in the recovery's transaction. On PostgreSQL it also delivers cancel requests made on other nodes.
 */
import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../clock.js';
import type { RunEngine } from '../runs/run-engine.js';
import type { Store } from '../store/store.js';
import { adoptRuns } from './adopt-runs.js';

export interface LeaseKeeperDeps {
  store: Store;
  clock: Clock;
  engine: RunEngine;
  logger: Logger;
  nodeId: string;
  leaseMs: number;
}

export class LeaseKeeper {
  private timer: TimerHandle | undefined;
  private running = false;
  private ticking: Promise<void> | undefined;

  constructor(private readonly deps: LeaseKeeperDeps) {}

  /**
   * Recovers at start. With an exclusive store (SQLite) no other process can hold a lease, so
   * every run a previous process left behind is recovered at once instead of after expiry.
   */
  async recoverAtStart(): Promise<void> {
    await this.recover(this.deps.store.capabilities.exclusiveWriter);
  }

  /**
   * Recovers expired leases now rather than at the next tick: a node was found dead and its
   * leases expired (cluster/node-liveness.ts), so its runs are taken over within a second.
   */
  async recoverNow(): Promise<void> {
    await this.recover(false);
  }

  start(): void {
    this.running = true;
    this.schedule();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.timer?.cancel();
    await this.ticking;
  }

  /** Gives up this node's leases (at shutdown) so another node or the next start takes over at once. */
  async release(): Promise<void> {
    await this.deps.store.renewLeases(this.deps.nodeId, 0);
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = this.deps.clock.setTimer(
      () => {
        this.ticking = this.tick().finally(() => {
          this.ticking = undefined;
          this.schedule();
        });
      },
      Math.floor(this.deps.leaseMs / 3),
    );
  }

  private async tick(): Promise<void> {
    const { store, clock, engine, nodeId, leaseMs } = this.deps;
    try {
      await store.renewLeases(nodeId, clock.now() + leaseMs);
      if (!store.capabilities.exclusiveWriter) {
        await this.recover(false);
        const cancelled = await store.listCancelRequested(nodeId);
        engine.abortLocal(cancelled, { kind: 'cancel' });
      }
    } catch (error) {
      this.deps.logger.error({ err: error }, 'lease renewal failed; retrying');
    }
  }

  private async recover(includeLive: boolean): Promise<void> {
    const { store, clock, engine, nodeId, leaseMs, logger } = this.deps;
    const now = clock.now();
    // First the running runs their job can resume (a checkpoint was saved): they keep running.
    const resumable = await store.adoptResumableRuns({
      owner: nodeId,
      now,
      leaseExpiresAt: now + leaseMs,
      includeLive,
    });
    if (resumable.length > 0)
      logger.info({ resumed: resumable.length }, 'resuming runs left by a stopped node');
    await engine.resume(resumable);
    await engine.settler.prepareRecovery();
    const { adopted, lost } = await store.recoverRuns(
      { owner: nodeId, now, leaseExpiresAt: now + leaseMs, includeLive },
      (run, task) => engine.settler.decideLost(run, task),
    );
    if (adopted.length > 0 || lost.length > 0) {
      logger.info({ adopted: adopted.length, lost: lost.length }, 'recovered runs left by a stopped node');
    }
    await engine.reportLost(lost);
    await adoptRuns(this.deps, adopted);
  }
}
