/**
 * The events of container nodes (reference §2.4): Iteration and Loop (no node_started or
 * node_finished of their own; `iteration_next(i)` before round i, `loop_next(i+1)` after round
 * i and none after a break; totals counted once for the container) and parallel branches (all
 * start, the later ones finish first).
 */
import type { SimNode } from './scenarios.js';
import { price7 } from './script-state.js';
import type { EventSink, ScriptEvent, Scope, Totals } from './script-state.js';

type ContainerBase = ReturnType<typeof containerBase>;

function containerBase(node: { id: string; title: string }, type: string) {
  return { id: node.id, node_id: node.id, node_type: type, title: node.title };
}

export function iterationEvents(
  b: EventSink,
  node: Extract<SimNode, { type: 'iteration' }>,
  totals: Totals,
): boolean {
  totals.steps++;
  const base = containerBase(node, 'iteration');
  const created = b.now();
  b.emit('iteration_started', {
    ...base,
    created_at: created,
    extras: {},
    metadata: { iteration_length: node.items.length },
    inputs: { iterator_selector: node.items },
    inputs_truncated: false,
  });
  const scope: Scope = { kind: 'iteration', containerId: node.id, round: 0, tokens: 0, price: 0 };
  const durations: Record<string, number> = {};
  let ok = true;
  if (node.parallel) {
    for (let i = 0; i < node.items.length; i++)
      b.emit('iteration_next', { ...base, index: i, created_at: created, extras: {} });
    // Rounds finish out of order: the last item first.
    for (let i = node.items.length - 1; i >= 0 && ok; i--) {
      scope.round = i;
      ok = b.nodes(node.children, totals, scope);
      durations[String(i)] = 0.4;
    }
  } else {
    for (let i = 0; i < node.items.length && ok; i++) {
      b.emit('iteration_next', { ...base, index: i, created_at: b.now(), extras: {} });
      scope.round = i;
      ok = b.nodes(node.children, totals, scope);
      durations[String(i)] = 0.4;
    }
  }
  completeContainer(b, 'iteration_completed', base, totals, scope, {
    created,
    ok,
    outputs: { output: node.items.map(() => 'ok') },
    inputs: { iterator_selector: node.items },
    metadata: { iteration_duration_map: durations },
    steps: node.items.length,
  });
  return ok;
}

export function loopEvents(b: EventSink, node: Extract<SimNode, { type: 'loop' }>, totals: Totals): boolean {
  totals.steps++;
  const base = containerBase(node, 'loop');
  const created = b.now();
  b.emit('loop_started', {
    ...base,
    created_at: created,
    extras: {},
    metadata: { loop_length: node.count },
    inputs: { loop_count: node.count },
    inputs_truncated: false,
  });
  const scope: Scope = { kind: 'loop', containerId: node.id, round: 0, tokens: 0, price: 0 };
  const durations: Record<string, number> = {};
  let ok = true;
  let rounds = 0;
  let reason = 'loop_completed';
  for (let i = 0; i < node.count && ok; i++) {
    scope.round = i;
    ok = b.nodes(node.children, totals, scope);
    rounds++;
    durations[String(i)] = 0.3;
    if (!ok) reason = 'error';
    else if (node.breakAfter === i) {
      reason = 'loop_break';
      break;
    } else
      b.emit('loop_next', {
        ...base,
        index: i + 1,
        created_at: b.now(),
        pre_loop_output: {},
        extras: {},
      });
  }
  completeContainer(b, 'loop_completed', base, totals, scope, {
    created,
    ok,
    outputs: { loop_round: rounds },
    inputs: { loop_count: node.count },
    metadata: { completed_reason: reason, loop_duration_map: durations, loop_variable_map: {} },
    steps: node.count,
  });
  return ok;
}

/** `iteration_completed` / `loop_completed`: the container's own totals, in Dify's key order. */
function completeContainer(
  b: EventSink,
  event: 'iteration_completed' | 'loop_completed',
  base: ContainerBase,
  totals: Totals,
  scope: Scope,
  c: { created: number; ok: boolean; outputs: object; inputs: object; metadata: object; steps: number },
): void {
  totals.tokens += scope.tokens;
  totals.price += scope.price;
  const finished = b.now();
  b.emit(event, {
    ...base,
    outputs: c.outputs,
    outputs_truncated: false,
    created_at: finished,
    extras: {},
    inputs: c.inputs,
    inputs_truncated: false,
    status: c.ok ? 'succeeded' : 'failed',
    error: null,
    elapsed_time: finished - c.created + 0.5,
    total_tokens: scope.tokens,
    execution_metadata: {
      total_tokens: scope.tokens,
      total_price: price7(scope.price),
      currency: 'USD',
      ...c.metadata,
    },
    finished_at: finished,
    steps: c.steps,
  });
}

export function parallelEvents(
  b: EventSink,
  node: Extract<SimNode, { type: 'parallel' }>,
  totals: Totals,
  scope: Scope,
): boolean {
  // Build each branch apart, then interleave: all branches start, the later ones finish first.
  const lists: ScriptEvent[][] = [];
  let ok = true;
  for (const branch of node.branches) {
    const mark = b.events.length;
    ok = b.nodes(branch, totals, scope) && ok;
    lists.push(b.events.splice(mark));
  }
  const starts = lists.map((l) => l.filter((e) => e.event === 'node_started'));
  const rest = lists.map((l) => l.filter((e) => e.event !== 'node_started'));
  const maxLen = Math.max(...lists.map((l) => l.length));
  for (let i = 0; i < maxLen; i++) {
    for (const s of starts) if (s[i]) b.events.push(s[i]!);
    for (const r of [...rest].reverse()) if (r[i]) b.events.push(r[i]!);
  }
  return ok;
}
