/**
 * What the store keeps, as plain records. Instants are epoch milliseconds; JSON columns are
 * parsed values. The API layer (http/present.ts) turns records into the protocol's shapes.
 */
import type {
  Budget,
  Concurrency,
  OutputChecks,
  OutputGate,
  Retry,
  RunError,
  RunStatus,
  Schedule,
  TriggerType,
  Usage,
} from '@kairos/protocol';

export interface NamespaceRecord {
  id: number;
  name: string;
  description: string | null;
  /** The token and cost budget of the namespace's or app's runs (absent: none). */
  budget?: Budget | null | undefined;
  createdAt: number;
}

export interface AppRecord {
  id: number;
  namespaceId: number;
  appName: string;
  name: string;
  description: string | null;
  maxConcurrency: number | null;
  /** The token and cost budget of the namespace's or app's runs (absent: none). */
  budget?: Budget | null | undefined;
  /** sha256 hex of the access token; the token itself is never stored. */
  accessTokenHash: string;
  /** The token's last four characters, to show it masked. */
  accessTokenHint: string;
  createdAt: number;
  updatedAt: number;
}

export interface CalendarRecord {
  id: number;
  namespaceId: number;
  name: string;
  timezone: string;
  /** Sorted, unique `YYYY-MM-DD` dates. */
  dates: string[];
  createdAt: number;
  updatedAt: number;
}

export interface TaskRecord {
  id: number;
  namespaceId: number;
  appId: number;
  name: string;
  description: string | null;
  type: string;
  config: Record<string, unknown>;
  schedule: Schedule;
  timeoutSeconds: number | null;
  retry: Retry;
  concurrency: Concurrency;
  enabled: boolean;
  /** Tasks triggered when a run of this one succeeds (finally). */
  childTaskIds?: number[] | undefined;
  /** Set on a task a workflow made for itself (hidden from the task list). */
  workflowId?: number | null | undefined;
  /** The next slot not yet planned; null when the task will not fire by itself. */
  nextFireAt: number | null;
  /** Orders queued runs per app and pool (higher first; absent: 0). */
  priority?: number | undefined;
  /** The pacing pool its runs wait for (pools.id); absent or null: none. */
  poolId?: number | null | undefined;
  budget?: Budget | null | undefined;
  createdAt: number;
  updatedAt: number;
  /** Assertions on its runs' output; absent or null: none. */
  outputGate?: OutputGate | null | undefined;
}

export interface RunRecord {
  id: number;
  taskId: number;
  appId: number;
  namespaceId: number;
  triggerType: TriggerType;
  status: RunStatus;
  /** Scheduled slot; null for manual/API/retry runs. Unique per task: one run per slot. */
  slotAt: number | null;
  /** When the run is meant to start (the slot, the trigger time, or the retry's due time). */
  scheduledAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  durationMs: number | null;
  attempt: number;
  /** The first run of a retry chain. */
  retryOf: number | null;
  input: unknown;
  output: unknown;
  error: RunError | null;
  executor: string | null;
  usage: Usage | null;
  idempotencyKey: string | null;
  /** The node that holds the run until its lease expires. */
  leaseOwner: string | null;
  leaseExpiresAt: number | null;
  cancelRequestedAt: number | null;
  /** When its job made its first outside effect (request written, process spawned, executor called). */
  effectAt: number | null;
  /** Orders queued runs (higher first; absent: 0). */
  priority?: number | undefined;
  /** The run whose success triggered this one (a child task's run). */
  triggeredBy?: number | null | undefined;
  /** A workflow's node run: its workflow run, node key and forEach item. */
  workflowRunId?: number | null | undefined;
  workflowNode?: string | null | undefined;
  workflowItem?: number | null | undefined;
  createdAt: number;
  /** The run this one replays or redrives. */
  replayOf?: number | null | undefined;
  /** The target version the run is pinned to (Dify: a workflow_id). */
  versionPin?: string | null | undefined;
  /** The output gate's result. */
  checks?: OutputChecks | null | undefined;
}

/** The run as it is once `end` is applied (see Store.settleRuns). */
export function withEnd(
  run: RunRecord,
  end: {
    status: RunStatus;
    finishedAt: number;
    durationMs: number | null;
    output?: unknown;
    error: RunError | null;
    usage?: Usage | null | undefined;
    executor?: string | null | undefined;
    effectAt?: number | null | undefined;
  },
): RunRecord {
  return {
    ...run,
    status: end.status,
    finishedAt: end.finishedAt,
    durationMs: end.durationMs,
    output: end.output ?? null,
    error: end.error,
    usage: end.usage ?? null,
    executor: end.executor ?? run.executor,
    effectAt: end.effectAt ?? run.effectAt,
  };
}

export interface RunLogRecord {
  runId: number;
  seq: number;
  at: number;
  stream: 'stdout' | 'stderr' | 'system';
  text: string;
}

/** One event of a run's track (for Dify: a workflow or node event), verbatim. */
export interface RunEventRecord {
  runId: number;
  /** Position in the run: 1, 2, … */
  seq: number;
  /** Receive time, epoch ms. */
  at: number;
  /** The event's name (`node_finished`…). */
  kind: string;
  /** The event's payload as received (for Dify: the JSON text of the `data:` line). */
  data: string;
  /** `data` was cut at the size limit. */
  truncated: boolean;
}

/** A running run that recovery handed back to its job type, with what the job saved to resume it. */
export interface ResumableRun {
  run: RunRecord;
  checkpoint: unknown;
}
