/** SMS and phone calls: the rendered text handed to the configured provider (http-text-provider.ts). */
import { ChannelError, type AlertChannel, type OutgoingAlert } from './channel.js';
import type { TextProvider } from './http-text-provider.js';

export class TextChannel implements AlertChannel {
  constructor(
    readonly name: 'sms' | 'phone',
    private readonly provider: TextProvider,
  ) {}

  async send(alert: OutgoingAlert): Promise<void> {
    try {
      await this.provider.send({
        to: alert.target,
        text: alert.text,
        view: alert.view,
        signal: alert.signal,
      });
    } catch (error) {
      throw new ChannelError(
        `${this.name} provider: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
}
