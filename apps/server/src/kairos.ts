/**
 * Wires one Kairos node: store, engine, scheduler, leases, reactions and the HTTP server. Tests
 * start it in-process with their own clock and config; main.ts starts it from the environment.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { systemClock } from './clock.js';
import type { Clock } from './clock.js';
import type { Config } from './config.js';
import { EventBus } from './events.js';
import { buildHttpServer } from './http/server.js';
import { listenError } from './http/listen-error.js';
import { Authenticator } from './http/auth.js';
import { JobTypeRegistry, builtInJobTypes } from './job-types/registry.js';
import { createExecutors, executorSettingsOf } from './job-types/executor/index.js';
import { executorJobType } from './job-types/executor/executor-job-type.js';
import type { JobType } from './job-types/job-type.js';
import { LocalAdmission, SharedAdmission } from './runs/admission.js';
import { RunEngine } from './runs/run-engine.js';
import { RunWriter } from './runs/run-writer.js';
import { workflowFireJobType } from './job-types/workflow-fire.js';
import { createWorkflows } from './workflows/create-workflows.js';
import { Expressions } from './workflows/expressions.js';
import { WorkflowDecisions } from './workflows/workflow-decisions.js';
import { CalendarCache } from './scheduler/calendar-cache.js';
import { LeaseKeeper } from './scheduler/lease-keeper.js';
import { Scheduler } from './scheduler/scheduler.js';
import { AppService } from './services/app-service.js';
import { CalendarService } from './services/calendar-service.js';
import { Namespaces } from './services/namespaces.js';
import { SecretBox } from './secrets/secret-box.js';
import { NamespaceGuards } from './outbound/namespace-guards.js';
import { NamedSecrets } from './secrets/named-secrets.js';
import { OutboundPolicy } from './outbound/outbound-policy.js';
import type { HostResolver } from './outbound/outbound-policy.js';
import { TaskService } from './services/task-service.js';
import { openStore } from './store/open-store.js';
import { wireChanges } from './cluster/wire-changes.js';
import { wireNodes } from './cluster/wire-nodes.js';
import { createKairosMetrics } from './metrics/kairos-metrics.js';
import { createAlerting } from './alerts/index.js';
import { AlertRuleCache } from './alerts/alert-rule-cache.js';
import { executorCounts } from './metrics/executor-counts.js';
import { LabelNames } from './metrics/label-names.js';
import { installMetricListeners } from './metrics/metric-listeners.js';
import type { Store } from './store/store.js';
import { createAccessControl } from './access/access-control.js';
import { oidcSettingsOf } from './services/oidc-sign-in.js';
import { prunerFor } from './retention/run-pruner.js';
import { createBatches } from './batches/index.js';
import { createPacing } from './pacing/create-pacing.js';
import { PoolService } from './pools/pool-service.js';
import { BudgetService } from './budgets/budget-service.js';
import { noLatencyTuning } from './runtime/latency-tuning.js';
import type { LatencyTuning } from './runtime/latency-tuning.js';

export const VERSION = '0.1.0';

export interface KairosOptions {
  config: Config;
  logger: Logger;
  clock?: Clock;
  /** Extra job types (tests, plug-ins). */
  jobTypes?: JobType[];
  /** Do not listen on a port (tests that only drive the engine). */
  noHttp?: boolean;
  /** Resolves host names for outbound calls (tests: a stand-in DNS); default dns.lookup. */
  resolveHost?: HostResolver;
  /**
   * The latency layers (runtime/latency-tuning.ts): the server builds them from its settings;
   * default none. Timer spinning and claim pacing need the system clock.
   */
  latency?: LatencyTuning;
}

export interface KairosNode {
  nodeId: string;
  /** http://host:port once listening. */
  url: string;
  /** The admin token generated at first start, if one was. */
  generatedAdminToken: string | undefined;
  store: Store;
  events: EventBus;
  engine: RunEngine;
  scheduler: Scheduler;
  http: FastifyInstance;
  /** Graceful stop: no new claims, running work finishes within the grace period, leases released. */
  stop(graceMs?: number): Promise<void>;
}

