/**
 * Finds executions whose executor died: every sweep (`executorLostSweepMs`), the open executions
 * of executors silent for longer than the dead timeout (`executorDeadMs`) are completed `lost` (in
 * the store, once, whatever the number of nodes) and delivered to their waiting runs, which finish
 * `lost` and are retried by their task's policy. So a run on a dead executor is lost at most
 * dead timeout + one sweep after the executor's last heartbeat (90 s + 5 s by default), not
 * XXL-JOB's 10 minutes (§2.8). The sweep used to be a sixth of the dead timeout, which put the
 * bound at 105 s while the docs promised 90 s.
 */
import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../../clock.js';
import type { Store } from '../../store/store.js';
import type { ExecutionHub } from './execution-hub.js';
import type { ExecutorRegistry } from './executor-registry.js';

export interface LostMonitorOptions {
  store: Store;
  clock: Clock;
  hub: ExecutionHub;
  /** Forgets the live lists of the apps an executor died in, so the retries route around it. */
  registry?: Pick<ExecutorRegistry, 'invalidate'> | undefined;
  logger: Logger;
  deadMs: number;
  /** How often the sweep runs; the bound on `lost` is deadMs + sweepMs. */
  sweepMs: number;
}

export class LostMonitor {
  private timer: TimerHandle | undefined;
  private ticking: Promise<void> | undefined;
  private running = false;

  constructor(private readonly options: LostMonitorOptions) {}

  start(): void {
    this.running = true;
    this.schedule();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.timer?.cancel();
    await this.ticking;
  }

  /** Resolves when the sweep in progress, if any, is done (tests driving a manual clock). */
  async idle(): Promise<void> {
    await this.ticking;
  }

  /** One pass (tests call it directly). */
  async check(): Promise<number> {
    const { store, clock, hub, deadMs } = this.options;
    const now = clock.now();
    const lost = await store.loseExecutionsOfDeadExecutors(
      now - deadMs,
      now,
      `the executor stopped heartbeating (no heartbeat for ${Math.round(deadMs / 1000)} s): result lost`,
    );
    // The live list cached for routing may still hold the dead executor (it was listed within the
    // dead timeout when cached): dropped first, or a retry released now would go to it again.
    for (const appId of new Set(lost.map((e) => e.appId))) this.options.registry?.invalidate(appId);
    for (const execution of lost) hub.deliver(execution);
    if (lost.length > 0) {
      this.options.logger.warn({ executions: lost.length }, 'executions lost with their executor');
    }
    return lost.length;
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = this.options.clock.setTimer(() => {
      this.ticking = this.check()
        .then(
          () => undefined,
          (error: unknown) => this.options.logger.error({ err: error }, 'lost-executor check failed'),
        )
        .finally(() => {
          this.ticking = undefined;
          this.schedule();
        });
    }, this.options.sweepMs);
  }
}
