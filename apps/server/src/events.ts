/**
 * The typed event bus between the core and everything that reacts to it (retries, successors,
 * alerts, metrics, live streams). The core publishes after persisting; listeners never throw
 * back into the core: their errors and rejections are reported to `onListenerError`.
 */
import type { WorkflowRunRecord } from './store/workflow-records.js';
import type { RunRecord, TaskRecord } from './store/records.js';
import type { BatchRecord } from './store/batch-store.js';

export interface KairosEvents {
  'run:scheduled': { run: RunRecord };
  'run:started': { run: RunRecord };
  /**
   * Any terminal status; the status-specific event follows. `task` is the engine's snapshot of
   * the task when the run was planned (absent for runs recovered from another node): good for
   * its kind, not for its current state.
   */
  'run:finished': { run: RunRecord; retryable: boolean; task?: TaskRecord };
  'run:succeeded': { run: RunRecord };
  'run:failed': { run: RunRecord };
  'run:timed_out': { run: RunRecord };
  'run:cancelled': { run: RunRecord };
  'run:skipped': { run: RunRecord };
  'run:lost': { run: RunRecord };
  /**
   * Asked to stop a run running (maybe on another node); the node running it aborts it. On
   * PostgreSQL the change feed tells that node at once (cluster/change-feed.ts).
   */
  'run:cancel_requested': { run: RunRecord };
  /**
   * `rescheduled`: its schedule or enabled flag changed, so planned slots were dropped.
   * `fromNode`: the change was made on another node (cluster/change-feed.ts) and is replayed here.
   */
  'task:changed': { task: TaskRecord; rescheduled?: boolean; fromNode?: string };
  'task:deleted': { taskId: number; fromNode?: string };
  /** A workflow run ended (succeeded, failed, cancelled, timed out). */
  'workflow_run:finished': { run: WorkflowRunRecord };
  'calendar:changed': { calendarId: number; fromNode?: string };
  /** An alert rule was created, changed or deleted (here, or on another node: `fromNode`). */
  'alert_rule:changed': { ruleId: number; fromNode?: string };
  /** An app was updated, its token rotated, or it was deleted. */
  'app:changed': { appId: number; appName: string };
  /** An API token was revoked or a user deleted: nodes forget the credentials they trust. */
  'credentials:revoked': { fromNode?: string };
  /** A batch's items ended or its status changed (batches/); `batch` as stored after. */
  'batch:changed': { batch: BatchRecord };
  'scheduler:claimed': { tasks: number; runs: number; durationMs: number };
  'scheduler:misfire': { taskId: number; missedSlots: number; policy: string };
  /** One attempt to deliver an alert: `gave_up` is a failure after the last allowed attempt. */
  'alert:delivery': {
    deliveryId: number;
    alertId: number;
    channel: string;
    result: 'sent' | 'failed' | 'gave_up';
  };
}

export type EventName = keyof KairosEvents;
type Listener<E extends EventName> = (payload: KairosEvents[E]) => void | Promise<void>;

export class EventBus {
  private readonly listeners = new Map<EventName, Set<Listener<never>>>();
  /** Async listener work still under way (see settle). */
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly onListenerError: (event: EventName, error: unknown) => void = () => {}) {}

  on<E extends EventName>(event: E, listener: Listener<E>): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as Listener<never>);
    return () => set.delete(listener as Listener<never>);
  }

  /** Resolves with the next payload of `event` that satisfies `match` (tests and waiters). */
  waitFor<E extends EventName>(
    event: E,
    match: (p: KairosEvents[E]) => boolean = () => true,
  ): Promise<KairosEvents[E]> {
    return new Promise((resolve) => {
      const off = this.on(event, (payload) => {
        if (!match(payload)) return;
        off();
        resolve(payload);
      });
    });
  }

  /** Resolves when the async listener work started so far has ended (before closing the store). */
  async settle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  emit<E extends EventName>(event: E, payload: KairosEvents[E]): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const listener of set) {
      try {
        const result = (listener as Listener<E>)(payload);
        if (result && typeof result.then === 'function') {
          const tracked = result.then(undefined, (error: unknown) => this.onListenerError(event, error));
          this.pending.add(tracked);
          void tracked.finally(() => this.pending.delete(tracked));
        }
      } catch (error) {
        this.onListenerError(event, error);
      }
    }
  }
}
