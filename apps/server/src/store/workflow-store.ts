/**
 * The workflow operations of the Store: definitions with their versions and hidden
 * tasks (workflow-queries.ts), workflow runs and their nodes (workflow-run-queries.ts). Every
 * write of several rows is one transaction (write-steps.ts): nothing is half saved.
 */
import type { NamespaceFilter } from './namespace-scope.js';
import type { NewTask, Page, PageRequest, RunRecord, TaskPatch, TaskRecord } from './store.js';
import type {
  WorkflowDefinition,
  WorkflowNodeStatus,
  WorkflowRecord,
  WorkflowRunNodeRecord,
  WorkflowRunRecord,
  WorkflowRunStatus,
} from './workflow-records.js';
import type { NewRun } from './store.js';
import type { RunError } from '@kairos/protocol';

/** A definition to save: inline nodes carry taskId 0 and their hidden task in `inlineTasks`. */
export interface WorkflowSave {
  namespaceId: number;
  appId: number;
  name: string;
  description: string | null;
  enabled: boolean;
  definition: WorkflowDefinition;
  /** Per node key, the hidden task to create for an inline node (`workflowId` is set by the store). */
  inlineTasks: Record<string, NewTask>;
  /** The hidden task whose fires start runs: created with the workflow, patched on change. */
  driverTask: NewTask;
}

export interface WorkflowVersionRecord {
  version: number;
  definition: WorkflowDefinition;
  createdAt: number;
}

export interface NewWorkflowRun {
  workflowId: number;
  namespaceId: number;
  version: number;
  triggerType: WorkflowRunRecord['triggerType'];
  input: unknown;
  resumedFrom: number | null;
  /** The fire that started it: a second start for the same fire returns the first run. */
  driverRunId: number | null;
  deadlineAt: number | null;
  startedAt: number;
  /** Every node of the version, with its first status (`reused` ones with their output). */
  nodes: { key: string; status: 'pending' | 'reused'; output: unknown }[];
}

/** One node's change, decided by the advancer (workflows/advance.ts). */
export interface NodeChange {
  key: string;
  status: WorkflowNodeStatus;
  output?: unknown;
  error?: RunError | null;
  itemsTotal?: number | null;
  /** Items started so far (forEach), after this change. */
  itemsStarted?: number;
}

/** What one advance writes, applied only while the run's state_version is the one it read. */
export interface WorkflowAdvance {
  nodes: NodeChange[];
  runs: NewRun[];
  /** The run's end, when every node is decided. */
  end: { status: WorkflowRunStatus; error: RunError | null; at: number } | null;
  /** forEach nodes failed fast: their items' runs not ended are to be cancelled once applied. */
  cancelItemsOf?: string[];
}

/** How a new run began: its row (but when left out by overlap `skip`) and the runs it replaced. */
export type WorkflowRunStart =
  | { outcome: 'started' | 'queued' | 'existing'; run: WorkflowRunRecord; replaced: number[] }
  | { outcome: 'skipped'; going: number };

export interface AppliedAdvance {
  applied: boolean;
  runs: RunRecord[];
  /** Queued runs of the workflow started because this advance ended the run (they owe an advance). */
  started: number[];
}

export interface WorkflowRunEnd {
  ended: boolean;
  /** Queued runs of the workflow started because this run ended (they owe an advance). */
  started: number[];
}

export interface WorkflowRunFilter {
  namespaceId?: NamespaceFilter | undefined;
  workflowId?: number | undefined;
  status?: WorkflowRunStatus | undefined;
}

export interface WorkflowStore {
  /** In one transaction: the workflow, its hidden tasks and version 1. Conflict: the name is taken. */
  createWorkflow(save: WorkflowSave): Promise<{ workflow: WorkflowRecord; driver: TaskRecord }>;
  /**
   * In one transaction: version + 1 with the new definition (new hidden tasks for the inline
   * nodes in `inlineTasks`; earlier versions keep theirs), and the driver task patched.
   */
  updateWorkflow(
    id: number,
    save: WorkflowSave,
    driverPatch: TaskPatch,
  ): Promise<{ workflow: WorkflowRecord; driver: TaskRecord | undefined } | undefined>;
  getWorkflow(id: number): Promise<WorkflowRecord | undefined>;
  listWorkflows(
    filter: { namespaceId?: NamespaceFilter | undefined },
    page: PageRequest,
  ): Promise<Page<WorkflowRecord>>;
  /** The workflow, its versions, runs and hidden tasks (with their runs). */
  deleteWorkflow(id: number): Promise<boolean>;
  listWorkflowVersions(id: number): Promise<{ version: number; createdAt: number }[]>;
  getWorkflowVersion(id: number, version: number): Promise<WorkflowVersionRecord | undefined>;

  /**
   * In one transaction: the run and its node rows, as the workflow's current concurrency decides
   * (workflow-run-slots.ts): started, queued, or left out; the running runs it replaces ended
   * `cancelled`. With a driverRunId seen before, the run of that fire (`existing`).
   */
  startWorkflowRun(run: NewWorkflowRun): Promise<WorkflowRunStart>;
  getWorkflowRun(id: number): Promise<WorkflowRunRecord | undefined>;
  listWorkflowRuns(filter: WorkflowRunFilter, page: PageRequest): Promise<Page<WorkflowRunRecord>>;
  listWorkflowRunNodes(workflowRunId: number): Promise<WorkflowRunNodeRecord[]>;
  /** The node runs of a workflow run, oldest first. */
  listNodeRuns(workflowRunId: number): Promise<RunRecord[]>;
  /**
   * In one transaction, only while the run is `running` at `stateVersion`: the node changes,
   * the node runs (one per idempotency key: never twice), the end; clears advance_owed.
   * `applied` false: someone changed the run meanwhile (read it again and decide again). With the
   * end, the workflow's queued runs that now have room start (`started`).
   */
  applyWorkflowAdvance(
    workflowRunId: number,
    stateVersion: number,
    advance: WorkflowAdvance,
  ): Promise<AppliedAdvance>;
  /**
   * Ends a running or queued workflow run (cancel, timeout) and its undecided nodes `cancelled`,
   * and starts the queued runs that now have room, in one transaction. `ended` false: it had
   * ended already.
   */
  endWorkflowRun(
    workflowRunId: number,
    status: 'cancelled' | 'timed_out',
    error: RunError,
    at: number,
  ): Promise<WorkflowRunEnd>;
  /** Running workflow runs owing an advance, or past their deadline (recovery, sweeps). */
  listWorkflowRunsToAdvance(now: number, limit: number): Promise<{ owing: number[]; expired: number[] }>;
}
