/**
 * The workflow editor's state and its conversions: from a saved workflow (edit), to the API's
 * body (save, check), and from the server's refusal (a field such as `nodes.2.input`, or a
 * message naming a cycle) to the node or edge it is about. Nodes and edges are sent in the
 * order the editor holds them, which is what lets an index in a field name find its node.
 */
import type { Edge, Node } from '@xyflow/react';
import {
  FormFieldError,
  emptyForm,
  formOfTask,
  scheduleOf,
  type TaskFormState,
} from '../tasks/task-form-state.js';
import { positionsOf } from './layout.js';
import type {
  EdgeCondition,
  Task,
  Workflow,
  WorkflowCreateInput,
  WorkflowNodeInput,
  WorkflowUpdateInput,
} from '@kairos/protocol';

type WorkflowEdgeInput = NonNullable<WorkflowCreateInput['edges']>[number];

export const NODE_KEY = /^[a-z0-9_-]{1,64}$/;
export const CONDITIONS = ['on_success', 'on_failure', 'always', 'expression'] as const;
export type ConditionKind = (typeof CONDITIONS)[number];

export interface NodeDraft extends Record<string, unknown> {
  key: string;
  name: string;
  source: 'task' | 'inline';
  /** The existing task's id, as the Select holds it. */
  taskId: string;
  /** An inline task's job type, config (JSON text), timeout and attempts. */
  type: string;
  config: string;
  timeoutSeconds: string;
  maxAttempts: string;
  /** JSONata whose object is merged into the task's input. */
  input: string;
  forEach: boolean;
  forEachItems: string;
  forEachConcurrency: string;
  forEachOnItemFailure: 'continue' | 'fail_fast';
}

export interface EdgeDraft extends Record<string, unknown> {
  condition: ConditionKind;
  expression: string;
}

export type DraftNode = Node<NodeDraft, 'draft'>;
export type DraftEdge = Edge<EdgeDraft>;

export interface WorkflowMeta {
  name: string;
  description: string;
  /** The app its scheduled fires and inline tasks run under. */
  app: string;
  concurrencyMax: string;
  overlap: 'skip' | 'queue' | 'replace' | 'allow';
  enabled: boolean;
  timeoutSeconds: string;
  /** The default workflow input, JSON text. */
  input: string;
  /** The schedule part, in the task form's shape so its fields and preview serve both. */
  schedule: TaskFormState;
}

export const edgeId = (from: string, to: string): string => `${from}->${to}`;

export function emptyMeta(): WorkflowMeta {
  return {
    name: '',
    description: '',
    app: '',
    concurrencyMax: '1',
    overlap: 'skip',
    enabled: true,
    timeoutSeconds: '',
    input: '{}',
    schedule: { ...emptyForm(), scheduleType: 'api' },
  };
}

export function newNodeDraft(key: string): NodeDraft {
  return {
    key,
    name: '',
    source: 'inline',
    taskId: '',
    type: 'http',
    config: '{\n  "method": "GET",\n  "url": ""\n}',
    timeoutSeconds: '',
    maxAttempts: '1',
    input: '',
    forEach: false,
    forEachItems: '',
    forEachConcurrency: '',
    forEachOnItemFailure: 'continue',
  };
}

/** The first `node_N` not taken. */
export function freeKey(nodes: readonly DraftNode[]): string {
  const taken = new Set(nodes.map((n) => n.id));
  let i = nodes.length + 1;
  while (taken.has(`node_${i}`)) i++;
  return `node_${i}`;
}

export function metaOfWorkflow(w: Workflow): WorkflowMeta {
  // formOfTask reads only the schedule fields from this stand-in task.
  const schedule = formOfTask({ ...STAND_IN_TASK, schedule: w.schedule } as Task, false);
  return {
    name: w.name,
    description: w.description ?? '',
    app: w.appName,
    concurrencyMax: String(w.concurrency.max),
    overlap: w.concurrency.overlap,
    enabled: w.enabled,
    timeoutSeconds:
      w.timeoutSeconds === null || w.timeoutSeconds === undefined ? '' : String(w.timeoutSeconds),
    input: JSON.stringify(w.input ?? {}, null, 2),
    schedule,
  };
}

