/**
 * The Prometheus metrics of one node, on a registry of its own (no prom-client global: several
 * nodes may share a process in tests). docs/monitoring.md describes each series.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Seconds; from 1 ms (a precise fire) to 5 min (a badly late one). */
const LATENESS_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
/** Seconds; from 10 ms to 6 h. */
const DURATION_BUCKETS = [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 1800, 3600, 21_600];
/** Seconds; a claim transaction takes ms, a slow one hundreds of them. */
const CLAIM_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export interface KairosMetrics {
  registry: Registry;
  runsFinished: Counter<'namespace' | 'app' | 'type' | 'status'>;
  runStartLateness: Histogram<'namespace' | 'app' | 'type'>;
  runDuration: Histogram<'namespace' | 'app' | 'type' | 'status'>;
  runsRunning: Gauge;
  runsQueued: Gauge;
  executors: Gauge<'app' | 'state'>;
  difyTokens: Counter<'app' | 'kind'>;
  difyCost: Counter<'app' | 'currency'>;
  alertDeliveries: Counter<'channel' | 'result'>;
  schedulerClaim: Histogram;
  nodeInfo: Gauge<'node' | 'version' | 'store'>;
}

export interface MetricSources {
  /** Runs this node is running now (RunEngine.activeCount). */
  running: () => number;
  /** Runs this node holds that wait for a concurrency slot (RunEngine.waitingCount). */
  queued: () => number;
  /** Executors per app and state, read when Prometheus scrapes (one query per scrape). */
  executors: () => Promise<{ app: string; state: string; count: number }[]>;
}

export function createKairosMetrics(
  sources: MetricSources,
  node: { nodeId: string; version: string; store: string },
): KairosMetrics {
  const registry = new Registry();
  // Standard names (process_*, nodejs_*), so that stock dashboards and alerts apply as they are.
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const nodeInfo = new Gauge({
    name: 'kairos_node_info',
    help: 'This Kairos node: its id, version and store (always 1)',
    labelNames: ['node', 'version', 'store'] as const,
    registers,
  });
  nodeInfo.set({ node: node.nodeId, version: node.version, store: node.store }, 1);
  return {
    registry,
    nodeInfo,
    runsFinished: new Counter({
      name: 'kairos_runs_finished_total',
      help: 'Runs that reached a terminal status on this node',
      labelNames: ['namespace', 'app', 'type', 'status'] as const,
      registers,
    }),
    runStartLateness: new Histogram({
      name: 'kairos_run_start_lateness_seconds',
      help: "From a run's slot (or due time) to its job's first outside effect (request written, process spawned, executor called), observed when the run ends",
      labelNames: ['namespace', 'app', 'type'] as const,
      buckets: LATENESS_BUCKETS,
      registers,
    }),
    runDuration: new Histogram({
      name: 'kairos_run_duration_seconds',
      help: 'From start to finish of runs that started',
      labelNames: ['namespace', 'app', 'type', 'status'] as const,
      buckets: DURATION_BUCKETS,
      registers,
    }),
    runsRunning: new Gauge({
      name: 'kairos_runs_running',
      help: 'Runs running on this node now',
      registers,
      collect() {
        this.set(sources.running());
      },
    }),
    runsQueued: new Gauge({
      name: 'kairos_runs_queued',
      help: 'Runs on this node waiting for a concurrency slot',
      registers,
      collect() {
        this.set(sources.queued());
      },
    }),
    executors: new Gauge({
      name: 'kairos_executors',
      help: 'Registered executors per app and state (online, dead, removed)',
      labelNames: ['app', 'state'] as const,
      registers,
      async collect() {
        const rows = await sources.executors();
        this.reset();
        for (const row of rows) this.set({ app: row.app, state: row.state }, row.count);
      },
    }),
    difyTokens: new Counter({
      name: 'kairos_dify_tokens_total',
      help: 'LLM tokens used by finished runs, by kind (prompt, completion, total)',
      labelNames: ['app', 'kind'] as const,
      registers,
    }),
    difyCost: new Counter({
      name: 'kairos_dify_cost_total',
      help: 'Cost reported by finished runs, in the currency of the label',
      labelNames: ['app', 'currency'] as const,
      registers,
    }),
    alertDeliveries: new Counter({
      name: 'kairos_alert_deliveries_total',
      help: 'Alert delivery attempts by channel and result (sent, failed, gave_up)',
      labelNames: ['channel', 'result'] as const,
      registers,
    }),
    schedulerClaim: new Histogram({
      name: 'kairos_scheduler_claim_seconds',
      help: 'Duration of the scheduler claim transaction (plan due tasks, insert their runs)',
      buckets: CLAIM_BUCKETS,
      registers,
    }),
  };
}
