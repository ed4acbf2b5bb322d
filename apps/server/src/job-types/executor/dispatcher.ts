/**
 * Dispatches one run of an `executor` task: routes it (route-strategies.ts), records one
 * execution per target (its id is the XXL-JOB logId), sends the trigger (push: `/run`; pull: the
 * queue), and waits for the completions, which arrive by callback on any node (execution-hub.ts)
 * or from the lost-executor monitor. An abort (cancel, timeout, shutdown) calls `/kill` (push) or
 * flags the execution for the pull executor's next poll, and completes the execution as killed so
 * that the executor's late callback changes nothing.
 */
import type { XxlTriggerParam } from '@kairos/protocol';
import type { Logger } from 'pino';
import type { Clock } from '../../clock.js';
import { JobFailure } from '../job-type.js';
import type { JobContext, JobOutcome, StartingRun } from '../job-type.js';
import type { ExecutionRecord, NewExecution } from '../../store/executor-records.js';
import type { AppRecord } from '../../store/records.js';
import type { Store } from '../../store/store.js';
import type { AppAuth } from './app-auth.js';
import type { ExecutionHub } from './execution-hub.js';
import type { ExecutorRegistry, ExecutorTarget } from './executor-registry.js';
import { Router } from './route-strategies.js';
import type { RouteStrategy } from './route-strategies.js';
import type { GuardSource } from '../../outbound/namespace-guards.js';
import { ExecutorCallError, callExecutor, sendTrigger } from './xxl-protocol.js';
import type { XxlCallOptions } from './xxl-protocol.js';
import { ExpiringCache } from '../../runtime/expiring-cache.js';
import { newExecution, type ExecutorTaskConfig } from './execution-trigger.js';

export type { BlockStrategy, ExecutorTaskConfig, GlueType } from './execution-trigger.js';

export interface DispatcherOptions {
  store: Store;
  clock: Clock;
  registry: ExecutorRegistry;
  hub: ExecutionHub;
  auth: AppAuth;
  logger: Logger;
  callTimeoutMs: number;
  router?: Router;
  /** Where executor calls may connect, per namespace (absent: the default policy). */
  guards?: GuardSource | undefined;
}

/** How long an app's record is reused on the hot path. */
const CACHE_MS = 5000;

interface Sent {
  execution: ExecutionRecord;
  target: ExecutorTarget;
  /** Resolves with the completed execution. */
  done: Promise<ExecutionRecord>;
}

export class ExecutorDispatcher {
  private readonly router: Router;
  private readonly apps: ExpiringCache<number, AppRecord>;

  constructor(private readonly options: DispatcherOptions) {
    this.router = options.router ?? new Router(() => options.clock.now());
    const now = (): number => options.clock.now();
    this.apps = new ExpiringCache(CACHE_MS, now);
  }

  /**
   * The executions of a run about to start, to be written with its start: the app's live
   * executors routed without an outside call. Undefined for the strategies that probe executors
   * (failover, busyover) and when none is live: `run` then routes, or fails the run, itself.
   */
  async executionsAtStart(run: StartingRun<ExecutorTaskConfig>): Promise<NewExecution[] | undefined> {
    const { config } = run;
    if (config.routeStrategy === 'failover' || config.routeStrategy === 'busyover') return undefined;
    const all = await this.options.registry.targets(run.appId);
    if (all.length === 0) return undefined;
    const picked = this.pick(config.routeStrategy, run.taskId, all);
    const createdAt = this.options.clock.now();
    return picked.map((target, shardIndex) =>
      newExecution({ ...run, target, shardIndex, shardTotal: picked.length, createdAt }),
    );
  }

