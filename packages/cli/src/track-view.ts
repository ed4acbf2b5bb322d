/**
 * A Dify run's node track as a person reads it: `kairos runs track` draws the tree (containers'
 * rounds and their nodes indented under them), `kairos runs logs --follow` prints one line per
 * node event as the workflow moves.
 */
import type { RunEvent } from '@kairos/protocol';
import { formatDuration } from './format.js';

type Node = Record<string, unknown>;

const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);

/** `LLM (llm) succeeded 1.2s, 326 tokens — branch true`. */
function nodeLabel(node: Node): string {
  const parts = [`${text(node.title) ?? text(node.nodeId) ?? '?'} (${text(node.nodeType) ?? '?'})`];
  parts.push(text(node.status) ?? '?');
  const elapsed = formatDuration(num(node.elapsedMs));
  if (elapsed) parts.push(elapsed);
  const tokens = num(node.tokens);
  if (tokens) parts.push(`${tokens} tokens`);
  const branch = text(node.className) ?? text(node.classId) ?? text(node.selectedCaseId);
  if (branch) parts.push(`→ ${branch}`);
  const attempts = Array.isArray(node.attempts) ? node.attempts.length : 0;
  if (attempts > 0) parts.push(`after ${attempts} failed attempt${attempts > 1 ? 's' : ''}`);
  const error = text(node.error);
  if (error) parts.push(`error: ${error}`);
  return parts.join('  ');
}

/** The tree, one node a line: `├─ `, `└─ ` and `│  ` as `tree(1)` draws them. */
export function trackTree(nodes: Node[]): string[] {
  const lines: string[] = [];
  const walk = (list: Node[], indent: string): void => {
    list.forEach((node, i) => {
      const last = i === list.length - 1;
      lines.push(`${indent}${last ? '└─ ' : '├─ '}${nodeLabel(node)}`);
      const below = `${indent}${last ? '   ' : '│  '}`;
      const rounds = Array.isArray(node.rounds) ? (node.rounds as Node[]) : [];
      rounds.forEach((round, r) => {
        const lastRound = r === rounds.length - 1;
        const elapsed = formatDuration(num(round.elapsedMs));
        lines.push(
          `${below}${lastRound ? '└─ ' : '├─ '}round ${num(round.index) ?? r}${elapsed ? `  ${elapsed}` : ''}`,
        );
        walk(
          Array.isArray(round.nodes) ? (round.nodes as Node[]) : [],
          `${below}${lastRound ? '   ' : '│  '}`,
        );
      });
    });
  };
  walk(nodes, '');
  return lines;
}

/** One line for a Dify event worth following (node and workflow progress), else undefined. */
export function progressLine(event: RunEvent): string | undefined {
  const data = (event.data ?? {}) as { data?: Node };
  const d = data.data ?? {};
  const title = `${text(d.title) ?? text(d.node_id) ?? '?'} (${text(d.node_type) ?? '?'})`;
  switch (event.event) {
    case 'workflow_started':
      return `${event.at} workflow started`;
    case 'node_started':
      return `${event.at} node   ▶ ${title}`;
    case 'node_finished': {
      const elapsed = num(d.elapsed_time);
      const error = text(d.error);
      return `${event.at} node   ${d.status === 'succeeded' ? '✓' : '✗'} ${title} ${text(d.status) ?? ''}${elapsed === undefined ? '' : ` ${formatDuration(elapsed * 1000)}`}${error ? `: ${error}` : ''}`;
    }
    case 'workflow_finished':
      return `${event.at} workflow ${text(d.status) ?? 'finished'}`;
    default:
      return undefined;
  }
}
