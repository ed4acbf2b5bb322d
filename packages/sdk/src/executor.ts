/**
 * createExecutor(): one executor process serving a set of tasks for one Kairos app, in push mode
 * (an XXL-JOB executor: Kairos calls it) or pull mode (it long-polls Kairos: no inbound port).
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { AdminClient, KairosRequestError } from './admin-client.js';
import { JobRunner } from './job-runner.js';
import type { XxlCallbackParam, XxlRegistryParam, XxlTriggerParam } from '@kairos/protocol';
import type { ExecutionResult } from './job-runner.js';
import { PushServer } from './push-server.js';
import type { TaskDefinition } from './task.js';

export interface ExecutorOptions {
  /** Kairos's base URL, e.g. http://kairos:8080 (a stock XXL-JOB admin's, in push mode). */
  server: string;
  /** The app's appName: tasks of this app run here. */
  appName: string;
  /** The app's access token (shown once when the app is created or its token rotated). */
  accessToken: string;
  /** `push`: Kairos calls this process (it listens on `port`); `pull`: it polls Kairos. */
  mode: 'push' | 'pull';
  tasks: TaskDefinition[];
  /** Push: the interface to listen on (default 127.0.0.1; 0.0.0.0 in a container). */
  host?: string;
  /** Push: the port (default 9999; 0 for any free one). */
  port?: number;
  /** Push: the URL Kairos reaches this process at (default http://host:port): set it behind NAT. */
  advertisedUrl?: string;
  /** Pull: this process's id (default hostname-pid-random); its address is pull://<id>. */
  executorId?: string;
  /** Whether glue (script) tasks may run here. Default false: glue is code sent by the scheduler. */
  glue?: boolean;
  /** Push: how often to re-register (XXL-JOB: 30 s). */
  heartbeatMs?: number;
  /** Pull: how long one poll may wait for work (default 20 s). */
  pollWaitMs?: number;
  /** On stop(), how long running handlers may take before they are aborted (default 5 s). */
  shutdownGraceMs?: number;
  /** Called when talking to Kairos fails (it is retried); default: console.error. */
  onError?: (error: Error) => void;
}

export interface Executor {
  readonly mode: 'push' | 'pull';
  /** Push: the URL registered with Kairos; pull: pull://<executorId>. */
  readonly address: string;
  /** Registers (push) or starts polling (pull); rejects if Kairos refuses the app or token. */
  start(): Promise<void>;
  /** Unregisters, lets running handlers finish within the grace period, then aborts them. */
  stop(): Promise<void>;
}

/**
 * Creates an executor for an app's `executor` tasks.
 *
 * @example
 *   import { createExecutor, defineTask } from '@kairos/sdk';
 *
 *   const hello = defineTask('hello', async ({ params, log }) => {
 *     log(`hello ${params}`);
 *     return 'done';
 *   });
 *
 *   const executor = createExecutor({
 *     server: 'http://127.0.0.1:8080',
 *     appName: 'billing',
 *     accessToken: process.env.KAIROS_APP_TOKEN!,
 *     mode: 'pull', // no inbound port needed
 *     tasks: [hello],
 *   });
 *   await executor.start();
 *   process.on('SIGTERM', () => void executor.stop());
 */
export function createExecutor(options: ExecutorOptions): Executor {
  validate(options);
  return options.mode === 'push' ? new PushExecutor(options) : new PullExecutor(options);
}

function validate(options: ExecutorOptions): void {
  for (const key of ['server', 'appName', 'accessToken'] as const) {
    if (typeof options[key] !== 'string' || options[key].trim() === '') {
      throw new TypeError(`createExecutor: ${key} is required`);
    }
  }
  if (options.mode !== 'push' && options.mode !== 'pull') {
    throw new TypeError(`createExecutor: mode must be "push" or "pull", not ${JSON.stringify(options.mode)}`);
  }
  const names = new Set<string>();
  for (const task of options.tasks) {
    if (names.has(task.name))
      throw new TypeError(`createExecutor: two tasks are named ${JSON.stringify(task.name)}`);
    names.add(task.name);
  }
}

