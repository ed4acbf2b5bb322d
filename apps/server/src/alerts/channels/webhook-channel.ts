/**
 * Webhooks: one POST per delivery in the contact's format (webhook-formats.ts), to a destination
 * the outbound policy of the alert's namespace allows, checked on the address connected to
 * (outbound/guarded-transport.ts); redirects are not followed. A 2xx answer (without a robot
 * error code) is a success; anything else throws and is retried, except a refused destination.
 */
import { fetch } from 'undici';
import type { Clock } from '../../clock.js';
import { GuardedDispatchers } from '../../outbound/guarded-transport.js';
import type { GuardSource } from '../../outbound/namespace-guards.js';
import { findDestinationRefusal } from '../../outbound/outbound-policy.js';
import { ChannelError, type AlertChannel, type OutgoingAlert } from './channel.js';
import { robotError, webhookRequest } from './webhook-formats.js';

export class WebhookChannel implements AlertChannel {
  readonly name = 'webhook' as const;
  readonly #dispatchers = new GuardedDispatchers();

  /** `extraDeny`: ranges webhooks may not reach on top of the namespace's rules (the webhookAllow* settings). */
  constructor(
    private readonly guards: GuardSource,
    private readonly extraDeny: readonly string[],
    private readonly clock: Clock,
  ) {}

  async send(alert: OutgoingAlert): Promise<void> {
    const guard = this.guards.guardFor(alert.namespaceId, this.extraDeny);
    const refused = guard.urlProblem(alert.target);
    if (refused) throw new ChannelError(`destination refused: ${refused}`, true);
    const kind = alert.webhook?.kind ?? 'generic';
    const request = webhookRequest({
      kind,
      url: alert.target,
      secret: alert.webhook?.secret ?? null,
      deliveryId: alert.deliveryId,
      text: alert.text,
      view: alert.view,
      now: this.clock.now(),
    });
    let response: Awaited<ReturnType<typeof fetch>>;
    try {
      response = await fetch(request.url, {
        method: 'POST',
        headers: { 'user-agent': 'Kairos-Alerts', ...request.headers },
        body: request.body,
        signal: alert.signal,
        redirect: 'manual',
        dispatcher: this.#dispatchers.for(guard),
      });
    } catch (error) {
      const refusal = findDestinationRefusal(error);
      if (refusal) throw new ChannelError(`destination refused: ${refusal.reason}`, true);
      throw error;
    }
    const text = await response.text();
    if (response.status < 200 || response.status > 299) {
      throw new ChannelError(`HTTP ${response.status} from the webhook: ${text.slice(0, 200)}`);
    }
    const error = robotError(kind, text);
    if (error) throw new ChannelError(error);
  }
}
