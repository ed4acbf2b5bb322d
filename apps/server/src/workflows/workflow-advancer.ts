/**
 * Moves workflow runs forward: reads a run's state, decides what follows (advance.ts), applies
 * it under compare-and-set (decided again when the state moved meanwhile) and hands the node
 * runs it stored, leased to this node, to the run engine. It is called when a run starts, when
 * one of its node runs ends (after the settlement that recorded the end committed), and by a
 * sweep (at start and every `sweepMs`) for runs whose advance is owed (a node crashed after the
 * settlement) or whose deadline passed: so nothing rests on the call after a settlement. On
 * SQLite calls for the same run are chained, so they do not race each other for nothing.
 */
import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../clock.js';
import type { RunRecord, Store, TaskRecord } from '../store/store.js';
import type { WorkflowDefinition, WorkflowRunRecord } from '../store/workflow-records.js';
import { decideAdvance, needsNodeRuns } from './advance.js';
import type { Expressions } from './expressions.js';

export interface WorkflowAdvancerDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  expressions: Expressions;
  nodeId: string;
  leaseMs: number;
  /** Holds runs stored for this node until their instant (RunEngine.enqueueStored). */
  enqueue: (runs: RunRecord[]) => Promise<void>;
  /** Cancels a node run (RunEngine.cancel): the items left of a forEach node that failed fast. */
  cancel: (runId: number) => Promise<unknown>;
  /** Ends a workflow run past its deadline (WorkflowRuns.timeOut). */
  timeOut: (workflowRunId: number) => Promise<void>;
  /** A workflow run ended (for the bus). */
  onEnded: (run: WorkflowRunRecord) => void;
  sweepMs: number;
}

export class WorkflowAdvancer {
  readonly #chains = new Map<number, Promise<void>>();
  /** Advances queued and not begun, per run: a burst of node ends is decided once. */
  readonly #queued = new Map<number, Promise<void>>();
  readonly #definitions = new Map<string, WorkflowDefinition>();
  readonly #tasks = new Map<number, Pick<TaskRecord, 'appId' | 'namespaceId'>>();
  readonly #deadlines = new Map<number, TimerHandle>();
  #sweep: TimerHandle | undefined;
  #stopped = false;

  constructor(private readonly deps: WorkflowAdvancerDeps) {}