/** Results waiting to be reported, sent in batches and re-sent until accepted. */
class ResultQueue {
  private pending: ExecutionResult[] = [];
  private sending: Promise<void> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly send: (batch: ExecutionResult[]) => Promise<void>,
    private readonly onError: (error: Error) => void,
  ) {}

  push(result: ExecutionResult): void {
    this.pending.push(result);
    if (!this.sending && !this.retryTimer)
      this.sending = new Promise((r) => setImmediate(r)).then(() => this.flush());
  }

  /** Takes the results waiting (the caller sends them, or gives them back). */
  take(): ExecutionResult[] {
    return this.pending.splice(0, 1000);
  }

  /** Results a send failed to deliver: first in line again. */
  giveBack(batch: ExecutionResult[]): void {
    if (batch.length === 0) return;
    this.pending.unshift(...batch);
    if (!this.sending && !this.retryTimer) this.sending = this.flush();
  }

  async drain(): Promise<void> {
    if (this.retryTimer) {
      clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
    }
    while (this.sending || this.pending.length > 0) {
      if (!this.sending) this.sending = this.flush();
      await this.sending;
      if (this.retryTimer) return; // Kairos is unreachable: give up at stop.
    }
  }

  private async flush(): Promise<void> {
    const batch = this.pending.splice(0, 1000);
    try {
      if (batch.length > 0) await this.send(batch);
    } catch (error) {
      this.pending.unshift(...batch);
      this.onError(error as Error);
      this.retryTimer = setTimeout(() => {
        this.retryTimer = undefined;
        this.sending = this.flush();
      }, 1000);
      this.retryTimer.unref();
      return;
    } finally {
      this.sending = undefined;
    }
    if (this.pending.length > 0) this.sending = this.flush();
  }
}

abstract class BaseExecutor implements Executor {
  abstract readonly mode: 'push' | 'pull';
  abstract readonly address: string;
  protected readonly admin: AdminClient;
  protected readonly runner: JobRunner;
  protected readonly results: ResultQueue;
  protected readonly onError: (error: Error) => void;

  constructor(protected readonly options: ExecutorOptions) {
    this.admin = new AdminClient({
      server: options.server,
      appName: options.appName,
      accessToken: options.accessToken,
      timeoutMs: 10_000,
    });
    this.onError = options.onError ?? ((error) => console.error(`[kairos-sdk] ${error.message}`));
    this.results = new ResultQueue((batch) => this.report(batch), this.onError);
    this.runner = new JobRunner({
      tasks: new Map(options.tasks.map((t) => [t.name, t])),
      glue: options.glue ?? false,
      onResult: (result) => this.beforeResult(result),
      onLog: (logId, line) => this.onLog(logId, line),
    });
  }

  abstract start(): Promise<void>;
  abstract stop(): Promise<void>;
  protected abstract report(batch: ExecutionResult[]): Promise<void>;
  protected onLog(_logId: number, _line: string): void {}
  protected beforeResult(result: ExecutionResult): void {
    this.results.push(result);
  }
}

class PushExecutor extends BaseExecutor {
  readonly mode = 'push' as const;
  address = '';
  private readonly server: PushServer;
  private heartbeat: NodeJS.Timeout | undefined;

  constructor(options: ExecutorOptions) {
    super(options);
    this.server = new PushServer({
      runner: this.runner,
      admin: this.admin,
      appName: options.appName,
      accessToken: options.accessToken,
      host: options.host ?? '127.0.0.1',
      port: options.port ?? 9999,
    });
  }

  async start(): Promise<void> {
    const port = await this.server.listen();
    this.address =
      this.options.advertisedUrl ?? `http://${formatHost(this.options.host ?? '127.0.0.1')}:${port}`;
    try {
      await this.register();
    } catch (error) {
      await this.server.close();
      throw error;
    }
    this.heartbeat = setInterval(() => {
      this.register().catch((error: unknown) => this.onError(error as Error));
    }, this.options.heartbeatMs ?? 30_000);
  }

  async stop(): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    await this.admin
      .xxl('/api/registryRemove', this.registryParam())
      .catch((error: unknown) => this.onError(error as Error));
    await this.runner.stop(this.options.shutdownGraceMs ?? 5000);
    await this.results.drain();
    await this.server.close();
  }

  protected async report(batch: ExecutionResult[]): Promise<void> {
    await this.admin.xxl(
      '/api/callback',
      // logDateTim (sic) is XXL-JOB's wire name; nonRetryable is Kairos's, ignored by other admins.
      batch.map((r): XxlCallbackParam => ({ ...callbackItem(r), logDateTim: r.logDateTime })),
    );
  }

  private register(): Promise<void> {
    return this.admin.xxl('/api/registry', this.registryParam());
  }

  private registryParam(): XxlRegistryParam {
    return { registryGroup: 'EXECUTOR', registryKey: this.options.appName, registryValue: this.address };
  }
}

const LOG_FLUSH_MS = 200;

interface PollAnswer {
  tasks: XxlTriggerParam[];
  kills: number[];
  /** Kairos could not apply the results this poll carried. */
  resendResults?: true;
}