  async run(context: JobContext<ExecutorTaskConfig>): Promise<JobOutcome> {
    const { signal, log } = context;
    const written = context.executions ?? [];
    const app = await this.app(context.appId);
    const call = await this.callOptions(app);
    const all = await this.options.registry.targets(app.id);
    const picked =
      written.length > 0
        ? written.map((execution) => ({ execution, target: targetOf(execution, all) }))
        : (await this.routeNow(context, app, all, call)).map((target) => ({ target, execution: undefined }));
    const total = picked.length;
    const sent: Sent[] = [];
    const onAbort = () => void this.kill(sent, call, log);
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      const waits = picked.map(async ({ target, execution }, shardIndex) => {
        const s = await this.send(
          context,
          execution ?? (await this.insert(context, target, shardIndex, total)),
          target,
          call,
          execution !== undefined,
        );
        sent.push(s);
        if (signal.aborted) void this.kill([s], call, log);
        return s.done;
      });
      const done = await Promise.all(waits);
      // Stored with the run's end (one statement fewer per run than naming it apart).
      return outcomeOf(done, total, log, picked.map((p) => p.target.address).join(', '));
    } finally {
      signal.removeEventListener('abort', onAbort);
      for (const s of sent) this.options.hub.forget(s.execution.id);
    }
  }

  /** Routes a run that had no executions written with its start. */
  private async routeNow(
    context: JobContext<ExecutorTaskConfig>,
    app: AppRecord,
    all: ExecutorTarget[],
    call: XxlCallOptions,
  ): Promise<ExecutorTarget[]> {
    if (all.length === 0) {
      throw failure(
        'NO_EXECUTOR',
        `app "${app.appName}" has no live executor: start one with appName "${app.appName}" and its access token, or set a manual address list`,
      );
    }
    return this.route(context.config.routeStrategy, context.taskId, app.id, all, call, context.log);
  }

  private insert(
    context: JobContext<ExecutorTaskConfig>,
    target: ExecutorTarget,
    shardIndex: number,
    shardTotal: number,
  ): Promise<ExecutionRecord> {
    const { store, clock } = this.options;
    return store.insertExecution(
      newExecution({ ...context, target, shardIndex, shardTotal, createdAt: clock.now() }),
    );
  }

  private app(appId: number): Promise<AppRecord> {
    return this.apps.get(appId, async () => {
      const app = await this.options.store.getApp(appId);
      if (!app) throw failure('APP_NOT_FOUND', `app ${appId} does not exist`, false);
      return app;
    });
  }

  private async callOptions(app: AppRecord): Promise<XxlCallOptions> {
    return {
      accessToken: await this.options.auth.tokenFor(app),
      appName: app.appName,
      timeoutMs: this.options.callTimeoutMs,
      guard: this.options.guards?.guardFor(app.namespaceId),
    };
  }

  private async route(
    strategy: RouteStrategy,
    jobId: number,
    appId: number,
    all: ExecutorTarget[],
    call: XxlCallOptions,
    log: JobContext<unknown>['log'],
  ): Promise<ExecutorTarget[]> {
    if (strategy !== 'failover' && strategy !== 'busyover') return this.pick(strategy, jobId, all);
    const byAddress = (address: string | undefined) => all.find((t) => t.address === address);
    const { address, log: probes } = await this.router.probeInOrder(
      all.map((t) => t.address),
      (address) => this.probe(strategy, byAddress(address)!, jobId, appId, call),
    );
    log('system', `${strategy}: ${probes.join('; ')}`);
    const target = byAddress(address);
    if (!target) throw failure('NO_EXECUTOR', `${strategy}: no executor passed (${probes.join('; ')})`);
    return [target];
  }

  /** The strategies that need no outside call: every live executor (a shard each), or one picked. */
  private pick(
    strategy: Exclude<RouteStrategy, 'failover' | 'busyover'>,
    jobId: number,
    all: ExecutorTarget[],
  ): ExecutorTarget[] {
    if (strategy === 'sharding_broadcast') return all;
    const address = this.router.pick(
      strategy,
      jobId,
      all.map((t) => t.address),
    );
    return [all.find((t) => t.address === address)!];
  }

  private async probe(
    strategy: 'failover' | 'busyover',
    target: ExecutorTarget,
    jobId: number,
    appId: number,
    call: XxlCallOptions,
  ): Promise<{ ok: boolean; message: string }> {
    if (target.mode === 'pull') {
      if (strategy === 'failover') return { ok: true, message: 'pull executor, heartbeating' };
      const open = await this.options.store
        .countOpenExecutionsOfTask(appId, target.address, jobId)
        .catch(() => 1);
      return open === 0 ? { ok: true, message: 'idle' } : { ok: false, message: 'busy' };
    }
    try {
      const reply =
        strategy === 'failover'
          ? await callExecutor(target, '/beat', undefined, call)
          : await callExecutor(target, '/idleBeat', { jobId }, call);
      return {
        ok: reply.code === 200,
        message: reply.code === 200 ? 'ok' : (reply.msg ?? `code ${reply.code}`),
      };
    } catch (error) {
      return { ok: false, message: (error as Error).message };
    }
  }

  /**
   * Sends a stored execution. `visible`: it was written with the run's start, so a pull executor
   * may have taken and completed it already (the hub then looks it up once).
   */
  private async send(
    context: JobContext<ExecutorTaskConfig>,
    execution: ExecutionRecord,
    target: ExecutorTarget,
    call: XxlCallOptions,
    visible: boolean,
  ): Promise<Sent> {
    const { store, clock } = this.options;
    const { log } = context;
    const { shardIndex, shardTotal } = execution;
    // Wait before sending: the executor's callback can arrive before its answer to /run does.
    const done = visible ? this.options.hub.waitVisible(execution.id) : this.options.hub.wait(execution.id);
    const shard = shardTotal > 1 ? ` shard ${shardIndex}/${shardTotal}` : '';
    // Pull mode: handed over to the executor's next poll; push: the call leaves now.
    context.effect();
    if (target.mode === 'pull') {
      this.options.hub.notifyQueued(execution.appId, target.address);
      log('system', `queued for ${target.address}${shard} (logId ${execution.id})`);
      return { execution, target, done };
    }
    let refusal: string | undefined;
    try {
      const reply = await sendTrigger(target, execution.trigger as unknown as XxlTriggerParam, call);
      if (reply.code !== 200) refusal = reply.msg ?? `code ${reply.code}`;
    } catch (error) {
      refusal = error instanceof ExecutorCallError ? error.message : String(error);
    }
    if (refusal !== undefined) {
      log('system', `${target.address}${shard} refused the trigger: ${refusal}`);
      // A missing handler or a discarded trigger will not change on an immediate retry elsewhere.
      const retryable = !/not found|Discard Later|not supported|not valid|outbound policy/i.test(refusal);
      const failed = await store.completeExecution(execution.id, {
        status: 'failed',
        handleCode: 500,
        handleMsg: `trigger refused: ${refusal}`,
        retryable,
        finishedAt: clock.now(),
      });
      this.options.hub.deliver(
        failed ?? { ...execution, status: 'failed', handleCode: 500, handleMsg: refusal, retryable },
      );
      return { execution, target, done };
    }
    log('system', `sent to ${target.address}${shard} (logId ${execution.id})`);
    return { execution, target, done };
  }

  /**
   * Kills what was sent. The execution is completed `killed` first, so that the executor's own
   * report of the kill (the npm executor even reports it as a success) changes nothing; then
   * push executors get /kill {jobId} and pull executors see the kill on their next poll.
   *
   * XXL-JOB's /kill names only the jobId: the executor stops the task's thread with every trigger
   * queued behind it (`serial`), so when another run of the same task still has an open execution
   * on that executor, /kill would kill that run's work too. Then no /kill is sent: this run ends
   * `cancelled` / `timed_out` at once, its execution finishes on the executor and its report is
   * ignored (docs/executors.md, "Cancel and kill").
   */
  private async kill(sent: Sent[], call: XxlCallOptions, log: JobContext<unknown>['log']): Promise<void> {
    const { store, clock, hub } = this.options;
    const now = clock.now();
    const pull = sent.filter((s) => s.target.mode === 'pull').map((s) => s.execution.id);
    await store.requestExecutionKill(pull, now).catch(() => undefined);
    for (const s of sent) {
      const killed = await store
        .completeExecution(s.execution.id, {
          status: 'killed',
          handleCode: 500,
          handleMsg: 'killed by Kairos (cancel or timeout)',
          retryable: false,
          finishedAt: now,
        })
        .catch(() => undefined);
      if (killed) hub.deliver(killed);
      if (s.target.mode === 'push') {
        const others = await store
          .countOpenExecutionsOfTask(s.execution.appId, s.target.address, s.execution.taskId)
          .catch(() => 1);
        if (others > 0) {
          log(
            'system',
            `not killed on ${s.target.address}: XXL-JOB's /kill takes only the jobId and would also kill ` +
              `the ${others} other open execution(s) of this task there; it runs to its end and its result is ignored`,
          );
          continue;
        }
        await callExecutor(s.target, '/kill', { jobId: s.execution.taskId }, call).catch((error: unknown) =>
          this.options.logger.warn({ err: error, address: s.target.address }, 'kill failed'),
        );
      } else {
        hub.notifyQueued(s.execution.appId, s.target.address);
      }
    }
  }
}

