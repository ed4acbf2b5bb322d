/**
 * Checks a workflow's graph and expressions, all problems at once, each with the place it is at
 * (`nodes.2.input`, `edges.1.to`, `edges` for a cycle, named as `cycle: a → b → a`): node keys
 * unique, one task per node, edges between known nodes and not repeated, no cycle, every JSONata
 * expression parsing, and mappings naming only known nodes. Pure; the namespace's tasks and job
 * types are checked by the service.
 */
import type { WorkflowEdge, WorkflowNode } from '@kairos/protocol';
import { ExpressionError, namedNodes, type Expressions } from './expressions.js';

export interface DefinitionProblem {
  field: string;
  message: string;
}

export function validateDefinition(
  nodes: readonly WorkflowNode[],
  edges: readonly WorkflowEdge[],
  expressions: Expressions,
): DefinitionProblem[] {
  const problems: DefinitionProblem[] = [];
  const keys = new Map<string, number>();
  nodes.forEach((node, i) => {
    if (keys.has(node.key)) {
      problems.push({
        field: `nodes.${i}.key`,
        message: `"${node.key}" is the key of nodes.${keys.get(node.key)} too`,
      });
    } else keys.set(node.key, i);
    if ((node.taskId === undefined) === (node.task === undefined)) {
      problems.push({
        field: `nodes.${i}`,
        message: 'give either taskId (an existing task) or task (an inline definition)',
      });
    }
  });
  nodes.forEach((node, i) => {
    if (node.input !== undefined)
      checkExpression(`nodes.${i}.input`, node.input, keys, expressions, problems);
    if (node.forEach !== undefined)
      checkExpression(`nodes.${i}.forEach.items`, node.forEach.items, keys, expressions, problems);
  });
  const seen = new Map<string, number>();
  edges.forEach((edge, i) => {
    for (const end of ['from', 'to'] as const) {
      if (!keys.has(edge[end]))
        problems.push({ field: `edges.${i}.${end}`, message: `no node "${edge[end]}"` });
    }
    const id = `${edge.from}\u0000${edge.to}`;
    if (seen.has(id)) problems.push({ field: `edges.${i}`, message: `repeats edges.${seen.get(id)}` });
    else seen.set(id, i);
    if (typeof edge.condition === 'object') {
      // An edge's condition sees its upstream node alone: { status, output, input }.
      checkExpression(
        `edges.${i}.condition.expression`,
        edge.condition.expression,
        undefined,
        expressions,
        problems,
      );
    }
  });
  const cycle = findCycle(
    [...keys.keys()],
    edges.filter((e) => keys.has(e.from) && keys.has(e.to)),
  );
  if (cycle) problems.push({ field: 'edges', message: `cycle: ${cycle.join(' → ')}` });
  return problems;
}

function checkExpression(
  field: string,
  text: string,
  keys: ReadonlyMap<string, number> | undefined,
  expressions: Expressions,
  problems: DefinitionProblem[],
): void {
  try {
    const parsed = expressions.parse(text);
    if (!keys) return;
    for (const name of namedNodes(parsed)) {
      if (!keys.has(name))
        problems.push({ field, message: `names node "${name}", which the workflow does not have` });
    }
  } catch (error) {
    if (!(error instanceof ExpressionError)) throw error;
    problems.push({ field, message: `is not a valid JSONata expression: ${error.message}` });
  }
}

/** One cycle as the path of its keys, first key repeated at the end; undefined: none. */
export function findCycle(
  keys: readonly string[],
  edges: readonly { from: string; to: string }[],
): string[] | undefined {
  const next = new Map<string, string[]>(keys.map((k) => [k, []]));
  for (const e of edges) next.get(e.from)?.push(e.to);
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (key: string): string[] | undefined => {
    state.set(key, 'open');
    path.push(key);
    for (const to of next.get(key) ?? []) {
      if (state.get(to) === 'open') return [...path.slice(path.indexOf(to)), to];
      if (state.get(to) === undefined) {
        const found = visit(to);
        if (found) return found;
      }
    }
    path.pop();
    state.set(key, 'done');
    return undefined;
  };
  for (const key of keys) {
    if (state.get(key) === undefined) {
      const found = visit(key);
      if (found) return found;
    }
  }
  return undefined;
}
