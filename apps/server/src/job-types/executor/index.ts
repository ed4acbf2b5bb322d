/**
 * The executor subsystem of one node, built from the node's store, clock and logger:
 * registry, authentication, dispatcher (for the `executor` job type), pull queue, log reader and
 * the lost-executor monitor. kairos.ts wires it; the HTTP routes receive it.
 */
import type { Logger } from 'pino';
import type { Clock } from '../../clock.js';
import type { Config } from '../../config.js';
import { serverGuards } from '../../outbound/namespace-guards.js';
import type { GuardSource } from '../../outbound/namespace-guards.js';
import { OutboundPolicy } from '../../outbound/outbound-policy.js';
import type { SecretBox } from '../../secrets/secret-box.js';
import type { Store } from '../../store/store.js';
import { AppAuth } from './app-auth.js';
import { CallbackProcessor } from './callbacks.js';
import { ExecutorDispatcher } from './dispatcher.js';
import { ExecutionHub } from './execution-hub.js';
import { ExecutorLogs } from './executor-logs.js';
import { ExecutorRegistry } from './executor-registry.js';
import { LostMonitor } from './lost-monitor.js';
import { PullQueue } from './pull-queue.js';

export interface ExecutorSettings {
  /** An executor without a heartbeat for this long is dead (XXL-JOB: 90 s). */
  deadMs: number;
  /** How often dead executors are looked for: runs are lost within deadMs + sweepMs. */
  sweepMs: number;
  /** Connect + read timeout of calls to executors (XXL-JOB: 3 s). */
  callTimeoutMs: number;
}

/** The executor settings of the server's configuration. */
export const executorSettingsOf = (
  config: Pick<Config, 'executorDeadMs' | 'executorLostSweepMs' | 'executorCallTimeoutMs'>,
): ExecutorSettings => ({
  deadMs: config.executorDeadMs,
  sweepMs: config.executorLostSweepMs,
  callTimeoutMs: config.executorCallTimeoutMs,
});

export interface Executors {
  registry: ExecutorRegistry;
  auth: AppAuth;
  hub: ExecutionHub;
  dispatcher: ExecutorDispatcher;
  callbacks: CallbackProcessor;
  pull: PullQueue;
  logs: ExecutorLogs;
  monitor: LostMonitor;
  /** Where executor addresses may point, per namespace (checked when an address is saved or registered). */
  guards: GuardSource;
  start(): void;
  stop(): Promise<void>;
}

export function createExecutors(deps: {
  store: Store;
  clock: Clock;
  logger: Logger;
  settings: ExecutorSettings;
  /** Seals the app tokens executors prove, so every node of a cluster can call them. */
  secrets?: SecretBox | undefined;
  /** Where executor calls may connect, per namespace (absent: the default policy). */
  guards?: GuardSource | undefined;
}): Executors {
  const { store, clock, settings } = deps;
  const guards = deps.guards ?? serverGuards(new OutboundPolicy());
  const logger = deps.logger.child({ component: 'executors' });
  const registry = new ExecutorRegistry({ store, clock, deadMs: settings.deadMs });
  const auth = new AppAuth(store, deps.secrets, clock);
  const hub = new ExecutionHub({
    store,
    clock,
    pollMs: 100,
    onError: (error) => logger.error({ err: error }, 'reading completed executions failed'),
  });
  const dispatcher = new ExecutorDispatcher({
    store,
    clock,
    registry,
    hub,
    auth,
    logger,
    callTimeoutMs: settings.callTimeoutMs,
    guards,
  });
  const callbacks = new CallbackProcessor({ store, clock, auth, hub });
  const pull = new PullQueue({ store, clock, hub, registry, rereadMs: 100 });
  const logs = new ExecutorLogs({ store, clock, auth, logger, callTimeoutMs: settings.callTimeoutMs });
  const monitor = new LostMonitor({
    store,
    clock,
    hub,
    registry,
    logger,
    deadMs: settings.deadMs,
    sweepMs: settings.sweepMs,
  });
  return {
    registry,
    guards,
    auth,
    hub,
    dispatcher,
    callbacks,
    pull,
    logs,
    monitor,
    start: () => monitor.start(),
    stop: async () => {
      hub.stop();
      await monitor.stop();
    },
  };
}