export async function startKairos(options: KairosOptions): Promise<KairosNode> {
  const { config, logger } = options;
  const clock = options.clock ?? systemClock;
  const latency = options.latency ?? noLatencyTuning;
  const nodeId = config.nodeId ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const store = await openStore({
    databaseUrl: config.databaseUrl,
    poolSize: config.databasePoolSize,
    dataDir: config.dataDir,
    sqliteCacheMb: config.sqliteCacheMb,
  });
  const log = logger.child({ node: nodeId });
  /** Closed if the start fails (it retries failed writes on a timer). */
  let openedWriter: RunWriter | undefined;
  try {
    const events = new EventBus((event, error) => log.error({ err: error, event }, 'event listener failed'));
    const jobTypes = new JobTypeRegistry();
    const secrets = SecretBox.open({ secretKey: config.secretKey, dataDir: config.dataDir });
    const outbound = new OutboundPolicy(
      { allow: config.outboundAllow, deny: config.outboundDeny },
      options.resolveHost,
    );
    const guards = new NamespaceGuards(
      outbound,
      store,
      () => clock.now(),
      5000,
      (error) => log.error({ err: error }, 'reading the outbound rules of namespaces failed'),
    );
    await guards.load();
    const namespaces = new Namespaces(store);
    const namedSecrets = new NamedSecrets(store, secrets, namespaces);
    for (const type of [
      ...builtInJobTypes({
        secrets,
        guards,
        named: namedSecrets,
        scriptTasks: config.scriptTasks === 'on',
        latency,
      }),
      ...(options.jobTypes ?? []),
    ])
      jobTypes.register(type);
    const executors = createExecutors({
      store,
      clock,
      logger: log,
      settings: executorSettingsOf(config),
      secrets,
      guards,
    });
    jobTypes.register(executorJobType(executors.dispatcher));
    // A workflow's scheduled fires (bound late: the service needs the engine).
    jobTypes.register(workflowFireJobType({ fire: (runId, taskId) => workflows.fire(runId, taskId) }));

    const writer: RunWriter = new RunWriter(
      store,
      (error) => log.error({ err: error }, 'writing runs failed; retrying'),
      // SQLite statements hold the event loop: they are kept short and wait while a planned run
      // is about to be released (see RunWriter). PostgreSQL's do not, but wait for a connection.
      store.capabilities.exclusiveWriter ? { share: latency.share } : { rowsPerStatement: 1000 },
    );
    openedWriter = writer;
    const admission = store.capabilities.exclusiveWriter
      ? await LocalAdmission.create(store)
      : new SharedAdmission(store);
    // The alert rules in memory: a run's settlement decides its alerts from them (run-settler.ts).
    const alertRules = new AlertRuleCache(store, clock);
    // Budgets and provider pools, decided in memory before admission (pacing/create-pacing.ts).
    const paced = createPacing({
      store,
      clock,
      logger: log,
      nodeId,
      waitingForPool: (poolId) => engine.waitingForPool(poolId),
      retryWaiting: () => void engine.retryWaiting(),
    });
    const pacing = paced.gate;
    // Workflows' JSONata, for the settler (a node run's end decides what follows when it can) and
    // the advancer.
    const expressions = new Expressions();
    const engine: RunEngine = new RunEngine({
      workflowDecisions: new WorkflowDecisions(expressions),
      store,
      clock,
      events,
      jobTypes,
      writer,
      admission,
      logger: log,
      nodeId,
      leaseMs: config.leaseMs,
      fineGrainedTimers: latency.spinTimers,
      onNextFire: () => scheduler.wake(),
      alertRules,
      onAlerts: () => alerting.worker.wake(),
      gate: pacing,
    });
    pacing.setAbort((match, abort) => engine.abortWhere(match, abort));
    const calendars = new CalendarCache(store, clock);
    const scheduler = new Scheduler({
      store,
      clock,
      events,
      engine,
      calendars,
      logger: log,
      nodeId,
      lookaheadMs: config.lookaheadMs,
      pollIntervalMs: config.pollIntervalMs,
      leaseMs: config.leaseMs,
      paceClaims: latency.paceClaims,
    });
    const leases = new LeaseKeeper({ store, clock, engine, logger: log, nodeId, leaseMs: config.leaseMs });
    const cluster = wireNodes({
      store,
      clock,
      logger: log,
      nodeId,
      version: VERSION,
      databaseUrl: config.databaseUrl,
      leases,
    });

    await namespaces.ensureDefault();
    const tasks = new TaskService({
      store,
      clock,
      events,
      engine,
      jobTypes,
      namespaces,
      guards,
      secrets: namedSecrets,
    });
    const { workflows, advancer } = createWorkflows({
      expressions,
      store,
      clock,
      events,
      engine,
      tasks,
      namespaces,
      logger: log,
      nodeId,
      leaseMs: config.leaseMs,
    });
    const apps = new AppService(store, namespaces, events);
    const calendarService = new CalendarService(store, namespaces, events, clock);
    const budgets = new BudgetService({
      store,
      namespaces,
      usage: pacing.usage,
      changed: (namespaceId) => pacing.forgetBudgetsOf({ kind: 'namespace', namespaceId }),
    });
    const alerting = createAlerting({
      config,
      budgetLevel: (namespaceId, scope) => budgets.level(namespaceId, scope),
      rules: alertRules,
      // Deliveries wait while runs are about to be released or started (as the run writer does).
      share: latency.share,
      store,
      clock,
      events,
      logger: log,
      nodeId,
      secrets,
      namespaces,
      guards,
    });
    const pruner = prunerFor(config, {
      store,
      clock,
      logger: log,
      // On SQLite its deletes hold the event loop: not in the moments before a planned run.
      ...(store.capabilities.exclusiveWriter ? { whenClear: () => latency.share.whenClear() } : {}),
    });
    const batches = createBatches({
      store,
      clock,
      events,
      engine,
      logger: log,
      guards,
      jobTypes,
      nodeId,
      leaseMs: config.leaseMs,
      // On SQLite a batch's item writes hold the event loop: not in the moments before a planned run.
      whenClear: store.capabilities.exclusiveWriter ? () => latency.share.whenClear() : undefined,
    });
    const labelNames = new LabelNames(store);
    const metrics = createKairosMetrics(
      {
        running: () => engine.activeCount,
        queued: () => engine.waitingCount,
        executors: () => executorCounts(store, labelNames, clock.now() - config.executorDeadMs),
      },
      { nodeId, version: VERSION, store: store.dialect },
    );
    const access = createAccessControl({
      store,
      clock,
      events,
      namespaces,
      logger: log,
      oidc: oidcSettingsOf(config),
    });
    const auth = new Authenticator({
      store,
      clock,
      limiter: access.context.failedAuth,
      audit: access.context.audit,
    });
    const unsubscribe = [
      events.on('credentials:revoked', () => auth.forgetAll()),
      ...installMetricListeners(events, metrics, labelNames),
      events.on('task:changed', () => scheduler.wake()),
      ...paced.listen(events),
      events.on('alert_rule:changed', () => alertRules.invalidate()),
      events.on('app:changed', ({ appName }) => executors.auth.forget(appName)),
      events.on('calendar:changed', () => {
        calendars.invalidate();
        scheduler.wake();
      }),
      // No background work (live streams, run writes) in the moments before a planned run, nor
      // while runs due together are being started (both within EventLoopShare's hold limit).
      latency.share.keepClearBefore(() => engine.msUntilBusy()),
    ];

    const changes =
      !store.capabilities.exclusiveWriter && config.databaseUrl !== undefined
        ? wireChanges({
            databaseUrl: config.databaseUrl,
            store,
            clock,
            logger: log,
            nodeId,
            events,
            engine,
            tasks,
            resync: () => {
              auth.forgetAll();
              calendars.invalidate();
              scheduler.wake();
            },
          })
        : undefined;
    if (changes) unsubscribe.push(changes.unsubscribe);

    let ready = false;
    const http = buildHttpServer({
      context: {
        store,
        clock,
        engine,
        tasks,
        workflows,
        apps,
        calendars: calendarService,
        namespaces,
        jobTypes,
        executors,
        nodeId,
        alerts: alerting.service,
        outbound: guards,
        secrets: namedSecrets,
        ...access.context,
        retentionDefaults: pruner.defaults,
        batches: batches.service,
        pools: new PoolService({
          store,
          clock,
          namespaces,
          pacer: pacing.pacer,
          queued: (poolId) => engine.waitingForPool(poolId),
          changed: (poolId) => pacing.forgetPool(poolId),
        }),
        budgets,
        waitingOf: (runId) => pacing.waitingOf(runId),
        isReady: () => ready,
      },
      auth,
      logger: log,
      bodyLimit: config.bodyLimitBytes,
      timeouts: { headersMs: config.headersTimeoutMs, requestMs: config.requestTimeoutMs },
      version: VERSION,
      publicUrl: config.publicUrl,
      metrics: { registry: metrics.registry, token: config.metricsToken },
    });

    let stopping: Promise<void> | undefined;
    const stop = (graceMs = config.shutdownGraceSeconds * 1000): Promise<void> =>
      (stopping ??= (async () => {
        // /readyz answers 503 from now on; the API keeps serving reads (and executors' callbacks
        // for the runs being drained) until the listener closes, last.
        ready = false;
        await cluster.presence.stopping();
        await cluster.liveness?.stop();
        await scheduler.stop();
        await batches.stop();
        await advancer.stop();
        await engine.drain(graceMs);
        // Listeners still at work on the drained runs finish before the store closes.
        await events.settle();
        await paced.stop();
        await leases.stop();
        await alerting.stop();
        await pruner.stop();
        // Also answers pull executors' long polls, or http.close() would wait for them.
        await executors.stop();
        await leases.release();
        await changes?.feed.stop();
        await cluster.presence.stop();
        if (!options.noHttp) await http.close();
        for (const off of unsubscribe) off();
        await writer.close();
        await store.close();
        log.info('Kairos stopped');
      })());

    // The listener first: a start that cannot serve (port taken) must not have started anything,
    // nor stored an admin token it will never print.
    let url = '';
    if (!options.noHttp) {
      try {
        url = await http.listen({ port: config.port, host: config.host });
      } catch (error) {
        throw listenError(error, config.host, config.port);
      }
    }
    let generated: string | undefined;
    try {
      await cluster.presence.start(url || null);
      await changes?.feed.start();
      ({ generated } = await auth.bootstrap(config.adminToken));
      await leases.recoverAtStart();
      leases.start();
      advancer.start();
      executors.start();
      scheduler.start();
      alerting.start();
      pruner.start();
      await batches.start();
      cluster.liveness?.start();
    } catch (error) {
      await stop(0).catch(() => undefined);
      throw error;
    }
    ready = true;
    log.info({ url, store: store.dialect }, 'Kairos is running');

    return { nodeId, url, generatedAdminToken: generated, store, events, engine, scheduler, http, stop };
  } catch (error) {
    await openedWriter?.close().catch(() => undefined);
    await store.close().catch(() => undefined);
    throw error;
  }
}
