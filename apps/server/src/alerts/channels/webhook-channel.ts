/**
 * Webhooks: one POST per delivery in the contact's format (webhook-formats.ts), to a destination
 * the policy allows (checked again here, with DNS, since a name may have moved). A 2xx answer
 * (without a robot error code) is a success; anything else throws and is retried.
 */
import type { Clock } from '../../clock.js';
import type { DestinationPolicy } from '../destination-policy.js';
import { ChannelError, type AlertChannel, type OutgoingAlert } from './channel.js';
import { robotError, webhookRequest } from './webhook-formats.js';

export class WebhookChannel implements AlertChannel {
  readonly name = 'webhook' as const;

  constructor(
    private readonly policy: DestinationPolicy,
    private readonly clock: Clock,
  ) {}

  async send(alert: OutgoingAlert): Promise<void> {
    const refused = await this.policy.resolvedProblem(alert.target);
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
    const response = await fetch(request.url, {
      method: 'POST',
      headers: { 'user-agent': 'Kairos-Alerts', ...request.headers },
      body: request.body,
      signal: alert.signal,
      redirect: 'manual',
    });
    const text = await response.text();
    if (response.status < 200 || response.status > 299) {
      throw new ChannelError(`HTTP ${response.status} from the webhook: ${text.slice(0, 200)}`);
    }
    const error = robotError(kind, text);
    if (error) throw new ChannelError(error);
  }
}
