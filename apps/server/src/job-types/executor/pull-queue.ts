/**
 * The pull side of dispatch: a pull executor long-polls Kairos (no inbound port). Each poll is
 * its heartbeat; it gets its queued executions (taken once in the store, whatever the node it
 * polls) and the ids of executions whose kill was requested. With nothing to hand out, the poll
 * waits until work is queued on this node, re-reading the store every `rereadMs` for work queued
 * on other nodes, up to the wait the executor asked for.
 */
import type { Clock } from '../../clock.js';
import type { ExecutionRecord } from '../../store/executor-records.js';
import type { AppRecord } from '../../store/records.js';
import type { Store } from '../../store/store.js';
import type { ExecutionHub } from './execution-hub.js';
import type { ExecutorRegistry } from './executor-registry.js';

export const PULL_ADDRESS_PREFIX = 'pull://';

export interface PollResult {
  tasks: Record<string, unknown>[];
  kills: number[];
}

const HEARTBEAT_WRITE_MS = 1000;

export class PullQueue {
  private readonly lastBeat = new Map<string, number>();

  constructor(
    private readonly deps: {
      store: Store;
      clock: Clock;
      hub: ExecutionHub;
      registry: ExecutorRegistry;
      /** Store re-read interval while waiting, when other nodes may queue work (PostgreSQL). */
      rereadMs: number;
    },
  ) {}

  async poll(
    app: AppRecord,
    executorId: string,
    options: { waitMs: number; max: number },
  ): Promise<PollResult> {
    const { store, clock, hub, registry } = this.deps;
    const address = `${PULL_ADDRESS_PREFIX}${executorId}`;
    // Each poll is a heartbeat, but a busy executor polls many times a second: write it once a second.
    const key = `${app.id} ${address}`;
    const now = clock.now();
    if (now - (this.lastBeat.get(key) ?? 0) >= HEARTBEAT_WRITE_MS) {
      await registry.register(app.id, address, 'pull', 'kairos');
      this.lastBeat.set(key, now);
    }
    const deadline = clock.now() + options.waitMs;
    for (;;) {
      const mark = hub.queuedMark(app.id, address);
      const [taken, kills] = await Promise.all([
        store.takeQueuedExecutions(app.id, address, options.max),
        store.takeKillRequests(app.id, address),
      ]);
      const remaining = deadline - clock.now();
      if (taken.length > 0 || kills.length > 0 || remaining <= 0 || hub.stopped) {
        return { tasks: taken.map(toTask), kills };
      }
      const wait = store.capabilities.exclusiveWriter ? remaining : Math.min(remaining, this.deps.rereadMs);
      await hub.waitForQueued(app.id, address, wait, mark);
    }
  }

  async disconnect(app: AppRecord, executorId: string): Promise<void> {
    this.lastBeat.delete(`${app.id} ${PULL_ADDRESS_PREFIX}${executorId}`);
    await this.deps.registry.remove(app.id, `${PULL_ADDRESS_PREFIX}${executorId}`, 'pull');
  }
}

const toTask = (e: ExecutionRecord): Record<string, unknown> => e.trigger;
