// Types of bench/chaos.js for the vitest test that runs a short chaos (apps/server/test/process/chaos.test.ts).
export interface ChaosOptions {
  databaseUrl?: string;
  durationMs?: number;
  nodes?: number;
  tasks?: number;
  /** Kill exactly this many times, however long it takes (default: every killEveryMs until durationMs). */
  kills?: number;
  killEveryMs?: number;
  downMs?: number;
  receiverDelayMs?: number;
  log?: (line: string) => void;
}

export interface ChaosResult {
  runs: number;
  statuses: Record<string, number>;
  executions: number;
  duplicates: number;
  duplicateExamples: { runId: number; n: number }[];
  unidentifiedRequests: number;
  unknownRuns: number;
  succeededUnexecuted: number;
  missedSlots: number;
  missedExamples: { taskId: number; slotAt: string }[];
  leftActive: number;
  slotsExecutedTwice: number;
  retriesSkipped: number;
  skippedByTrigger: Record<string, number>;
  kills: { node: string; takeoverMs: number | null }[];
  settleMs: number | null;
  exitCodes: (number | null)[];
}

export function runChaos(options?: ChaosOptions): Promise<ChaosResult>;

export interface SqliteChaosResult extends Omit<ChaosResult, 'kills'> {
  killedMidRequest: number;
}

export function runSqliteChaos(options?: {
  kills?: number;
  tasks?: number;
  receiverDelayMs?: number;
  log?: (line: string) => void;
}): Promise<SqliteChaosResult>;
