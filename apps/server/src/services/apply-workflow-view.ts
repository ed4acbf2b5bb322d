/**
 * What apply compares for a workflow: the stored one and the one the files want, both in the
 * document's shape (its app, calendar and node tasks by name, an inline node's app by name,
 * defaults filled as creation fills them), field by field, a node or an edge by its place
 * (`nodes.2.input`, `edges.0.condition`).
 */
import { Concurrency } from '@kairos/protocol';
import type { FieldChange, Schedule, WorkflowDefinition } from '@kairos/protocol';
import type { WorkflowNodeRecord, WorkflowRecord } from '../store/workflow-records.js';
import { fieldChanges } from './definition-diff.js';

/** The namespace's stored names by id. */
export interface CatalogNames {
  apps: Map<number, string>;
  tasks: Map<number, string>;
  calendars: Map<number, string>;
}

export interface WorkflowView {
  description: string | null;
  app: string;
  enabled: boolean;
  schedule: Record<string, unknown>;
  concurrency: Concurrency;
  timeoutSeconds: number | null;
  input: Record<string, unknown> | null;
  nodes: Record<string, unknown>[];
  edges: unknown[];
}

/** A stored workflow as the files would write it. */
export function storedWorkflowView(workflow: WorkflowRecord, names: CatalogNames): WorkflowView {
  const d = workflow.definition;
  return {
    description: workflow.description,
    app: names.apps.get(workflow.appId) ?? String(workflow.appId),
    enabled: workflow.enabled,
    schedule: scheduleView(d.schedule, (id) => names.calendars.get(id) ?? String(id)),
    concurrency: d.concurrency,
    timeoutSeconds: d.timeoutSeconds,
    input: d.input,
    nodes: d.nodes.map(({ taskId, task, forEach, ...node }) => ({
      ...node,
      task: task ? inlineTaskView(task, names.apps) : (names.tasks.get(taskId) ?? String(taskId)),
      ...(forEach ? { forEach: { onItemFailure: 'continue', ...forEach } } : {}),
    })),
    edges: d.edges,
  };
}

/**
 * A workflow of the files, its schedule as it will be stored (calendar by id) with the
 * calendar's name, and its nodes with their inline configs as they will be saved.
 */
export function wantedWorkflowView(
  def: WorkflowDefinition,
  schedule: Schedule,
  calendarName: string | undefined,
  nodes: WorkflowDefinition['nodes'],
): WorkflowView {
  return {
    description: def.description ?? null,
    app: def.app,
    enabled: def.enabled,
    schedule: scheduleView(schedule, () => calendarName ?? ''),
    concurrency: def.concurrency ?? Concurrency.parse({}),
    timeoutSeconds: def.timeoutSeconds ?? null,
    input: def.input ?? null,
    nodes: nodes.map((node) => ({ ...node })),
    edges: def.edges,
  };
}

/** An inline task with its app by name (the API takes an id as well). */
export function inlineTaskView(task: Record<string, unknown>, appNames: Map<number, string>) {
  const { app, ...rest } = task;
  if (app === undefined) return rest;
  return { ...rest, app: typeof app === 'number' ? (appNames.get(app) ?? String(app)) : app };
}

/** The fields that differ; nodes and edges compared place by place. */
export function workflowChanges(from: WorkflowView, to: WorkflowView): FieldChange[] {
  const byPlace = (view: WorkflowView) => ({
    ...view,
    nodes: { ...view.nodes },
    edges: { ...view.edges },
  });
  return fieldChanges(byPlace(from), byPlace(to));
}

/** Whether an inline node's task is the stored one, its app by name or by id alike. */
export function sameInlineTask(
  stored: WorkflowNodeRecord['task'],
  wanted: Record<string, unknown>,
  appNames: Map<number, string>,
): boolean {
  if (!stored) return false;
  return fieldChanges(inlineTaskView(stored, appNames), inlineTaskView(wanted, appNames)).length === 0;
}

function scheduleView(schedule: Schedule, calendarName: (id: number) => string): Record<string, unknown> {
  const { calendar, ...rest } = schedule;
  return calendar ? { ...rest, calendar: { name: calendarName(calendar.id), mode: calendar.mode } } : rest;
}
