/**
 * Sends the outbox. Its own loop, apart from scheduling: it takes due deliveries (leased to this
 * node, store/alert-outbox.ts), sends each through its channel with the channel's timeout, at most
 * `concurrency` at once, and records every attempt: sent, or failed with the error and the next
 * try (exponential backoff) until `maxAttempts`, then failed for good. A slow or failing channel
 * holds only its own deliveries' slots, never the scheduler or another node.
 *
 * Exactly once, honestly: a delivery is recorded `sent` after the channel accepted it. A node
 * killed between the two leaves the row leased; when the lease expires another node sends it
 * again. So a duplicate is possible only for a delivery in flight when its node died, never
 * otherwise; generic webhooks carry `X-Kairos-Delivery` (and emails a header of that name) so a
 * receiver can drop it.
 */
import type { Logger } from 'pino';
import type { Channel } from '@kairos/protocol';
import type { Clock, TimerHandle } from '../clock.js';
import type { EventBus } from '../events.js';
import type { SecretBox } from '../secrets/secret-box.js';
import { ExpiringCache } from '../runtime/expiring-cache.js';
import type { AlertRecord, AlertRuleRecord, ContactRecord, DeliveryRecord } from '../store/alert-records.js';
import type { Store } from '../store/store.js';
import { buildAlertView, renderMessage, type AlertNames } from './alert-message.js';
import { ChannelError, type AlertChannel } from './channels/channel.js';

export interface DeliverySettings {
  /** Deliveries sent at once by this node. */
  concurrency: number;
  /** Per attempt, per channel. */
  timeoutMs: number;
  /** How long a claimed delivery stays this node's; longer than timeoutMs. */
  leaseMs: number;
  maxAttempts: number;
  /** Backoff: base * 2^(attempt-1), capped. */
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** How often the outbox is polled when nothing wakes the worker. */
  pollMs: number;
}

export interface DeliveryWorkerDeps {
  store: Store;
  clock: Clock;
  events: EventBus;
  logger: Logger;
  nodeId: string;
  secrets: SecretBox;
  channels: ReadonlyMap<Channel, AlertChannel>;
  /** Base of console links (`<publicUrl>/runs/:id`); relative links when unset. */
  publicUrl: string | undefined;
  settings: DeliverySettings;
  /**
   * Lets runs due now go first: resolves once the moments before a planned run's release have
   * passed (EventLoopShare.whenClear). Awaited before each statement batch of the worker.
   */
  share?: { whenClear(): Promise<void> } | undefined;
}

export function backoffMs(
  settings: Pick<DeliverySettings, 'backoffBaseMs' | 'backoffMaxMs'>,
  attempt: number,
): number {
  return Math.min(settings.backoffBaseMs * 2 ** Math.max(0, attempt - 1), settings.backoffMaxMs);
}

/** How long a rule, a contact and the names of a message's places are reused between deliveries. */
const REUSE_MS = 5_000;

export class DeliveryWorker {
  readonly #inFlight = new Set<Promise<void>>();
  // Under a burst of alerts most deliveries share their rule, contact and places: read them once.
  readonly #rules: ExpiringCache<number, AlertRuleRecord | undefined>;
  readonly #contacts: ExpiringCache<number, ContactRecord | undefined>;
  readonly #names: ExpiringCache<string, AlertNames>;
  /** Wake-ups at retry times sooner than the next poll. */
  readonly #retryTimers = new Set<TimerHandle>();
  #timer: TimerHandle | undefined;
  #running = false;
  #ticking: Promise<void> | undefined;
  #again = false;

  constructor(private readonly deps: DeliveryWorkerDeps) {
    const now = () => deps.clock.now();
    this.#rules = new ExpiringCache(REUSE_MS, now);
    this.#contacts = new ExpiringCache(REUSE_MS, now);
    this.#names = new ExpiringCache(REUSE_MS, now);
  }

  start(): void {
    this.#running = true;
    this.wake();
  }

  /** Looks at the outbox now (alerts were just written). */
  wake(): void {
    if (!this.#running) return;
    if (this.#ticking) {
      this.#again = true;
      return;
    }
    this.#timer?.cancel();
    this.#ticking = this.#tick().finally(() => {
      this.#ticking = undefined;
      if (!this.#running) return;
      if (this.#again) {
        this.#again = false;
        this.wake();
      } else {
        this.#timer = this.deps.clock.setTimer(() => this.wake(), this.deps.settings.pollMs);
      }
    });
  }

