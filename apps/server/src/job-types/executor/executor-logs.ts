/**
 * Copies a push executor's log (its `/log`, 1-based lines from `fromLineNum`) into the run's log,
 * incrementally: each execution remembers how many lines were copied, and a reader moves that
 * cursor with a conditional update before appending, so two readers (two API calls, two nodes)
 * never append the same lines twice. Called by GET /api/v1/runs/{id}/logs, also while the run is
 * live; pull executors send their lines themselves.
 */
import type { Logger } from 'pino';
import type { Clock } from '../../clock.js';
import type { ExecutionRecord, ExecutorProtocol } from '../../store/executor-records.js';
import type { RunRecord } from '../../store/records.js';
import type { Store } from '../../store/store.js';
import type { AppAuth } from './app-auth.js';
import { PULL_ADDRESS_PREFIX } from './pull-queue.js';
import { readExecutorLog } from './xxl-protocol.js';

/** At most this many /log reads per execution per API call (each returns what the file has). */
const MAX_READS = 5;

export class ExecutorLogs {
  constructor(
    private readonly deps: {
      store: Store;
      clock: Clock;
      auth: AppAuth;
      logger: Logger;
      callTimeoutMs: number;
    },
  ) {}

  /** Copies new lines of the run's push executions; never throws (the stored log is still served). */
  async refresh(run: RunRecord): Promise<void> {
    try {
      const executions = await this.deps.store.listExecutionsOfRun(run.id);
      const push = executions.filter((e) => !e.executorAddress.startsWith(PULL_ADDRESS_PREFIX));
      if (push.length === 0) return;
      const app = await this.deps.store.getApp(run.appId);
      if (!app) return;
      const options = {
        accessToken: await this.deps.auth.tokenFor(app),
        appName: app.appName,
        timeoutMs: this.deps.callTimeoutMs,
      };
      // A 3.5 executor refuses a /log without its XXL-JOB-APPNAME: speak each one's protocol.
      const executors = await this.deps.store.listExecutors({ appIds: [app.id] });
      const protocolOf = (address: string): ExecutorProtocol =>
        executors.find((e) => e.address === address)?.protocol ?? 'xxl';
      await Promise.all(push.map((e) => this.copy(run, e, protocolOf(e.executorAddress), options)));
    } catch (error) {
      this.deps.logger.warn({ err: error, runId: run.id }, 'reading executor logs failed');
    }
  }

  private async copy(
    run: RunRecord,
    execution: ExecutionRecord,
    protocol: ExecutorProtocol,
    options: { accessToken: string | undefined; appName: string; timeoutMs: number },
  ): Promise<void> {
    let seen = execution.logLines;
    for (let i = 0; i < MAX_READS; i++) {
      let chunk;
      try {
        chunk = await readExecutorLog(
          { address: execution.executorAddress, protocol },
          execution.id,
          execution.createdAt,
          seen + 1,
          options,
        );
      } catch {
        return; // The executor is gone or does not keep logs (the npm executor with memory logs).
      }
      const text = chunk.logContent.replace(/\r?\n$/, '');
      if (chunk.toLineNum <= seen || text === '') return;
      if (!(await this.deps.store.advanceExecutionLog(execution.id, seen, chunk.toLineNum))) return;
      const prefix =
        execution.shardTotal > 1 ? `[shard ${execution.shardIndex}/${execution.shardTotal}] ` : '';
      await this.deps.store.appendRunLogs(
        text.split(/\r?\n/).map((line) => ({
          runId: run.id,
          at: this.deps.clock.now(),
          stream: 'stdout' as const,
          text: prefix + line,
        })),
      );
      seen = chunk.toLineNum;
      if (chunk.isEnd) return;
    }
  }
}
