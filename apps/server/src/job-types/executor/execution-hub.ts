/**
 * Where the node that dispatched an execution learns that it completed. A completion is always
 * persisted first (store.completeExecution, which succeeds once); then, if the waiter is on this
 * node, it is resolved at once. On PostgreSQL the callback may reach another node: the owner
 * reads completions of the executions it awaits every `pollMs` and picks them up from the store.
 *
 * It also wakes long-polling pull executors when work is queued for them on this node (other
 * nodes' queues are found by the poll's own periodic re-read).
 */
import type { Clock, TimerHandle } from '../../clock.js';
import type { ExecutionRecord } from '../../store/executor-records.js';
import type { Store } from '../../store/store.js';

/** At most this many completions are kept for a waiter not there yet. */
const EARLY_KEPT = 1000;

export interface ExecutionHubOptions {
  store: Store;
  clock: Clock;
  /** How often awaited executions are re-read from the store when other nodes share it. */
  pollMs: number;
  onError: (error: unknown) => void;
}

export class ExecutionHub {
  private readonly waiters = new Map<number, (record: ExecutionRecord) => void>();
  /** Executions waited for since written with their run's start, not looked up yet (one process). */
  private readonly unchecked = new Set<number>();
  private checkTimer: TimerHandle | undefined;
  /** Completions delivered before their waiter came (one process on the store), oldest first. */
  private readonly early = new Map<number, ExecutionRecord>();
  private readonly pullWaiters = new Map<string, Set<() => void>>();
  /** Counts notifications per pull executor, so a poll knows whether one came while it looked. */
  private readonly queuedSeq = new Map<string, number>();
  private timer: TimerHandle | undefined;
  private polling = false;
  private isStopped = false;

  constructor(private readonly options: ExecutionHubOptions) {}

  /** Resolves when the execution completes (callback, kill, or lost executor), on any node. */
  wait(executionId: number): Promise<ExecutionRecord> {
    return new Promise((resolve) => {
      this.waiters.set(executionId, resolve);
      this.schedulePoll();
    });
  }

  /**
   * wait() for an execution that executors could see before this call (written with its run's
   * start): a pull executor may have taken and completed it already, and that completion found
   * no waiter. With one process on the store, a completion delivered here first is kept for its
   * waiter (`early`), and an execution still awaited `pollMs` later is looked up once in the
   * store, with the others of that moment (a completion stored without passing here); with
   * several processes, the poll of awaited executions finds it.
   */
  waitVisible(executionId: number): Promise<ExecutionRecord> {
    const early = this.early.get(executionId);
    if (early !== undefined) {
      this.early.delete(executionId);
      return Promise.resolve(early);
    }
    const done = this.wait(executionId);
    if (this.options.store.capabilities.exclusiveWriter) {
      this.unchecked.add(executionId);
      this.scheduleCheck();
    }
    return done;
  }

  /**
   * Keeps a completion that found no waiter, for a waitVisible() to come (the oldest dropped past
   * EARLY_KEPT: a completion whose run stopped waiting, a cancel or a timeout, is never claimed).
   */
  private keepEarly(record: ExecutionRecord): void {
    this.early.set(record.id, record);
    if (this.early.size > EARLY_KEPT) this.early.delete(this.early.keys().next().value!);
  }

  /** Stops waiting (the run ended without it: abort). */
  forget(executionId: number): void {
    this.waiters.delete(executionId);
  }

  /** Delivers a completion this node persisted. */
  deliver(record: ExecutionRecord): void {
    const resolve = this.waiters.get(record.id);
    if (resolve === undefined) {
      if (this.options.store.capabilities.exclusiveWriter) this.keepEarly(record);
      return;
    }
    this.waiters.delete(record.id);
    resolve(record);
  }

  /** Wakes the long polls of one pull executor. */
  notifyQueued(appId: number, address: string): void {
    const key = `${appId} ${address}`;
    this.queuedSeq.set(key, (this.queuedSeq.get(key) ?? 0) + 1);
    const set = this.pullWaiters.get(key);
    if (set) for (const wake of [...set]) wake();
  }

  /** The notification count to pass to waitForQueued (read it before looking at the queue). */
  queuedMark(appId: number, address: string): number {
    return this.queuedSeq.get(`${appId} ${address}`) ?? 0;
  }

  /**
   * Resolves after `ms` or when work is queued for the executor on this node, at once if some
   * was queued since `mark` (while the caller was reading the queue).
   */
  waitForQueued(appId: number, address: string, ms: number, mark: number): Promise<void> {
    const key = `${appId} ${address}`;
    if (this.isStopped || (this.queuedSeq.get(key) ?? 0) !== mark) return Promise.resolve();
    return new Promise((resolve) => {
      let set = this.pullWaiters.get(key);
      if (!set) this.pullWaiters.set(key, (set = new Set()));
      const done = () => {
        timer.cancel();
        set.delete(done);
        if (set.size === 0) this.pullWaiters.delete(key);
        resolve();
      };
      const timer = this.options.clock.setTimer(done, ms);
      set.add(done);
    });
  }

  get stopped(): boolean {
    return this.isStopped;
  }

  stop(): void {
    this.isStopped = true;
    this.timer?.cancel();
    this.checkTimer?.cancel();
    for (const set of this.pullWaiters.values()) for (const wake of [...set]) wake();
  }

  private scheduleCheck(): void {
    if (this.checkTimer !== undefined || this.isStopped) return;
    this.checkTimer = this.options.clock.setTimer(() => {
      this.checkTimer = undefined;
      const ids = [...this.unchecked].filter((id) => this.waiters.has(id));
      this.unchecked.clear();
      void this.deliverCompleted(ids);
    }, this.options.pollMs);
  }

  /** Delivers those of `ids` the store has completed. */
  private async deliverCompleted(ids: number[]): Promise<void> {
    try {
      for (let i = 0; i < ids.length; i += 500) {
        for (const record of await this.options.store.listCompletedExecutions(ids.slice(i, i + 500))) {
          this.deliver(record);
        }
      }
    } catch (error) {
      this.options.onError(error);
    }
  }

  private schedulePoll(): void {
    if (this.options.store.capabilities.exclusiveWriter) return; // one process: deliver() sees all
    if (this.timer !== undefined || this.polling || this.isStopped) return;
    this.timer = this.options.clock.setTimer(() => {
      this.timer = undefined;
      void this.poll();
    }, this.options.pollMs);
  }

  private async poll(): Promise<void> {
    this.polling = true;
    try {
      await this.deliverCompleted([...this.waiters.keys()]);
    } finally {
      this.polling = false;
      if (this.waiters.size > 0) this.schedulePoll();
    }
  }
}