const STAND_IN_TASK = {
  name: '',
  description: null,
  appName: '',
  type: 'http',
  config: {},
  timeoutSeconds: null,
  retry: { maxAttempts: 1, backoff: 'exponential', delaySeconds: 10, maxDelaySeconds: 3600 },
  concurrency: { max: 1, overlap: 'skip' },
  enabled: true,
};

export function nodesOfWorkflow(w: Pick<Workflow, 'nodes'>): DraftNode[] {
  return w.nodes.map((n) => ({
    id: n.key,
    type: 'draft',
    position: n.position ?? { x: 0, y: 0 },
    data: {
      ...newNodeDraft(n.key),
      name: n.name ?? '',
      source: n.taskId !== undefined && n.taskId !== null ? 'task' : 'inline',
      taskId: n.taskId !== undefined && n.taskId !== null ? String(n.taskId) : '',
      type: n.task?.type ?? 'http',
      config: JSON.stringify(n.task?.config ?? {}, null, 2),
      timeoutSeconds: n.task?.timeoutSeconds ? String(n.task.timeoutSeconds) : '',
      maxAttempts: String(n.task?.retry?.maxAttempts ?? 1),
      input: n.input ?? '',
      forEach: n.forEach !== undefined && n.forEach !== null,
      forEachItems: n.forEach?.items ?? '',
      forEachConcurrency: n.forEach?.concurrency ? String(n.forEach.concurrency) : '',
      forEachOnItemFailure: n.forEach?.onItemFailure ?? 'continue',
    },
  }));
}

export function edgesOfWorkflow(w: Pick<Workflow, 'edges'>): DraftEdge[] {
  return w.edges.map((e) => ({
    id: edgeId(e.from, e.to),
    source: e.from,
    target: e.to,
    data: conditionDraft(e.condition),
  }));
}

export interface WorkflowDraft {
  meta: WorkflowMeta;
  nodes: DraftNode[];
  edges: DraftEdge[];
}

export const emptyDraft = (): WorkflowDraft => ({ meta: emptyMeta(), nodes: [], edges: [] });

/** A saved workflow in the editor; nodes saved without a position are laid out. */
export function draftOfWorkflow(w: Workflow): WorkflowDraft {
  const at = positionsOf(w.nodes, w.edges);
  return {
    meta: metaOfWorkflow(w),
    nodes: nodesOfWorkflow(w).map((n) => ({ ...n, position: at.get(n.id) ?? n.position })),
    edges: edgesOfWorkflow(w),
  };
}

function conditionDraft(c: EdgeCondition | undefined | null): EdgeDraft {
  if (c === undefined || c === null) return { condition: 'on_success', expression: '' };
  if (typeof c === 'string') return { condition: c, expression: '' };
  return { condition: 'expression', expression: c.expression };
}