const failure = (code: string, message: string, retryable = true) =>
  new JobFailure({ type: 'executor', code, message }, { retryable });

/**
 * Where a stored execution goes: its executor as now registered; one that left since the start
 * (milliseconds ago) keeps its address and is tried, failing the run as if it had died right
 * after routing.
 */
function targetOf(execution: ExecutionRecord, live: ExecutorTarget[]): ExecutorTarget {
  return (
    live.find((t) => t.address === execution.executorAddress) ?? {
      address: execution.executorAddress,
      mode: execution.status === 'queued' ? 'pull' : 'push',
      protocol: execution.status === 'queued' ? 'kairos' : 'xxl',
    }
  );
}

function outcomeOf(
  done: ExecutionRecord[],
  total: number,
  log: JobContext<unknown>['log'],
  executor: string,
): JobOutcome {
  const sorted = [...done].sort((a, b) => a.shardIndex - b.shardIndex);
  for (const e of sorted) {
    if (total > 1)
      log(
        'system',
        `shard ${e.shardIndex}/${total} on ${e.executorAddress}: ${e.status}${e.handleMsg ? ` (${e.handleMsg})` : ''}`,
      );
  }
  const failed = sorted.filter((e) => e.status !== 'succeeded');
  if (failed.length === 0) {
    if (total === 1) return { output: sorted[0]!.handleMsg, executor };
    return {
      executor,
      output: sorted.map((e) => ({
        shardIndex: e.shardIndex,
        executor: e.executorAddress,
        message: e.handleMsg,
      })),
    };
  }
  const lost = failed.some((e) => e.status === 'lost');
  const message =
    total === 1
      ? (failed[0]!.handleMsg ?? `the executor answered code ${failed[0]!.handleCode}`)
      : `${failed.length} of ${total} shards failed: ${failed.map((e) => `shard ${e.shardIndex} (${e.executorAddress}): ${e.handleMsg ?? e.handleCode}`).join('; ')}`;
  throw new JobFailure(
    {
      type: lost ? 'lost' : 'executor',
      message,
      ...(total === 1 ? { handleCode: failed[0]!.handleCode } : {}),
    },
    {
      retryable: failed.every((e) => e.retryable),
      output:
        total === 1
          ? undefined
          : sorted.map((e) => ({ shardIndex: e.shardIndex, status: e.status, message: e.handleMsg })),
      ...(lost ? { status: 'lost' as const } : {}),
      executor,
    },
  );
}
