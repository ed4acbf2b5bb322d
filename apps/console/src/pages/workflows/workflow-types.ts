/**
 * The workflow resource as the console reads and writes it (the API contract of
 * /api/v1/workflows and /api/v1/workflow-runs), and the sub-clients the pages call.
 */
import type { ScheduleInput, Schedule, List } from '@kairos/protocol';

export type EdgeCondition = 'on_success' | 'on_failure' | 'always' | { expression: string };

export interface InlineTaskDefinition {
  type: string;
  config: Record<string, unknown>;
  retry?: { maxAttempts?: number } | undefined;
  timeoutSeconds?: number | null | undefined;
}

export interface WorkflowNode {
  key: string;
  name?: string | undefined;
  taskId?: number | undefined;
  task?: InlineTaskDefinition | undefined;
  input?: string | undefined;
  forEach?: { items: string; concurrency?: number | undefined } | undefined;
  position?: { x: number; y: number } | undefined;
}

export interface WorkflowEdge {
  from: string;
  to: string;
  condition?: EdgeCondition | undefined;
}

export interface Workflow {
  id: number;
  namespace: string;
  name: string;
  description?: string | null | undefined;
  enabled: boolean;
  version: number;
  schedule: Schedule;
  timeoutSeconds?: number | null | undefined;
  input?: Record<string, unknown> | null | undefined;
  nodes: WorkflowNode[];
  edges: WorkflowEdge[];
  createdAt: string;
  updatedAt: string;
}

export interface WorkflowCreateInput {
  namespace?: string | undefined;
  name: string;
  description?: string | undefined;
  enabled?: boolean | undefined;
  schedule: ScheduleInput;
  timeoutSeconds?: number | null | undefined;
  input?: Record<string, unknown> | undefined;
  nodes: WorkflowNode[];
  edges: WorkflowEdge[];
}

export type WorkflowRunStatus = 'running' | 'succeeded' | 'failed' | 'cancelled' | 'timed_out';
export type WorkflowNodeStatus =
  'pending' | 'running' | 'succeeded' | 'failed' | 'skipped' | 'cancelled' | 'reused';

export interface WorkflowRunNode {
  key: string;
  status: WorkflowNodeStatus;
  runIds: number[];
  output?: unknown;
  error?: { type: string; message: string } | null | undefined;
}

export interface WorkflowRun {
  id: number;
  workflowId: number;
  workflowName: string;
  namespace: string;
  version: number;
  status: WorkflowRunStatus;
  triggerType: 'schedule' | 'api' | 'misfire' | 'resume';
  input: unknown;
  resumedFrom?: number | null | undefined;
  createdAt: string;
  startedAt?: string | null | undefined;
  finishedAt?: string | null | undefined;
  error?: { type: string; message: string } | null | undefined;
  nodes: WorkflowRunNode[];
}

export interface WorkflowValidation {
  valid: boolean;
  errors: { field: string; message: string }[];
}

export interface WorkflowsClient {
  list(options?: { namespace?: string; limit?: number; cursor?: string }): Promise<List<Workflow>>;
  get(id: number | string): Promise<Workflow>;
  create(body: WorkflowCreateInput): Promise<Workflow>;
  update(id: number | string, patch: Partial<WorkflowCreateInput>): Promise<Workflow>;
  delete(id: number | string): Promise<void>;
  validate(body: WorkflowCreateInput): Promise<WorkflowValidation>;
  version(id: number | string, version: number): Promise<Workflow>;
  run(id: number | string, body?: { input?: unknown }): Promise<WorkflowRun>;
}

export interface WorkflowRunsClient {
  list(options?: {
    workflowId?: number;
    status?: string;
    limit?: number;
    cursor?: string;
  }): Promise<List<WorkflowRun>>;
  get(id: number | string): Promise<WorkflowRun>;
  cancel(id: number | string): Promise<WorkflowRun>;
  resume(id: number | string): Promise<WorkflowRun>;
}
