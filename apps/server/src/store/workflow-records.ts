/**
 * Workflows as the store keeps them: the records the rest of the server works
 * with, and their mapping from rows (the tables are in db-schema.ts). A definition is kept as
 * JSON, per version.
 */
import type { Concurrency, RunError, Schedule } from '@kairos/protocol';
import type { Selectable } from 'kysely';
import type { WorkflowRunNodesTable, WorkflowRunsTable, WorkflowsTable } from './db-schema.js';
import { fromDbBool, fromJson } from './row-mapping.js';

export type EdgeConditionRecord = 'on_success' | 'on_failure' | 'always' | { expression: string };

/** A node as stored: `taskId` is resolved (an inline definition has its own hidden task). */
export interface WorkflowNodeRecord {
  key: string;
  name?: string | undefined;
  taskId: number;
  /** The inline definition as given (absent: the node names an existing task). */
  task?: Record<string, unknown> | undefined;
  input?: string | undefined;
  /** `onItemFailure` absent (a definition saved before it existed): `continue`. */
  forEach?: { items: string; concurrency: number; onItemFailure?: 'continue' | 'fail_fast' } | undefined;
  position?: { x: number; y: number } | undefined;
}

export interface WorkflowEdgeRecord {
  from: string;
  to: string;
  condition: EdgeConditionRecord;
}

/** Everything a version fixes. */
export interface WorkflowDefinition {
  schedule: Schedule;
  concurrency: Concurrency;
  timeoutSeconds: number | null;
  input: Record<string, unknown> | null;
  nodes: WorkflowNodeRecord[];
  edges: WorkflowEdgeRecord[];
}

export interface WorkflowRecord {
  id: number;
  namespaceId: number;
  appId: number;
  name: string;
  description: string | null;
  enabled: boolean;
  version: number;
  definition: WorkflowDefinition;
  driverTaskId: number | null;
  createdAt: number;
  updatedAt: number;
}

export type WorkflowRunStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'timed_out';
export type WorkflowNodeStatus =
  'pending' | 'running' | 'succeeded' | 'failed' | 'skipped' | 'cancelled' | 'reused';

export interface WorkflowRunRecord {
  id: number;
  workflowId: number;
  namespaceId: number;
  version: number;
  status: WorkflowRunStatus;
  triggerType: 'schedule' | 'api' | 'misfire' | 'resume';
  input: unknown;
  resumedFrom: number | null;
  driverRunId: number | null;
  deadlineAt: number | null;
  advanceOwed: boolean;
  stateVersion: number;
  error: RunError | null;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
}

export interface WorkflowRunNodeRecord {
  key: string;
  status: WorkflowNodeStatus;
  output: unknown;
  error: RunError | null;
  itemsTotal: number | null;
  itemsStarted: number;
  itemsDone: number;
}

export function toWorkflowRecord(row: Selectable<WorkflowsTable>): WorkflowRecord {
  return {
    id: Number(row.id),
    namespaceId: Number(row.namespace_id),
    appId: Number(row.app_id),
    name: row.name,
    description: row.description,
    enabled: fromDbBool(row.enabled),
    version: Number(row.version),
    definition: JSON.parse(row.definition) as WorkflowDefinition,
    driverTaskId: row.driver_task_id === null ? null : Number(row.driver_task_id),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

export function toWorkflowRunRecord(row: Selectable<WorkflowRunsTable>): WorkflowRunRecord {
  return {
    id: Number(row.id),
    workflowId: Number(row.workflow_id),
    namespaceId: Number(row.namespace_id),
    version: Number(row.version),
    status: row.status as WorkflowRunStatus,
    triggerType: row.trigger_type as WorkflowRunRecord['triggerType'],
    input: fromJson(row.input),
    resumedFrom: row.resumed_from === null ? null : Number(row.resumed_from),
    driverRunId: row.driver_run_id === null ? null : Number(row.driver_run_id),
    deadlineAt: row.deadline_at === null ? null : Number(row.deadline_at),
    advanceOwed: Number(row.advance_owed) === 1,
    stateVersion: Number(row.state_version),
    error: fromJson(row.error) as RunError | null,
    createdAt: Number(row.created_at),
    startedAt: row.started_at === null ? null : Number(row.started_at),
    finishedAt: row.finished_at === null ? null : Number(row.finished_at),
  };
}

export function toWorkflowRunNodeRecord(row: Selectable<WorkflowRunNodesTable>): WorkflowRunNodeRecord {
  return {
    key: row.node_key,
    status: row.status as WorkflowNodeStatus,
    output: fromJson(row.output),
    error: fromJson(row.error) as RunError | null,
    itemsTotal: row.items_total === null ? null : Number(row.items_total),
    itemsStarted: Number(row.items_started),
    itemsDone: Number(row.items_done),
  };
}
