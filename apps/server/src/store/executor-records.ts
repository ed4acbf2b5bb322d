/**
 * What the store keeps about executors: registered executors, an app's manual address
 * list, and executions (one dispatch of a run, or of one shard of it, to one executor).
 */

export type ExecutorMode = 'push' | 'pull';
/** `xxl`: XXL-JOB 2.2-3.4 (`/run`); `xxl35`: 3.5 (`/trigger` + XXL-JOB-APPNAME); `kairos`: pull. */
export type ExecutorProtocol = 'xxl' | 'xxl35' | 'kairos';

export interface ExecutorRecord {
  id: number;
  appId: number;
  /** Base URL (push) or `pull://<executorId>` (pull). */
  address: string;
  mode: ExecutorMode;
  protocol: ExecutorProtocol;
  registeredAt: number;
  lastHeartbeatAt: number;
  /** When it unregistered (registryRemove); null while registered. */
  removedAt: number | null;
  /** The app token it proved at registration, sealed (SecretBox); null for pull executors. */
  sealedToken: string | null;
}

/**
 * `queued`: waiting for a pull executor to take it; `dispatched`: with the executor;
 * then one of `succeeded`, `failed`, `lost` (the executor died), `killed`.
 */
export type ExecutionStatus = 'queued' | 'dispatched' | 'succeeded' | 'failed' | 'lost' | 'killed';

export interface ExecutionRecord {
  /** The XXL-JOB logId. */
  id: number;
  runId: number;
  /** The XXL-JOB jobId. */
  taskId: number;
  appId: number;
  shardIndex: number;
  shardTotal: number;
  executorAddress: string;
  status: ExecutionStatus;
  /** The XXL-JOB TriggerParam as sent (pull executors receive it from the queue). */
  trigger: Record<string, unknown>;
  handleCode: number | null;
  handleMsg: string | null;
  /** false when the executor said a retry cannot help (the SDK's NonRetryableError). */
  retryable: boolean;
  /** Log lines already copied from the executor's /log into the run's log. */
  logLines: number;
  killRequestedAt: number | null;
  /** The XXL-JOB logDateTime. */
  createdAt: number;
  finishedAt: number | null;
}

export interface NewExecution {
  runId: number;
  taskId: number;
  appId: number;
  shardIndex: number;
  shardTotal: number;
  executorAddress: string;
  status: 'queued' | 'dispatched';
  /** The trigger body; `logId` and `logDateTime` are filled in from the new row. */
  trigger: Record<string, unknown>;
  createdAt: number;
}

export interface ExecutionResult {
  status: Extract<ExecutionStatus, 'succeeded' | 'failed' | 'lost' | 'killed'>;
  handleCode: number;
  handleMsg: string | null;
  retryable: boolean;
  finishedAt: number;
}
