/**
 * What a workflow run does next, decided from its state as read (its version's definition, its
 * nodes, its node runs): nodes whose upstream edges are all decided start (or are skipped when an
 * edge is not taken, or fail when their mapping does), forEach nodes start more items or end with
 * the list of their results, and the run ends when every node is decided. No clock, no database:
 * the advancer (workflow-advancer.ts) reads, calls this and applies the result under
 * compare-and-set. JSONata is evaluated here (asynchronously).
 *
 * Evaluation contexts (docs/workflows.md):
 * - a node's `input` and `forEach.items`: `{ input, nodes: { <key>: { status, output } }, item, index }`
 *   (`item`, `index` for a forEach item's input); without `input` a node run gets the workflow
 *   run's input (a forEach item run: the item);
 * - an edge's `condition.expression`: `{ status, output, input }` of its upstream node (input: the
 *   upstream node run's input); truthy takes the edge.
 */
import type { RunError } from '@kairos/protocol';
import type { NewRun, RunRecord } from '../store/store.js';
import type {
  WorkflowDefinition,
  WorkflowEdgeRecord,
  WorkflowNodeRecord,
  WorkflowNodeStatus,
  WorkflowRunNodeRecord,
  WorkflowRunRecord,
  WorkflowRunStatus,
} from '../store/workflow-records.js';
import type { NodeChange, WorkflowAdvance } from '../store/workflow-store.js';
import { ExpressionError, type Expressions } from './expressions.js';
import { itemFailure, nodeStatusOf } from './node-outcome.js';

/** What the decision reads of a node run. */
export type NodeRun = Pick<
  RunRecord,
  'id' | 'workflowNode' | 'workflowItem' | 'status' | 'output' | 'error' | 'input'
>;

export interface AdvanceInput {
  run: WorkflowRunRecord;
  definition: WorkflowDefinition;
  nodes: readonly WorkflowRunNodeRecord[];
  nodeRuns: readonly NodeRun[];
  /** The app and namespace of each node's task. */
  tasks: ReadonlyMap<number, { appId: number; namespaceId: number }>;
  now: number;
  lease: { owner: string; leaseMs: number };
}

const FINAL: ReadonlySet<WorkflowNodeStatus> = new Set([
  'succeeded',
  'failed',
  'skipped',
  'cancelled',
  'reused',
]);

export function isFinal(status: WorkflowNodeStatus): boolean {
  return FINAL.has(status);
}

/** The idempotency key of a node's run (item 0… for forEach, `-` otherwise): one per key, ever. */
export function nodeRunKey(workflowRunId: number, node: string, item: number | null): string {
  return `wf:${workflowRunId}:${node}:${item ?? '-'}`;
}

/** A JSONata evaluation the decision needs: answered with the value, or thrown the error. */
interface Evaluation {
  text: string;
  context: unknown;
}
type Deciding<T> = Generator<Evaluation, T, unknown>;

/** Decides, evaluating JSONata as it is needed (asynchronously). */
export async function decideAdvance(input: AdvanceInput, expressions: Expressions): Promise<WorkflowAdvance> {
  const deciding = decide(input);
  let next = deciding.next();
  while (!next.done) {
    let value: unknown;
    try {
      value = await expressions.evaluate(next.value.text, next.value.context);
    } catch (error) {
      next = deciding.throw(error);
      continue;
    }
    next = deciding.next(value);
  }
  return next.value;
}

/**
 * Decides without awaiting, or answers null when an expression needs JSONata proper (then the
 * advancer decides after the commit). Used inside a node run's settlement (node-end.ts).
 */
export function decideAdvanceNow(input: AdvanceInput, expressions: Expressions): WorkflowAdvance | null {
  const deciding = decide(input);
  let next = deciding.next();
  while (!next.done) {
    const known = expressions.evaluateNow(next.value.text, next.value.context);
    if (known === undefined) return null;
    next = deciding.next(known.value);
  }
  return next.value;
}

