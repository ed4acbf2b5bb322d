/**
 * Workflows: DAGs of tasks with data passed between nodes, their versions and their
 * runs. The shapes the API, the console, the CLI and the client share.
 */
import { z } from 'zod';
import { Concurrency, Retry, RunError, Schedule } from './schemas.js';

const id = z.number().int().positive();
const namespaceName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'must be 1-63 lowercase letters, digits, "_" or "-"');
const appRef = z.union([z.string().min(1), id]);
/** A JSONata expression (https://docs.jsonata.org), checked for syntax on save. */
const expression = z.string().min(1).max(10_000);

/** A node's own task, defined in the workflow (any job type), instead of an existing task. */
export const InlineTaskDefinition = z.strictObject({
  type: z.string().min(1).max(64),
  config: z.record(z.string(), z.unknown()).default({}),
  /** The app the task runs under; default: the workflow's app. */
  app: appRef.optional(),
  timeoutSeconds: z
    .number()
    .positive()
    .max(7 * 86_400)
    .nullable()
    .optional(),
  retry: Retry.optional(),
});
export type InlineTaskDefinition = z.output<typeof InlineTaskDefinition>;

export const WorkflowNode = z.strictObject({
  /** Unique in the workflow. */
  key: z.string().regex(/^[a-z0-9_-]{1,64}$/, 'must be 1-64 lowercase letters, digits, "_" or "-"'),
  name: z.string().max(200).optional(),
  /** An existing task of the workflow's namespace, or `task`. */
  taskId: id.optional(),
  task: InlineTaskDefinition.optional(),
  /**
   * JSONata over `{ input, nodes: { <key>: { status, output } }, item }` whose result (an object)
   * is the node run's input. Without it the node run gets the workflow run's input.
   */
  input: expression.optional(),
  /**
   * One node run per item of the list this JSONata gives, at most `concurrency` at once. When an
   * item fails (after its retries): `continue` (default) runs the other items and fails the node
   * at the end; `fail_fast` fails the node at once and cancels the items not ended.
   */
  forEach: z
    .strictObject({
      items: expression,
      concurrency: z.number().int().min(1).max(1000).default(10),
      onItemFailure: z.enum(['continue', 'fail_fast']).default('continue'),
    })
    .optional(),
  /** Where the editor draws it. */
  position: z.strictObject({ x: z.number(), y: z.number() }).optional(),
});
export type WorkflowNodeInput = z.input<typeof WorkflowNode>;
export type WorkflowNode = z.output<typeof WorkflowNode>;

export const EdgeCondition = z.union([
  z.enum(['on_success', 'on_failure', 'always']),
  /** JSONata over `{ status, output, input }` of the upstream node; truthy: the edge is taken. */
  z.strictObject({ expression }),
]);
export type EdgeCondition = z.output<typeof EdgeCondition>;

export const WorkflowEdge = z.strictObject({
  from: z.string().min(1),
  to: z.string().min(1),
  condition: EdgeCondition.default('on_success'),
});
export type WorkflowEdge = z.output<typeof WorkflowEdge>;

export const WorkflowCreate = z.strictObject({
  namespace: namespaceName.optional(),
  name: z.string().min(1).max(200),
  description: z.string().max(2000).optional(),
  /** The app its scheduled fires and inline tasks run under. */
  app: appRef,
  enabled: z.boolean().default(true),
  schedule: Schedule.default({
    type: 'api',
    timezone: 'UTC',
    misfire: { policy: 'skip', thresholdSeconds: 5, maxCatchUp: 100 },
    dstGap: 'shift',
  }),
  /**
   * Runs of the workflow at once (`max`, default 1) and what a new run does when `max` are
   * running (`overlap`): `skip` (default) leaves it out, `queue` holds it `queued` until one ends,
   * `replace` cancels the oldest running one, `allow` starts it anyway.
   */
  concurrency: Concurrency.optional(),
  /** A workflow run still going after this long is ended `timed_out` and its running nodes cancelled. */
  timeoutSeconds: z
    .number()
    .positive()
    .max(30 * 86_400)
    .nullable()
    .optional(),
  /** The workflow run's input when a fire or a run gives none. */
  input: z.record(z.string(), z.unknown()).optional(),
  nodes: z.array(WorkflowNode).min(1, 'must hold at least one node').max(500),
  edges: z.array(WorkflowEdge).max(5000).default([]),
});
export type WorkflowCreateInput = z.input<typeof WorkflowCreate>;
export type WorkflowCreate = z.output<typeof WorkflowCreate>;