class PullExecutor extends BaseExecutor {
  readonly mode = 'pull' as const;
  readonly address: string;
  private readonly executorId: string;
  private running = false;
  private loop: Promise<void> | undefined;
  private readonly stopController = new AbortController();
  private logBuffer: { logId: number; stream: 'stdout'; text: string }[] = [];
  private logTimer: NodeJS.Timeout | undefined;
  private logsSending = 0;

  constructor(options: ExecutorOptions) {
    super(options);
    this.executorId = options.executorId ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
    this.address = `pull://${this.executorId}`;
  }

  async start(): Promise<void> {
    // The first poll proves the app and token (and registers): fail start() if Kairos refuses.
    const first = await this.poll(0);
    this.running = true;
    this.handle(first);
    this.loop = this.pollLoop();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.stopController.abort();
    await this.loop;
    await this.runner.stop(this.options.shutdownGraceMs ?? 5000);
    await this.results.drain();
    await this.admin
      .post('/api/v1/executor/disconnect', { executorId: this.executorId })
      .catch((error: unknown) => this.onError(error as Error));
  }

  protected override onLog(logId: number, line: string): void {
    this.logBuffer.push({ logId, stream: 'stdout', text: line.slice(0, 64 * 1024) });
    // Lines of a live execution are sent every LOG_FLUSH_MS (results carry the rest).
    this.logTimer ??= setTimeout(() => {
      this.logTimer = undefined;
      void this.flushLogs().catch((error: unknown) => this.onError(error as Error));
    }, LOG_FLUSH_MS);
  }

  private async flushLogs(): Promise<void> {
    const lines = this.logBuffer.splice(0);
    if (lines.length === 0) return;
    this.logsSending++;
    try {
      await this.admin.post('/api/v1/executor/logs', { executorId: this.executorId, entries: lines });
    } catch (error) {
      this.logBuffer.unshift(...lines);
      throw error;
    } finally {
      this.logsSending--;
    }
  }

  protected async report(batch: ExecutionResult[]): Promise<void> {
    // Lines first: when the run finishes its log is complete.
    await this.flushLogs();
    await this.admin.post('/api/v1/executor/callback', {
      executorId: this.executorId,
      items: batch.map(callbackItem),
    });
  }

  /**
   * Polls, carrying the results ready by now (a quick handler's result is, a turn after its
   * trigger came): one request per run instead of a poll and a callback. Not while log lines
   * are unsent (a run's log is complete when it finishes): those results go by callback.
   */
  private async poll(waitMs: number): Promise<PollAnswer> {
    const results = this.logBuffer.length === 0 && this.logsSending === 0 ? this.results.take() : [];
    try {
      const answer = await this.admin.post<PollAnswer>(
        '/api/v1/executor/poll',
        {
          executorId: this.executorId,
          waitMs,
          max: 500,
          ...(results.length > 0 ? { results: results.map(callbackItem) } : {}),
        },
        { timeoutMs: waitMs + 10_000, signal: this.stopController.signal },
      );
      if (answer.resendResults) this.results.giveBack(results);
      return answer;
    } catch (error) {
      // Maybe applied, maybe not: sent again (a second report of a result changes nothing).
      this.results.giveBack(results);
      throw error;
    }
  }

  private handle(answer: PollAnswer): void {
    for (const logId of answer.kills) this.runner.killExecution(logId);
    for (const trigger of answer.tasks) {
      const reply = this.runner.accept(trigger);
      if (reply.code !== 200) {
        this.results.push({
          logId: trigger.logId,
          logDateTime: trigger.logDateTime,
          handleCode: reply.code,
          handleMsg: `trigger refused: ${reply.msg}`,
          nonRetryable: false,
        });
      }
    }
  }

  private async pollLoop(): Promise<void> {
    let backoff = 250;
    while (this.running) {
      try {
        // A turn for the handlers just started: what they finish in it goes with this poll.
        await new Promise((resolve) => setImmediate(resolve));
        this.handle(await this.poll(this.options.pollWaitMs ?? 20_000));
        backoff = 250;
      } catch (error) {
        if (!this.running) return;
        this.onError(error as Error);
        if (error instanceof KairosRequestError && error.fatal) backoff = 5000;
        await new Promise((r) => setTimeout(r, backoff));
        backoff = Math.min(backoff * 2, 5000);
      }
    }
  }
}

const callbackItem = (r: ExecutionResult): XxlCallbackParam => ({
  logId: r.logId,
  handleCode: r.handleCode,
  handleMsg: r.handleMsg,
  ...(r.nonRetryable ? { nonRetryable: true } : {}),
});

const formatHost = (host: string): string =>
  host === '0.0.0.0' ? hostname() : host.includes(':') ? `[${host}]` : host;