  /** No new claims; waits for the attempts in flight (their leases cover a crash instead). */
  async stop(): Promise<void> {
    this.#running = false;
    this.#timer?.cancel();
    for (const timer of this.#retryTimers) timer.cancel();
    this.#retryTimers.clear();
    await this.#ticking;
    await Promise.all([...this.#inFlight]);
  }

  /** Claims and sends what is due now, and waits for it (tests, with a manual clock). */
  async runOnce(): Promise<number> {
    const sent = await this.#claimAndSend();
    await Promise.all([...this.#inFlight]);
    return sent;
  }

  async #tick(): Promise<void> {
    try {
      await this.#claimAndSend();
    } catch (error) {
      this.deps.logger.error(
        { err: error },
        'alert outbox: claiming deliveries failed; retrying at the next poll',
      );
    }
  }

  async #claimAndSend(): Promise<number> {
    const free = this.deps.settings.concurrency - this.#inFlight.size;
    if (free <= 0) return 0;
    await this.deps.share?.whenClear();
    const now = this.deps.clock.now();
    const claimed = await this.deps.store.claimDueDeliveries({
      owner: this.deps.nodeId,
      now,
      leaseExpiresAt: now + this.deps.settings.leaseMs,
      limit: free,
    });
    for (const delivery of claimed) {
      const attempt = this.#attempt(delivery).finally(() => {
        this.#inFlight.delete(attempt);
        // Slots are free: more may be waiting. Claimed in batches (once half the slots are
        // free), not one statement per finished attempt: under a burst of alerts that was a
        // claim per delivery, each holding the event loop.
        if (this.#running && this.#inFlight.size <= this.deps.settings.concurrency / 2) this.wake();
      });
      this.#inFlight.add(attempt);
    }
    return claimed.length;
  }

  async #attempt(delivery: DeliveryRecord): Promise<void> {
    const { settings, events, logger } = this.deps;
    let error: unknown;
    try {
      await this.deps.share?.whenClear();
      await this.#send(delivery);
    } catch (thrown) {
      error = thrown;
    }
    const at = this.deps.clock.now();
    const permanent = error instanceof ChannelError && error.permanent;
    const lastAttempt = permanent || delivery.attempts >= settings.maxAttempts;
    const outcome =
      error === undefined
        ? ({ ok: true, at } as const)
        : {
            ok: false as const,
            at,
            error: error instanceof Error ? error.message : String(error),
            retryAt: lastAttempt ? null : at + backoffMs(settings, delivery.attempts),
          };
    try {
      await this.deps.share?.whenClear();
      await this.deps.store.recordDeliveryOutcome(delivery.id, this.deps.nodeId, outcome);
    } catch (recordError) {
      // The lease expires and the delivery is attempted again: at most this one message twice.
      logger.error(
        { err: recordError, deliveryId: delivery.id },
        'alert outbox: recording an attempt failed',
      );
    }
    const result = outcome.ok ? 'sent' : outcome.retryAt === null ? 'gave_up' : 'failed';
    if (!outcome.ok && outcome.retryAt !== null && outcome.retryAt - at < settings.pollMs && this.#running) {
      const timer = this.deps.clock.setTimer(() => {
        this.#retryTimers.delete(timer);
        this.wake();
      }, outcome.retryAt - at);
      this.#retryTimers.add(timer);
    }
    if (!outcome.ok) {
      logger.warn(
        {
          deliveryId: delivery.id,
          channel: delivery.channel,
          attempt: delivery.attempts,
          error: outcome.error,
        },
        result === 'gave_up' ? 'alert delivery failed for good' : 'alert delivery failed; will retry',
      );
    }
    events.emit('alert:delivery', {
      deliveryId: delivery.id,
      alertId: delivery.alertId,
      channel: delivery.channel,
      result,
    });
  }

  async #send(delivery: DeliveryRecord): Promise<void> {
    const { store, secrets, settings } = this.deps;
    const channel = this.deps.channels.get(delivery.channel);
    if (!channel)
      throw new ChannelError(
        `the ${delivery.channel} channel is not configured on this server (see docs/alerting.md)`,
        true,
      );
    const alert = await store.getAlert(delivery.alertId);
    if (!alert) throw new ChannelError('the alert was deleted', true);
    const { ruleId } = alert;
    const { contactId } = delivery;
    const rule =
      ruleId === null ? undefined : await this.#rules.get(ruleId, () => store.getAlertRule(ruleId));
    const contact =
      contactId === null ? undefined : await this.#contacts.get(contactId, () => store.getContact(contactId));
    const places = `${alert.namespaceId}:${alert.appId}:${alert.taskId}`;
    const names = await this.#names.get(places, () => this.#readNames(alert));
    const view = buildAlertView(alert, names, this.deps.publicUrl);
    const text = renderMessage(view, delivery.channel, rule?.templates?.[delivery.channel]);
    const webhook =
      delivery.channel === 'webhook' && contact?.webhook
        ? {
            kind: contact.webhook.kind,
            secret: contact.webhook.sealedSecret === null ? null : secrets.open(contact.webhook.sealedSecret),
          }
        : undefined;
    const signal = AbortSignal.timeout(settings.timeoutMs);
    await channel.send({
      deliveryId: delivery.id,
      namespaceId: alert.namespaceId,
      target: delivery.target,
      text,
      view,
      webhook,
      signal,
    });
  }

  async #readNames(alert: AlertRecord): Promise<AlertNames> {
    const { store } = this.deps;
    const [ns, app, task] = await Promise.all([
      store.getNamespace(alert.namespaceId),
      alert.appId === null ? undefined : store.getApp(alert.appId),
      alert.taskId === null ? undefined : store.getTask(alert.taskId),
    ]);
    return {
      namespace: ns?.name ?? String(alert.namespaceId),
      app: app?.appName ?? null,
      task: task?.name ?? (alert.taskId === null ? null : `task ${alert.taskId}`),
    };
  }
}
