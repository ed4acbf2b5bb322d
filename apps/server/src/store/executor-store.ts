/**
 * The executor part of the Store contract, implemented by executor-queries.ts for both
 * dialects and tested by test/store/contract/executors.ts.
 */
import type {
  ExecutionRecord,
  ExecutionResult,
  ExecutorMode,
  ExecutorProtocol,
  ExecutorRecord,
  NewExecution,
} from './executor-records.js';
import type { AppRecord } from './records.js';

export interface ExecutorStore {
  /** Registers or heartbeats an executor (one row per app and address; clears removedAt). */
  upsertExecutor(executor: {
    appId: number;
    address: string;
    mode: ExecutorMode;
    protocol: ExecutorProtocol;
    at: number;
    /** The proven app token, sealed; kept when absent. */
    sealedToken?: string | null | undefined;
  }): Promise<ExecutorRecord>;
  /** Unregisters (not routable any more); its open executions are kept. */
  removeExecutor(appId: number, address: string, at: number): Promise<boolean>;
  listExecutors(filter: { appIds?: number[] | undefined }): Promise<ExecutorRecord[]>;
  /** Registered executors with a heartbeat at or after `since`, sorted by address. */
  listLiveExecutors(appId: number, since: number): Promise<ExecutorRecord[]>;
  /** Apps with this appName in any namespace. */
  listAppsByAppName(appName: string): Promise<AppRecord[]>;
  /** Whether some app's access token has this SHA-256 hash (executors authenticated before their body is read). */
  appTokenHashExists(hash: string): Promise<boolean>;
  /** An app's manual executor address list; null removes it. */
  setAppExecutorAddresses(appId: number, addresses: string[] | null, at: number): Promise<void>;
  getAppExecutorAddresses(appId: number): Promise<string[] | null>;
  insertExecution(execution: NewExecution): Promise<ExecutionRecord>;
  getExecution(id: number): Promise<ExecutionRecord | undefined>;
  listExecutionsOfRun(runId: number): Promise<ExecutionRecord[]>;
  /**
   * Completes an open execution (of one of `appIds`, when given); undefined when unknown, of
   * another app or already complete (idempotent).
   */
  completeExecution(
    id: number,
    result: ExecutionResult,
    appIds?: number[],
  ): Promise<ExecutionRecord | undefined>;
  listCompletedExecutions(ids: number[]): Promise<ExecutionRecord[]>;
  /** Takes a pull executor's queued executions (each is taken once, whatever the nodes). */
  takeQueuedExecutions(appId: number, address: string, limit: number): Promise<ExecutionRecord[]>;
  requestExecutionKill(ids: number[], at: number): Promise<void>;
  /** Takes (hands out once) the kill requests of the executor's executions. */
  takeKillRequests(appId: number, address: string): Promise<number[]>;
  /** Completes as `lost` the open executions of executors silent since before `cutoff`. */
  loseExecutionsOfDeadExecutors(cutoff: number, at: number, message: string): Promise<ExecutionRecord[]>;
  /** Moves an execution's copied-log cursor; false if another reader moved it first. */
  advanceExecutionLog(id: number, from: number, to: number): Promise<boolean>;
  countOpenExecutions(appId: number): Promise<Map<string, number>>;
  countOpenExecutionsOfTask(appId: number, address: string, taskId: number): Promise<number>;
}
