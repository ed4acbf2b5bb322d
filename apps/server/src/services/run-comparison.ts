/**
 * Two runs side by side (GET /runs/compare): whether their inputs, outputs, status, tokens and
 * cost agree, and their tracks node by node. Top-level nodes are matched by node id and
 * occurrence (a node run twice, in a loop of the graph, matches its second run to the other's
 * second), in the left run's order, the right run's own nodes after.
 */
import { isDeepStrictEqual } from 'node:util';
import type { ComparedNode, ComparedNodeSide, Run, RunComparison } from '@kairos/protocol';

interface TrackNodeLike {
  nodeId?: unknown;
  nodeType?: unknown;
  title?: unknown;
  status?: unknown;
  outputs?: unknown;
  elapsedMs?: unknown;
  tokens?: unknown;
}

const numOrNull = (v: unknown): number | null => (typeof v === 'number' ? v : null);

/**
 * Outputs as compared: without Dify's `sys.*` values (a Start node's run ids, timestamps and
 * user), which differ on every run by nature; they are still shown.
 */
function comparable(outputs: unknown): unknown {
  if (typeof outputs !== 'object' || outputs === null || Array.isArray(outputs)) return outputs;
  return Object.fromEntries(Object.entries(outputs).filter(([key]) => !key.startsWith('sys.')));
}

function sideOf(node: TrackNodeLike): ComparedNodeSide {
  return {
    status: typeof node.status === 'string' ? node.status : 'unknown',
    outputs: node.outputs ?? null,
    elapsedMs: numOrNull(node.elapsedMs),
    tokens: numOrNull(node.tokens),
  };
}

/** `nodeId#n`: the n-th run of the node in the track. */
function keyed(nodes: unknown[]): Map<string, TrackNodeLike> {
  const counts = new Map<string, number>();
  const out = new Map<string, TrackNodeLike>();
  for (const raw of nodes) {
    const node = raw as TrackNodeLike;
    const id = String(node.nodeId ?? '');
    const n = (counts.get(id) ?? 0) + 1;
    counts.set(id, n);
    out.set(`${id}#${n}`, node);
  }
  return out;
}

export function compareNodes(left: unknown[], right: unknown[]): ComparedNode[] {
  const l = keyed(left);
  const r = keyed(right);
  const keys = [...l.keys(), ...[...r.keys()].filter((k) => !l.has(k))];
  return keys.map((key) => {
    const a = l.get(key);
    const b = r.get(key);
    const any = (a ?? b)!;
    const left = a ? sideOf(a) : null;
    const right = b ? sideOf(b) : null;
    return {
      nodeId: String(any.nodeId ?? ''),
      title: typeof any.title === 'string' ? any.title : String(any.nodeId ?? ''),
      nodeType: typeof any.nodeType === 'string' ? any.nodeType : 'unknown',
      left,
      right,
      same:
        left !== null &&
        right !== null &&
        left.status === right.status &&
        isDeepStrictEqual(comparable(left.outputs), comparable(right.outputs)),
    };
  });
}

/**
 * `results`: what each output is compared on, its job type's result (JobType.result: a Dify
 * output's `outputs`, since its run ids and timing differ on every run by nature).
 */
export function compareRuns(
  left: Run,
  right: Run,
  tracks: { left: unknown[]; right: unknown[] },
  results: { left: unknown; right: unknown },
): RunComparison {
  return {
    left,
    right,
    same: {
      input: isDeepStrictEqual(left.input, right.input),
      output: isDeepStrictEqual(results.left, results.right),
      status: left.status === right.status,
      tokens: (left.usage?.totalTokens ?? null) === (right.usage?.totalTokens ?? null),
      cost: (left.usage?.totalPrice ?? null) === (right.usage?.totalPrice ?? null),
    },
    nodes: compareNodes(tracks.left, tracks.right),
  };
}
