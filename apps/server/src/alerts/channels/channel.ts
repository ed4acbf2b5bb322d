/**
 * The one interface every channel implements. A channel sends one rendered message to one
 * target and throws on failure (the delivery worker records the error and retries); it must give
 * up when `signal` aborts (the per-channel timeout).
 */
import type { Channel, WebhookKind } from '@kairos/protocol';
import type { AlertView } from '../alert-message.js';

export interface OutgoingAlert {
  deliveryId: number;
  /** The alert's namespace (its outbound rules). */
  namespaceId: number;
  /** The webhook URL, email address or phone number. */
  target: string;
  /** The rendered message (the channel's template). */
  text: string;
  view: AlertView;
  /** For webhooks: the format and the opened secret. */
  webhook?: { kind: WebhookKind; secret: string | null } | undefined;
  signal: AbortSignal;
}

export interface AlertChannel {
  readonly name: Channel;
  send(alert: OutgoingAlert): Promise<void>;
}

/** A failure a channel reports; `permanent` ones are not retried (a refused destination). */
export class ChannelError extends Error {
  constructor(
    message: string,
    readonly permanent = false,
  ) {
    super(message);
    this.name = 'ChannelError';
  }
}
