/**
 * The executor's core, shared by push and pull mode: one lane per job (task) id, as XXL-JOB's
 * JobThread, running that job's triggers one at a time in order; block strategies decide what a
 * trigger does when the lane is busy (`SERIAL_EXECUTION` queues, `DISCARD_LATER` refuses,
 * `COVER_EARLY` kills what runs and is queued); kill aborts the handler's signal and reports
 * the execution failed; every execution's log lines are kept for `/log` (bounded).
 */
import type { XxlLogResult, XxlTriggerParam } from '@kairos/protocol';
import { isNonRetryable } from './errors.js';
import { runGlue } from './glue.js';
import type { TaskDefinition } from './task.js';

export interface ExecutionResult {
  logId: number;
  logDateTime: number;
  /** 200 success, 500 failure, 502 timeout (XXL-JOB's codes). */
  handleCode: number;
  handleMsg: string | null;
  /** The handler threw NonRetryableError. */
  nonRetryable: boolean;
}

export interface Reply {
  code: number;
  msg: string | null;
}

export interface JobRunnerOptions {
  tasks: ReadonlyMap<string, TaskDefinition>;
  /** Whether glue (script) jobs may run here. */
  glue: boolean;
  onResult: (result: ExecutionResult) => void;
  onLog?: (logId: number, line: string) => void;
}

interface Execution {
  trigger: XxlTriggerParam;
  controller: AbortController;
  killReason?: string;
}

interface Lane {
  running: Execution | undefined;
  queue: XxlTriggerParam[];
}

/** Logs of this many executions are kept for /log; older ones are dropped first. */
const KEPT_LOGS = 2000;
const MAX_LINES = 10_000;
const MAX_MESSAGE = 50_000;

export class JobRunner {
  private readonly lanes = new Map<number, Lane>();
  private readonly logs = new Map<number, { lines: string[]; done: boolean }>();
  private readonly idleWaiters = new Set<() => void>();

  constructor(private readonly options: JobRunnerOptions) {}

  /** Decides at once whether the trigger is taken (XXL-JOB answers /run before running it). */
  accept(trigger: XxlTriggerParam): Reply {
    const glue = trigger.glueType && trigger.glueType !== 'BEAN';
    if (glue && !this.options.glue) {
      return {
        code: 500,
        msg: `fail, current glue type [${trigger.glueType}] not supported: glue is disabled on this executor (createExecutor({ glue: true }))`,
      };
    }
    if (glue && !['GLUE_SHELL', 'GLUE_PYTHON', 'GLUE_NODEJS'].includes(trigger.glueType)) {
      return { code: 500, msg: `glueType[${trigger.glueType}] is not valid.` };
    }
    if (!glue && !this.options.tasks.has(trigger.executorHandler)) {
      return { code: 500, msg: `job handler [${trigger.executorHandler}] not found.` };
    }
    let lane = this.lanes.get(trigger.jobId);
    if (!lane) this.lanes.set(trigger.jobId, (lane = { running: undefined, queue: [] }));
    if (lane.running?.trigger.logId === trigger.logId || lane.queue.some((t) => t.logId === trigger.logId)) {
      return { code: 500, msg: `repeat trigger job, logId:${trigger.logId}` };
    }
    const busy = lane.running !== undefined || lane.queue.length > 0;
    if (busy && trigger.executorBlockStrategy === 'DISCARD_LATER') {
      return { code: 500, msg: 'block strategy effect：Discard Later' };
    }
    if (busy && trigger.executorBlockStrategy === 'COVER_EARLY') {
      this.killLane(lane, 'block strategy effect：Cover Early');
    }
    lane.queue.push(trigger);
    this.logs.set(trigger.logId, { lines: [], done: false });
    this.trimLogs();
    if (!lane.running) this.next(trigger.jobId, lane);
    return { code: 200, msg: null };
  }

  /** Kills the job's running execution and queued triggers (XXL-JOB /kill {jobId}). */
  kill(jobId: number, reason = 'killed by the scheduler'): Reply {
    const lane = this.lanes.get(jobId);
    if (!lane || (!lane.running && lane.queue.length === 0))
      return { code: 200, msg: 'job thread already killed.' };
    this.killLane(lane, reason);
    return { code: 200, msg: null };
  }

  /** Kills one execution by its logId (pull mode names executions, not jobs). */
  killExecution(logId: number, reason = 'killed by the scheduler'): void {
    for (const lane of this.lanes.values()) {
      if (lane.running?.trigger.logId === logId) this.abort(lane.running, reason);
      const index = lane.queue.findIndex((t) => t.logId === logId);
      if (index >= 0) {
        const [trigger] = lane.queue.splice(index, 1);
        this.finish(trigger!, 500, `${reason} [job not executed, in the job queue, killed.]`, false);
      }
    }
  }

  /** XXL-JOB /idleBeat: idle when the job runs nothing and has nothing queued. */
  idle(jobId: number): boolean {
    const lane = this.lanes.get(jobId);
    return !lane || (lane.running === undefined && lane.queue.length === 0);
  }