function* decide(input: AdvanceInput): Deciding<WorkflowAdvance> {
  const { definition, run } = input;
  const evaluate = function* (text: string, context: unknown): Deciding<unknown> {
    return yield { text, context };
  };
  const state = new Map(input.nodes.map((n) => [n.key, { ...n }]));
  const changes = new Map<string, NodeChange>();
  const runs: NewRun[] = [];
  const lastRuns = lastRunPerItem(input.nodeRuns);
  const change = (key: string, c: Omit<NodeChange, 'key'>) => {
    const merged = { ...changes.get(key), ...c, key };
    changes.set(key, merged);
    const s = state.get(key)!;
    s.status = c.status;
    if (c.output !== undefined) s.output = c.output;
    if (c.error !== undefined) s.error = c.error ?? null;
    if (c.itemsTotal !== undefined) s.itemsTotal = c.itemsTotal;
    if (c.itemsStarted !== undefined) s.itemsStarted = c.itemsStarted;
  };
  const context = (extra: Record<string, unknown> = {}) => ({
    input: run.input,
    nodes: Object.fromEntries(
      [...state.values()]
        .filter((n) => isFinal(n.status))
        .map((n) => [n.key, { status: n.status, output: n.output }]),
    ),
    ...extra,
  });
  const newRun = (node: WorkflowNodeRecord, runInput: unknown, item: number | null): NewRun => {
    const task = input.tasks.get(node.taskId);
    return {
      taskId: node.taskId,
      appId: task?.appId ?? 0,
      namespaceId: task?.namespaceId ?? run.namespaceId,
      triggerType: 'workflow',
      status: 'scheduled',
      slotAt: null,
      scheduledAt: input.now,
      attempt: 1,
      retryOf: null,
      input: runInput ?? null,
      idempotencyKey: nodeRunKey(run.id, node.key, item),
      leaseOwner: input.lease.owner,
      leaseExpiresAt: input.now + input.lease.leaseMs,
      workflowRunId: run.id,
      workflowNode: node.key,
      workflowItem: item,
    };
  };

  /** Starts items of a running forEach node up to its concurrency. */
  const startItems = function* (node: WorkflowNodeRecord, items: unknown[], started: number, done: number) {
    const limit = node.forEach!.concurrency;
    let next = started;
    while (next < items.length && next - done < limit) {
      const item = items[next];
      const runInput =
        node.input !== undefined ? yield* evaluate(node.input, context({ item, index: next })) : item;
      runs.push(newRun(node, runInput, next));
      next += 1;
    }
    return next;
  };

  const cancelItemsOf: string[] = [];
  for (const node of definition.nodes) {
    const s = state.get(node.key);
    if (!node.forEach || s?.status !== 'running' || s.itemsTotal === null) continue;
    if (node.forEach.onItemFailure === 'fail_fast' && s.error !== null) {
      // An item failed (its node end kept the first): the node fails now, the rest are cancelled.
      change(node.key, { status: 'failed', error: s.error });
      if (s.itemsDone < s.itemsStarted) cancelItemsOf.push(node.key);
    } else if (s.itemsDone >= s.itemsTotal) {
      change(node.key, endOfItems(node.key, s.itemsTotal, lastRuns));
    } else if (s.itemsStarted < s.itemsTotal) {
      // The list as evaluated when the node started, kept on the node while it runs.
      const items =
        Array.isArray(s.output) && s.output.length === s.itemsTotal
          ? s.output
          : ((yield* evaluateItems(node, context(), evaluate)) as unknown[]);
      const started = yield* startItems(node, items, s.itemsStarted, s.itemsDone);
      if (started !== s.itemsStarted) change(node.key, { status: 'running', itemsStarted: started });
    }
  }

  const incoming = new Map<string, WorkflowEdgeRecord[]>(definition.nodes.map((n) => [n.key, []]));
  for (const edge of definition.edges) incoming.get(edge.to)?.push(edge);
  // Decided nodes can decide their downstream in the same pass: repeat until nothing moves.
  for (let moved = true; moved;) {
    moved = false;
    for (const node of definition.nodes) {
      if (state.get(node.key)?.status !== 'pending') continue;
      const edges = incoming.get(node.key) ?? [];
      if (edges.some((e) => !isFinal(state.get(e.from)!.status))) continue;
      moved = true;
      let taken: boolean;
      try {
        taken = true;
        for (const e of edges) taken = (yield* edgeTaken(e, state, lastRuns, evaluate)) && taken;
      } catch (error) {
        change(node.key, { status: 'failed', error: expressionFailure('condition', error) });
        continue;
      }
      if (!taken) {
        change(node.key, { status: 'skipped' });
        continue;
      }
      if (!input.tasks.has(node.taskId)) {
        change(node.key, {
          status: 'failed',
          error: {
            type: 'workflow_task_missing',
            message: `task ${node.taskId} of node ${node.key} does not exist any more`,
          },
        });
        continue;
      }
      try {
        if (node.forEach) {
          const items = yield* evaluateItems(node, context(), evaluate);
          if (!Array.isArray(items)) {
            change(node.key, {
              status: 'failed',
              error: {
                type: 'workflow_items',
                message: `forEach.items did not give a list (it gave ${kindOf(items)}): ${node.forEach.items}`,
              },
            });
          } else if (items.length === 0) {
            change(node.key, { status: 'succeeded', output: [], itemsTotal: 0 });
          } else {
            const started = yield* startItems(node, items, 0, 0);
            // The list is kept on the node while it runs (its output once it ends): later items
            // start from it, not from the expression evaluated again.
            change(node.key, {
              status: 'running',
              itemsTotal: items.length,
              itemsStarted: started,
              output: items,
            });
          }
        } else {
          const runInput = node.input !== undefined ? yield* evaluate(node.input, context()) : run.input;
          runs.push(newRun(node, runInput, null));
          change(node.key, { status: 'running' });
        }
      } catch (error) {
        change(node.key, { status: 'failed', error: expressionFailure('input', error) });
      }
    }
  }

  const all = [...state.values()];
  const end = all.every((n) => isFinal(n.status)) ? { ...outcomeOf(definition, state), at: input.now } : null;
  return { nodes: [...changes.values()], runs, end, ...(cancelItemsOf.length > 0 ? { cancelItemsOf } : {}) };
}