function parseJsonObject(field: string, text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = text.trim() === '' ? {} : JSON.parse(text);
  } catch (error) {
    throw new FormFieldError(field, `is not valid JSON (${(error as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new FormFieldError(field, 'must be a JSON object');
  }
  return value as Record<string, unknown>;
}

const numberOr = (text: string): number | undefined => (text.trim() === '' ? undefined : Number(text));

export function nodeBody(node: DraftNode, index: number): WorkflowNodeInput {
  const d = node.data;
  const body: WorkflowNodeInput = {
    key: d.key,
    position: { x: Math.round(node.position.x), y: Math.round(node.position.y) },
  };
  if (d.name.trim() !== '') body.name = d.name.trim();
  if (d.source === 'task') {
    if (d.taskId === '') throw new FormFieldError(`nodes.${index}.taskId`, 'pick a task');
    body.taskId = Number(d.taskId);
  } else {
    const maxAttempts = numberOr(d.maxAttempts);
    const timeoutSeconds = numberOr(d.timeoutSeconds);
    body.task = {
      type: d.type,
      config: parseJsonObject(`nodes.${index}.task.config`, d.config),
      ...(maxAttempts !== undefined ? { retry: { maxAttempts } } : {}),
      ...(timeoutSeconds !== undefined ? { timeoutSeconds } : {}),
    };
  }
  if (d.input.trim() !== '') body.input = d.input;
  if (d.forEach) {
    const concurrency = numberOr(d.forEachConcurrency);
    body.forEach = {
      items: d.forEachItems,
      ...(concurrency !== undefined ? { concurrency } : {}),
      onItemFailure: d.forEachOnItemFailure,
    };
  }
  return body;
}

export function edgeBody(edge: DraftEdge): WorkflowEdgeInput {
  const d = edge.data ?? { condition: 'on_success', expression: '' };
  const condition: EdgeCondition = d.condition === 'expression' ? { expression: d.expression } : d.condition;
  return { from: edge.source, to: edge.target, ...(condition === 'on_success' ? {} : { condition }) };
}

export function workflowBody(
  meta: WorkflowMeta,
  nodes: readonly DraftNode[],
  edges: readonly DraftEdge[],
): WorkflowCreateInput {
  const timeoutSeconds = numberOr(meta.timeoutSeconds);
  return {
    name: meta.name,
    ...(meta.description.trim() !== '' ? { description: meta.description } : {}),
    app: meta.app,
    enabled: meta.enabled,
    schedule: scheduleOf(meta.schedule),
    concurrency: { max: Number(meta.concurrencyMax) || 1, overlap: meta.overlap },
    ...(timeoutSeconds !== undefined ? { timeoutSeconds } : {}),
    input: parseJsonObject('input', meta.input),
    nodes: nodes.map(nodeBody),
    edges: edges.map(edgeBody),
  };
}

/** An edit sends the whole definition (a PATCH replaces the fields it gives): cleared fields as null. */
export function workflowPatch(body: WorkflowCreateInput): WorkflowUpdateInput {
  const { namespace: _namespace, ...rest } = body;
  return { ...rest, description: rest.description ?? null, timeoutSeconds: rest.timeoutSeconds ?? null };
}

/** A refusal placed where it belongs: on a node's field, an edge's, or the workflow's. */
export type Problem =
  | { on: 'node'; key: string; field: string; message: string }
  | { on: 'edge'; id: string; field: string; message: string }
  | { on: 'workflow'; field: string | undefined; message: string };

const INDEXED = /^(nodes|edges)\.(\d+)(?:\.(.+))?$/;

/**
 * Where the server's `{ field, message }` belongs. `nodes.2.input` (the API's dotted path) is the
 * third node's input mapping; a message naming a cycle ("cycle: a → b → a") marks each of its
 * edges.
 */
export function placeProblems(
  field: string | undefined,
  message: string,
  nodes: readonly DraftNode[],
  edges: readonly DraftEdge[],
): Problem[] {
  const cycle = /cycle: (.+)$/.exec(message);
  if (cycle) {
    const keys = cycle[1]!.split('→').map((k) => k.trim());
    const ids = keys.slice(1).map((to, i) => edgeId(keys[i]!, to));
    const onEdges = ids.filter((id) => edges.some((e) => e.id === id));
    if (onEdges.length > 0) return onEdges.map((id) => ({ on: 'edge', id, field: 'condition', message }));
  }
  const m = field === undefined ? null : INDEXED.exec(field);
  if (m) {
    const index = Number(m[2]);
    const rest = m[3] ?? '';
    const node = m[1] === 'nodes' ? nodes[index] : undefined;
    const edge = m[1] === 'edges' ? edges[index] : undefined;
    if (node) return [{ on: 'node', key: node.id, field: rest, message }];
    if (edge) return [{ on: 'edge', id: edge.id, field: rest, message }];
  }
  return [{ on: 'workflow', field, message }];
}

export const problemText = (p: Problem): string =>
  p.on === 'node'
    ? `Node ${p.key}${p.field ? ` (${p.field})` : ''}: ${p.message}`
    : p.on === 'edge'
      ? `Edge ${p.id.replace('->', ' → ')}${p.field ? ` (${p.field})` : ''}: ${p.message}`
      : p.field
        ? `${p.field}: ${p.message}`
        : p.message;
