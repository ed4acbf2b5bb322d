/**
 * The alerting subsystem of one node, built from the node's store, clock, events and
 * settings: destination policy, channels, rule cache, the delivery worker and the API service.
 * kairos.ts wires it; the HTTP routes receive the service.
 */
import type { Logger } from 'pino';
import type { Channel } from '@kairos/protocol';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { EventBus } from '../events.js';
import type { Namespaces } from '../services/namespaces.js';
import type { SecretBox } from '../secrets/secret-box.js';
import type { Store } from '../store/store.js';
import { AlertRuleCache } from './alert-rule-cache.js';
import { AlertService } from './alert-service.js';
import type { AlertChannel } from './channels/channel.js';
import { EmailChannel } from './channels/email-channel.js';
import { HttpTextProvider } from './channels/http-text-provider.js';
import { TextChannel } from './channels/text-channel.js';
import { WebhookChannel } from './channels/webhook-channel.js';
import { DeliveryWorker } from './delivery-worker.js';
import { LOOPBACK_RANGES, PRIVATE_RANGES } from '../outbound/address-ranges.js';
import { serverGuards } from '../outbound/namespace-guards.js';
import type { GuardSource } from '../outbound/namespace-guards.js';
import { OutboundPolicy } from '../outbound/outbound-policy.js';
import { ThresholdEvaluator, type BudgetLevelSource } from './threshold-evaluator.js';

export interface Alerting {
  rules: AlertRuleCache;
  service: AlertService;
  worker: DeliveryWorker;
  evaluator: ThresholdEvaluator;
  start(): void;
  stop(): Promise<void>;
}

/** The ranges webhooks may not reach by the webhookAllowLoopback / webhookAllowPrivate settings. */
function webhookExtraDeny(config: Config): string[] {
  return [
    ...(config.webhookAllowLoopback ? [] : LOOPBACK_RANGES),
    ...(config.webhookAllowPrivate ? [] : PRIVATE_RANGES),
  ];
}

/** The channels the settings allow: webhooks always; email, SMS and phone when configured. */
export function channelsFrom(config: Config, guards: GuardSource, clock: Clock): Map<Channel, AlertChannel> {
  const channels = new Map<Channel, AlertChannel>([
    ['webhook', new WebhookChannel(guards, webhookExtraDeny(config), clock)],
  ]);
  if (config.smtpHost) {
    channels.set(
      'email',
      new EmailChannel({
        host: config.smtpHost,
        port: config.smtpPort,
        secure: config.smtpSecure,
        requireTls: config.smtpRequireTls,
        rejectUnauthorized: config.smtpTlsRejectUnauthorized,
        user: config.smtpUser,
        password: config.smtpPassword,
        from: config.smtpFrom,
        timeoutMs: config.alertTimeoutMs,
      }),
    );
  }
  if (config.smsUrl) {
    const provider = new HttpTextProvider({
      url: config.smsUrl,
      method: config.smsMethod,
      headers: config.smsHeaders,
      body: config.smsBody,
    });
    channels.set('sms', new TextChannel('sms', provider));
  }
  if (config.phoneUrl) {
    const provider = new HttpTextProvider({
      url: config.phoneUrl,
      method: config.phoneMethod,
      headers: config.phoneHeaders,
      body: config.phoneBody,
    });
    channels.set('phone', new TextChannel('phone', provider));
  }
  return channels;
}

export function createAlerting(deps: {
  config: Config;
  /** The rule cache the node's settlements read too. */
  rules?: AlertRuleCache | undefined;
  store: Store;
  clock: Clock;
  events: EventBus;
  logger: Logger;
  nodeId: string;
  secrets: SecretBox;
  namespaces: Namespaces;
  /** Where webhooks may point, per namespace (absent: the default policy). */
  guards?: GuardSource | undefined;
  /** Lets runs due now go first (EventLoopShare.whenClear); absent: no waiting. */
  share?: { whenClear(): Promise<void> } | undefined;
  /** Where budgets stand, for `budget` rules. */
  budgetLevel?: BudgetLevelSource | undefined;
}): Alerting {
  const { config, store, clock } = deps;
  const guards = deps.guards ?? serverGuards(new OutboundPolicy());
  const channels = channelsFrom(config, guards, clock);
  const rules = deps.rules ?? new AlertRuleCache(store, clock);
  const worker = new DeliveryWorker({
    store,
    clock,
    events: deps.events,
    logger: deps.logger.child({ component: 'alerts' }),
    nodeId: deps.nodeId,
    secrets: deps.secrets,
    channels,
    publicUrl: config.publicUrl,
    share: deps.share,
    settings: {
      concurrency: config.alertConcurrency,
      timeoutMs: config.alertTimeoutMs,
      leaseMs: Math.max(config.alertTimeoutMs * 3, 1000),
      maxAttempts: config.alertMaxAttempts,
      backoffBaseMs: config.alertRetryBaseMs,
      backoffMaxMs: 3_600_000,
      pollMs: config.alertPollMs,
    },
  });
  const service = new AlertService({
    store,
    namespaces: deps.namespaces,
    secrets: deps.secrets,
    webhookGuards: guards,
    webhookExtraDeny: webhookExtraDeny(config),
    clock,
    events: deps.events,
    wake: () => worker.wake(),
  });
  const evaluator = new ThresholdEvaluator({
    store,
    clock,
    rules,
    logger: deps.logger.child({ component: 'alerts' }),
    intervalMs: config.alertEvaluateMs,
    executorDeadMs: config.executorDeadMs,
    onWritten: () => worker.wake(),
    budgetLevel: deps.budgetLevel,
  });
  return {
    rules,
    service,
    worker,
    evaluator,
    start: () => {
      worker.start();
      evaluator.start();
    },
    stop: async () => {
      await evaluator.stop();
      await worker.stop();
      for (const channel of channels.values()) if (channel instanceof EmailChannel) channel.close();
    },
  };
}