/** Whether deciding needs the node runs: a forEach node whose items all ended, or an edge expression. */
export function needsNodeRuns(
  definition: WorkflowDefinition,
  nodes: readonly WorkflowRunNodeRecord[],
): boolean {
  if (definition.edges.some((e) => typeof e.condition === 'object')) return true;
  return nodes.some((n) => n.status === 'running' && n.itemsTotal !== null && n.itemsDone >= n.itemsTotal);
}

/** The last run of each node and item (a retry replaces the attempt before it). */
function lastRunPerItem(runs: readonly NodeRun[]): Map<string, NodeRun> {
  const last = new Map<string, NodeRun>();
  for (const run of runs) {
    const key = `${run.workflowNode}\u0000${run.workflowItem ?? '-'}`;
    const seen = last.get(key);
    if (!seen || seen.id < run.id) last.set(key, run);
  }
  return last;
}

function endOfItems(key: string, total: number, lastRuns: Map<string, NodeRun>): Omit<NodeChange, 'key'> {
  const outputs: unknown[] = [];
  let failed: { index: number; run: NodeRun } | undefined;
  for (let i = 0; i < total; i++) {
    const run = lastRuns.get(`${key}\u0000${i}`);
    outputs.push(run?.output ?? null);
    if (!failed && (!run || nodeStatusOf(run.status) !== 'succeeded') && run) failed = { index: i, run };
  }
  if (!failed) return { status: 'succeeded', output: outputs };
  return { status: 'failed', output: outputs, error: itemFailure(failed.index, failed.run) };
}

function* evaluateItems(
  node: WorkflowNodeRecord,
  context: unknown,
  evaluate: (text: string, context: unknown) => Deciding<unknown>,
): Deciding<unknown> {
  const value = yield* evaluate(node.forEach!.items, context);
  // JSONata gives a single match as the value itself, and arrays it builds carry a flag.
  return Array.isArray(value) ? [...value] : value;
}

function* edgeTaken(
  edge: WorkflowEdgeRecord,
  state: Map<string, WorkflowRunNodeRecord>,
  lastRuns: Map<string, NodeRun>,
  evaluate: (text: string, context: unknown) => Deciding<unknown>,
): Deciding<boolean> {
  const from = state.get(edge.from)!;
  const ok = from.status === 'succeeded' || from.status === 'reused';
  const bad = from.status === 'failed' || from.status === 'cancelled';
  if (edge.condition === 'on_success') return ok;
  if (edge.condition === 'on_failure') return bad;
  if (edge.condition === 'always') return ok || bad;
  if (!ok && !bad) return false;
  const upstreamRun = lastRuns.get(`${edge.from}\u0000-`);
  const value = yield* evaluate(edge.condition.expression, {
    status: from.status,
    output: from.output,
    input: upstreamRun?.input ?? null,
  });
  return Boolean(value) && !(Array.isArray(value) && value.length === 0);
}

/**
 * Every node decided: the run failed when a node failed (or was cancelled) and none of its
 * outgoing edges was there for that (on_failure, always or an expression); else it succeeded.
 */
function outcomeOf(
  definition: WorkflowDefinition,
  state: Map<string, WorkflowRunNodeRecord>,
): { status: WorkflowRunStatus; error: RunError | null } {
  for (const node of definition.nodes) {
    const s = state.get(node.key)!;
    if (s.status !== 'failed' && s.status !== 'cancelled') continue;
    const handled = definition.edges.some((e) => e.from === node.key && e.condition !== 'on_success');
    if (!handled) {
      return {
        status: 'failed',
        error: {
          type: 'workflow_node_failed',
          message: `node ${node.key} ${s.status}${s.error ? `: ${s.error.message}` : ''}`,
        },
      };
    }
  }
  return { status: 'succeeded', error: null };
}

function expressionFailure(what: 'input' | 'condition', error: unknown): RunError {
  const message = error instanceof ExpressionError ? error.message : String(error);
  return {
    type: `workflow_${what}`,
    message: `the ${what === 'input' ? 'input mapping' : 'edge condition'} failed: ${message}`,
  };
}

function kindOf(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
