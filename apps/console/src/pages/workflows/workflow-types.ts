/**
 * The workflow resource as the console reads and writes it (the API contract of
 * /api/v1/workflows and /api/v1/workflow-runs), and the sub-clients the pages call.
 */
import type { Concurrency, List, RunError, Schedule, ScheduleInput } from '@kairos/protocol';

export type EdgeCondition = 'on_success' | 'on_failure' | 'always' | { expression: string };

export interface InlineTaskDefinition {
  type: string;
  config: Record<string, unknown>;
  app?: string | number | undefined;
  timeoutSeconds?: number | null | undefined;
  retry?: { maxAttempts?: number | undefined } | undefined;
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
  appId: number;
  appName: string;
  name: string;
  description?: string | undefined;
  enabled: boolean;
  version: number;
  schedule: Schedule;
  concurrency: Concurrency;
  timeoutSeconds?: number | undefined;
  input?: Record<string, unknown> | undefined;
  nodes: WorkflowNode[];
  edges: WorkflowEdge[];
  nextFireAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface WorkflowCreateInput {
  namespace?: string | undefined;
  name: string;
  description?: string | undefined;
  app: string | number;
  enabled?: boolean | undefined;
  schedule?: ScheduleInput | undefined;
  concurrency?: Partial<Concurrency> | undefined;
  timeoutSeconds?: number | null | undefined;
  input?: Record<string, unknown> | undefined;
  nodes: WorkflowNode[];
  edges?: WorkflowEdge[] | undefined;
}

export type WorkflowUpdateInput = Partial<
  Omit<WorkflowCreateInput, 'namespace' | 'description' | 'input'>
> & {
  description?: string | null | undefined;
  input?: Record<string, unknown> | null | undefined;
};

export type WorkflowRunStatus = 'running' | 'succeeded' | 'failed' | 'cancelled' | 'timed_out';

export interface WorkflowRunNode {
  key: string;
  status: 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped' | 'cancelled' | 'reused';
  runIds: number[];
  output?: unknown;
  error?: RunError | undefined;
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
  resumedFrom?: number | undefined;
  createdAt: string;
  startedAt?: string | undefined;
  finishedAt?: string | undefined;
  error?: RunError | undefined;
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
  update(id: number | string, patch: WorkflowUpdateInput): Promise<Workflow>;
  delete(id: number | string): Promise<void>;
  validate(body: WorkflowCreateInput): Promise<WorkflowValidation>;
  version(id: number | string, version: number): Promise<Workflow>;
  run(id: number | string, body?: { input?: Record<string, unknown> | undefined }): Promise<WorkflowRun>;
}

export interface WorkflowRunsClient {
  list(options?: {
    workflowId?: number;
    status?: WorkflowRunStatus;
    limit?: number;
    cursor?: string;
  }): Promise<List<WorkflowRun>>;
  get(id: number | string): Promise<WorkflowRun>;
  cancel(id: number | string): Promise<WorkflowRun>;
  resume(id: number | string): Promise<WorkflowRun>;
}
