/**
 * The track as the server sends it (GET /runs/{id}/track; see the server's dify/track.ts), typed
 * for the console, with the time axis shared by every bar and the branch taken in words.
 */
export interface TrackRound {
  index: number;
  elapsedMs: number | null;
  nodes: TrackNode[];
}

export interface TrackNode {
  id: string;
  nodeId: string;
  nodeType: string;
  title: string;
  status: string;
  startedAt: string | null;
  finishedAt: string | null;
  elapsedMs: number | null;
  inputs?: unknown;
  outputs?: unknown;
  processData?: unknown;
  error?: string | null;
  tokens?: number | null;
  price?: number | null;
  currency?: string;
  selectedCaseId?: string | null;
  classId?: string | null;
  className?: string | null;
  errorStrategy?: string;
  attempts?: { index: number; status: string; error: string | null; elapsedMs: number | null }[];
  rounds?: TrackRound[];
  completedReason?: string;
}

export interface TimeAxis {
  start: number;
  span: number;
}

/** The earliest start and latest end over every node, rounds included. */
export function timeAxisOf(nodes: TrackNode[]): TimeAxis {
  let start = Number.POSITIVE_INFINITY;
  let end = Number.NEGATIVE_INFINITY;
  const visit = (list: TrackNode[]) => {
    for (const n of list) {
      if (n.startedAt) {
        const s = Date.parse(n.startedAt);
        start = Math.min(start, s);
        end = Math.max(end, n.finishedAt ? Date.parse(n.finishedAt) : s + (n.elapsedMs ?? 0));
      }
      for (const r of n.rounds ?? []) visit(r.nodes);
    }
  };
  visit(nodes);
  if (!Number.isFinite(start)) return { start: 0, span: 1 };
  return { start, span: Math.max(1, end - start) };
}

/** Where a node's bar sits on the axis, as percentages. */
export function barOf(node: TrackNode, axis: TimeAxis): { left: number; width: number } | null {
  if (!node.startedAt) return null;
  const s = Date.parse(node.startedAt) - axis.start;
  const e = node.finishedAt ? Date.parse(node.finishedAt) - axis.start : s + (node.elapsedMs ?? 0);
  const left = (100 * s) / axis.span;
  return { left, width: Math.max(0.5, (100 * (e - s)) / axis.span) };
}

/** The branch an if-else or question-classifier node took, by its label. */
export function branchLabel(node: TrackNode): string | null {
  if (node.nodeType === 'if-else' && node.selectedCaseId != null) {
    if (node.selectedCaseId === 'true') return 'IF';
    if (node.selectedCaseId === 'false') return 'ELSE';
    return `ELIF (case ${node.selectedCaseId})`;
  }
  if (node.nodeType === 'question-classifier' && (node.className || node.classId)) {
    return node.className ? `class “${node.className}”` : `class ${node.classId}`;
  }
  return null;
}