/** A PATCH replaces the fields given (nodes and edges as a whole) and makes a new version. */
export const WorkflowUpdate = z.strictObject({
  name: z.string().min(1).max(200).optional(),
  description: z.string().max(2000).nullable().optional(),
  app: appRef.optional(),
  enabled: z.boolean().optional(),
  schedule: Schedule.optional(),
  concurrency: Concurrency.optional(),
  timeoutSeconds: z
    .number()
    .positive()
    .max(30 * 86_400)
    .nullable()
    .optional(),
  input: z.record(z.string(), z.unknown()).nullable().optional(),
  nodes: z.array(WorkflowNode).min(1, 'must hold at least one node').max(500).optional(),
  edges: z.array(WorkflowEdge).max(5000).optional(),
});
export type WorkflowUpdateInput = z.input<typeof WorkflowUpdate>;
export type WorkflowUpdate = z.output<typeof WorkflowUpdate>;

export const Workflow = z.object({
  id,
  namespace: z.string(),
  appId: id,
  appName: z.string(),
  name: z.string(),
  description: z.string().optional(),
  enabled: z.boolean(),
  version: z.number().int().positive(),
  schedule: Schedule,
  concurrency: Concurrency,
  timeoutSeconds: z.number().optional(),
  input: z.record(z.string(), z.unknown()).optional(),
  nodes: z.array(WorkflowNode),
  edges: z.array(WorkflowEdge),
  /** The next scheduled fire; null when the schedule fires only by API. */
  nextFireAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Workflow = z.infer<typeof Workflow>;

export const WorkflowListQuery = z.strictObject({
  namespace: namespaceName.optional(),
  cursor: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

export const WorkflowValidation = z.object({
  valid: z.boolean(),
  errors: z.array(z.object({ field: z.string(), message: z.string() })),
});
export type WorkflowValidation = z.infer<typeof WorkflowValidation>;

export const WorkflowVersion = z.object({ version: z.number().int().positive(), createdAt: z.string() });
export type WorkflowVersion = z.infer<typeof WorkflowVersion>;

export const WorkflowRunStatus = z.enum([
  'queued',
  'running',
  'succeeded',
  'failed',
  'cancelled',
  'timed_out',
]);
export type WorkflowRunStatus = z.infer<typeof WorkflowRunStatus>;
export const WorkflowNodeStatus = z.enum([
  'pending',
  'running',
  'succeeded',
  'failed',
  'skipped',
  'cancelled',
  'reused',
]);
export type WorkflowNodeStatus = z.infer<typeof WorkflowNodeStatus>;
export const WorkflowTriggerType = z.enum(['schedule', 'api', 'misfire', 'resume']);
export type WorkflowTriggerType = z.infer<typeof WorkflowTriggerType>;

export const WorkflowRunNode = z.object({
  key: z.string(),
  status: WorkflowNodeStatus,
  /** Its ordinary runs: one per attempt, or per item and attempt for forEach. */
  runIds: z.array(id),
  /** For forEach: the list of item results, in item order. */
  output: z.unknown().optional(),
  error: RunError.optional(),
});
export type WorkflowRunNode = z.infer<typeof WorkflowRunNode>;

export const WorkflowRun = z.object({
  id,
  workflowId: id,
  workflowName: z.string(),
  namespace: z.string(),
  version: z.number().int().positive(),
  status: WorkflowRunStatus,
  triggerType: WorkflowTriggerType,
  input: z.unknown(),
  resumedFrom: id.optional(),
  createdAt: z.string(),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
  error: RunError.optional(),
  nodes: z.array(WorkflowRunNode),
});
export type WorkflowRun = z.infer<typeof WorkflowRun>;

export const WorkflowRunTrigger = z.strictObject({ input: z.record(z.string(), z.unknown()).optional() });
export type WorkflowRunTrigger = z.infer<typeof WorkflowRunTrigger>;

export const WorkflowRunListQuery = z.strictObject({
  namespace: namespaceName.optional(),
  workflowId: z.coerce.number().int().positive().optional(),
  status: WorkflowRunStatus.optional(),
  cursor: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});