  get runningCount(): number {
    let n = 0;
    for (const lane of this.lanes.values()) n += (lane.running ? 1 : 0) + lane.queue.length;
    return n;
  }

  /** XXL-JOB /log: lines >= fromLineNum (1-based). */
  readLog(logId: number, fromLineNum: number): XxlLogResult {
    const log = this.logs.get(logId);
    if (!log)
      return { fromLineNum, toLineNum: 0, logContent: 'readLog fail, logFile not exists', isEnd: true };
    const from = Math.max(1, fromLineNum);
    const lines = log.lines.slice(from - 1);
    return {
      fromLineNum: from,
      toLineNum: from - 1 + lines.length,
      logContent: lines.length === 0 ? '' : `${lines.join('\n')}\n`,
      isEnd: log.done && lines.length === 0,
    };
  }

  /** Waits up to graceMs for running work, then kills everything left. */
  async stop(graceMs: number): Promise<void> {
    if (this.runningCount > 0 && graceMs > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, graceMs);
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.idleWaiters.add(done);
      });
    }
    for (const lane of this.lanes.values()) this.killLane(lane, 'the executor stopped');
  }

  private killLane(lane: Lane, reason: string): void {
    for (const trigger of lane.queue.splice(0)) {
      this.finish(trigger, 500, `${reason} [job not executed, in the job queue, killed.]`, false);
    }
    if (lane.running) this.abort(lane.running, reason);
  }

  private abort(execution: Execution, reason: string): void {
    execution.killReason ??= reason;
    execution.controller.abort(new Error(reason));
  }

  private next(jobId: number, lane: Lane): void {
    const trigger = lane.queue.shift();
    if (!trigger) {
      this.lanes.delete(jobId);
      if (this.runningCount === 0) for (const wake of [...this.idleWaiters]) wake();
      return;
    }
    const execution: Execution = { trigger, controller: new AbortController() };
    lane.running = execution;
    void this.execute(execution).finally(() => {
      lane.running = undefined;
      this.next(jobId, lane);
    });
  }

  private async execute(execution: Execution): Promise<void> {
    const { trigger, controller } = execution;
    const log = (line: string) => this.appendLog(trigger.logId, line);
    let timer: NodeJS.Timeout | undefined;
    let timedOut = false;
    if (trigger.executorTimeout > 0) {
      timer = setTimeout(() => {
        timedOut = true;
        this.abort(execution, 'job execute timeout');
      }, trigger.executorTimeout * 1000);
    }
    const context = {
      params: trigger.executorParams ?? '',
      shardIndex: trigger.broadcastIndex ?? 0,
      shardTotal: trigger.broadcastTotal || 1,
      signal: controller.signal,
      log,
      jobId: trigger.jobId,
      logId: trigger.logId,
    };
    try {
      // The abort settles the execution even when the handler ignores its signal.
      const aborted = new Promise<never>((_, reject) =>
        controller.signal.addEventListener('abort', () => reject(controller.signal.reason as Error), {
          once: true,
        }),
      );
      aborted.catch(() => undefined);
      const work =
        trigger.glueType && trigger.glueType !== 'BEAN'
          ? runGlue(trigger, context)
          : Promise.resolve().then(() => this.options.tasks.get(trigger.executorHandler)!.handler(context));
      const value = await Promise.race([work, aborted]);
      this.finish(trigger, 200, messageOf(value), false);
    } catch (error) {
      if (timedOut) this.finish(trigger, 502, 'job execute timeout', false);
      else if (execution.killReason !== undefined)
        this.finish(trigger, 500, `${execution.killReason} [job running, killed]`, false);
      else {
        const message =
          error instanceof Error
            ? `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}`
            : String(error);
        log(`failed: ${message}`);
        this.finish(trigger, 500, message, isNonRetryable(error));
      }
    } finally {
      if (timer) clearTimeout(timer);
    }
  }

  private finish(
    trigger: XxlTriggerParam,
    code: number,
    message: string | null,
    nonRetryable: boolean,
  ): void {
    const log = this.logs.get(trigger.logId);
    if (log) log.done = true;
    this.options.onResult({
      logId: trigger.logId,
      logDateTime: trigger.logDateTime,
      handleCode: code,
      handleMsg: message !== null && message.length > MAX_MESSAGE ? message.slice(0, MAX_MESSAGE) : message,
      nonRetryable,
    });
  }

  private appendLog(logId: number, line: string): void {
    const text = String(line);
    const log = this.logs.get(logId);
    if (log && log.lines.length < MAX_LINES) log.lines.push(...text.split(/\r?\n/));
    this.options.onLog?.(logId, text);
  }

  private trimLogs(): void {
    while (this.logs.size > KEPT_LOGS) {
      const oldest = this.logs.keys().next().value;
      if (oldest === undefined) break;
      this.logs.delete(oldest);
    }
  }
}

function messageOf(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}
