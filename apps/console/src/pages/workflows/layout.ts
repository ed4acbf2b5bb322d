/**
 * Places nodes that have no position (a workflow made through the API or the CLI) left to
 * right by dependency with dagre, so every graph opens readable; positions the editor saved
 * are kept.
 */
import { Graph, layout } from '@dagrejs/dagre';

export const NODE_WIDTH = 220;
export const NODE_HEIGHT = 76;

interface Placeable {
  key: string;
  position?: { x: number; y: number } | null | undefined;
}

/** Every node's position: its own when all have one, else dagre's for all. */
export function positionsOf(
  nodes: readonly Placeable[],
  edges: readonly { from: string; to: string }[],
): Map<string, { x: number; y: number }> {
  if (nodes.every((n) => n.position)) return new Map(nodes.map((n) => [n.key, n.position!]));
  const g = new Graph();
  g.setGraph({ rankdir: 'LR', nodesep: 40, ranksep: 90, marginx: 20, marginy: 20 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of nodes) g.setNode(n.key, { width: NODE_WIDTH, height: NODE_HEIGHT });
  for (const e of edges) if (g.hasNode(e.from) && g.hasNode(e.to)) g.setEdge(e.from, e.to);
  layout(g);
  return new Map(
    nodes.map((n) => {
      const p = g.node(n.key);
      // dagre gives centres; React Flow places by the top-left corner.
      return [n.key, { x: Math.round(p.x - NODE_WIDTH / 2), y: Math.round(p.y - NODE_HEIGHT / 2) }];
    }),
  );
}
