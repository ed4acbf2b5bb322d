/**
 * What the editor refuses before asking the server: an edge that would close a cycle (the
 * path it would close is named, as the server names it: "a → b → a"), a second edge between
 * the same two nodes, an edge from a node to itself.
 */

export interface EdgeEnds {
  from: string;
  to: string;
}

/** The path `from → … → to` along `edges`, or null when `to` cannot be reached from `from`. */
export function pathBetween(edges: readonly EdgeEnds[], from: string, to: string): string[] | null {
  const next = new Map<string, string[]>();
  for (const e of edges) next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
  const cameFrom = new Map<string, string>([[from, from]]);
  const queue = [from];
  while (queue.length > 0) {
    const at = queue.shift()!;
    if (at === to) {
      const path = [to];
      while (path[0] !== from) path.unshift(cameFrom.get(path[0]!)!);
      return path;
    }
    for (const n of next.get(at) ?? []) {
      if (!cameFrom.has(n)) {
        cameFrom.set(n, at);
        queue.push(n);
      }
    }
  }
  return null;
}

/** Why the edge `from → to` cannot be added to `edges`, or null when it can. */
export function refuseEdge(edges: readonly EdgeEnds[], from: string, to: string): string | null {
  if (from === to) return `an edge from ${from} to itself would make a cycle`;
  if (edges.some((e) => e.from === from && e.to === to)) return `${from} → ${to} is already an edge`;
  const back = pathBetween(edges, to, from);
  return back ? `that edge would make a cycle: ${[from, ...back].join(' → ')}` : null;
}

/** A cycle among `edges` (its keys, first repeated last), or null for a DAG. */
export function findCycle(edges: readonly EdgeEnds[]): string[] | null {
  for (let i = 0; i < edges.length; i++) {
    const e = edges[i]!;
    const back = pathBetween(edges.slice(0, i).concat(edges.slice(i + 1)), e.to, e.from);
    if (back) return [e.from, ...back];
  }
  return null;
}