  /**
   * Advances a workflow run (chained after any advance of the same run under way here; one
   * queued behind it serves every call made meanwhile, as it reads the state when it begins).
   */
  advance(workflowRunId: number): Promise<void> {
    const queued = this.#queued.get(workflowRunId);
    if (queued) return queued;
    const previous = this.#chains.get(workflowRunId) ?? Promise.resolve();
    const next = previous
      .then(() => {
        this.#queued.delete(workflowRunId);
        return this.#advance(workflowRunId);
      })
      .catch((error: unknown) => {
        this.deps.logger.error(
          { err: error, workflowRunId },
          'advancing a workflow run failed; the sweep tries again',
        );
      });
    this.#chains.set(workflowRunId, next);
    this.#queued.set(workflowRunId, next);
    void next.finally(() => {
      if (this.#chains.get(workflowRunId) === next) this.#chains.delete(workflowRunId);
    });
    return next;
  }

  /** Ends the run when its deadline passes (also found by the sweep after a restart). */
  watchDeadline(run: WorkflowRunRecord): void {
    // An advance that began before stop may get here after it: no timer outlives the advancer.
    if (this.#stopped) return;
    if (run.deadlineAt === null || run.status !== 'running' || this.#deadlines.has(run.id)) return;
    this.#deadlines.set(
      run.id,
      this.deps.clock.setTimer(() => {
        this.#deadlines.delete(run.id);
        this.deps
          .timeOut(run.id)
          .catch((error: unknown) =>
            this.deps.logger.error({ err: error, workflowRunId: run.id }, 'timing out a workflow run failed'),
          );
      }, run.deadlineAt - this.deps.clock.now()),
    );
  }

  /** Sweeps now, then every sweepMs. */
  start(): void {
    void this.sweep();
  }

  async sweep(): Promise<void> {
    if (this.#stopped) return;
    try {
      const { owing, expired } = await this.deps.store.listWorkflowRunsToAdvance(this.deps.clock.now(), 500);
      for (const id of expired) await this.deps.timeOut(id);
      await Promise.all(owing.map((id) => this.advance(id)));
    } catch (error) {
      this.deps.logger.error({ err: error }, 'the workflow sweep failed; it runs again');
    }
    if (!this.#stopped) this.#sweep = this.deps.clock.setTimer(() => void this.sweep(), this.deps.sweepMs);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#sweep?.cancel();
    for (const timer of this.#deadlines.values()) timer.cancel();
    this.#deadlines.clear();
    await Promise.allSettled([...this.#chains.values()]);
  }

  /**
   * One decision on the state as read, applied if nothing changed it meanwhile. Lost to a change
   * it is not tried again: a node's end that changed the state has its own advance called after
   * its settlement (or owed to the sweep), and another advance decided on the newer state.
   */
  async #advance(workflowRunId: number): Promise<void> {
    if (this.#stopped) return;
    const run = await this.deps.store.getWorkflowRun(workflowRunId);
    if (!run || run.status !== 'running') return;
    // A run started from the queue has its deadline from then.
    this.watchDeadline(run);
    // Nothing owed: every change so far was decided (most node ends decide what follows inside
    // their settlement, advance-now.ts).
    if (!run.advanceOwed) return;
    const definition = await this.#definition(run);
    if (!definition) return;
    const nodes = await this.deps.store.listWorkflowRunNodes(workflowRunId);
    // The node runs themselves are needed only to end a forEach node (its items' outputs) or for
    // an edge expression (its upstream run's input): not for each item's end of a big fan-out.
    const nodeRuns = needsNodeRuns(definition, nodes)
      ? await this.deps.store.listNodeRuns(workflowRunId)
      : [];
    const tasks = await this.#taskKeys(definition);
    const now = this.deps.clock.now();
    const decided = await decideAdvance(
      {
        run,
        definition,
        nodes,
        nodeRuns,
        tasks,
        now,
        lease: { owner: this.deps.nodeId, leaseMs: this.deps.leaseMs },
      },
      this.deps.expressions,
    );
    const { applied, runs, started } = await this.deps.store.applyWorkflowAdvance(
      workflowRunId,
      run.stateVersion,
      decided,
    );
    if (!applied) return;
    if (runs.length > 0) await this.deps.enqueue(runs);
    // Queued runs of the workflow this end made room for (owed, so the sweep has them otherwise).
    for (const id of started) void this.advance(id);
    if (decided.cancelItemsOf) await this.#cancelItems(workflowRunId, decided.cancelItemsOf);
    if (decided.end) {
      this.#deadlines.get(workflowRunId)?.cancel();
      this.#deadlines.delete(workflowRunId);
      const ended = await this.deps.store.getWorkflowRun(workflowRunId);
      if (ended) this.deps.onEnded(ended);
    }
  }

  /** Cancels the runs not ended of forEach nodes that failed fast (their ends change nothing now). */
  async #cancelItems(workflowRunId: number, nodes: readonly string[]): Promise<void> {
    for (const run of await this.deps.store.listNodeRuns(workflowRunId)) {
      if (!nodes.includes(run.workflowNode ?? '')) continue;
      if (run.status === 'scheduled' || run.status === 'running') {
        await this.deps.cancel(run.id).catch(() => undefined);
      }
    }
  }

  /** A version's definition never changes: read once. */
  async #definition(run: WorkflowRunRecord): Promise<WorkflowDefinition | undefined> {
    const key = `${run.workflowId}:${run.version}`;
    let definition = this.#definitions.get(key);
    if (!definition) {
      definition = (await this.deps.store.getWorkflowVersion(run.workflowId, run.version))?.definition;
      if (definition) this.#definitions.set(key, definition);
    }
    return definition;
  }

  async #taskKeys(definition: WorkflowDefinition) {
    for (const node of definition.nodes) {
      if (this.#tasks.has(node.taskId)) continue;
      const task = await this.deps.store.getTask(node.taskId);
      if (task) this.#tasks.set(node.taskId, { appId: task.appId, namespaceId: task.namespaceId });
    }
    return this.#tasks;
  }
}
