/**
 * Email over SMTP with nodemailer: a plain-text message whose subject is the alert's title. The
 * transport (and its connection) is created once per node from the SMTP settings.
 */
import nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';
import { ChannelError, type AlertChannel, type OutgoingAlert } from './channel.js';

export interface SmtpSettings {
  host: string;
  port: number;
  /** true: TLS from the start (port 465); false: STARTTLS when the server offers it. */
  secure: boolean;
  /** Refuse to send unless the connection is upgraded with STARTTLS. */
  requireTls: boolean;
  /** Check the server's certificate (turn off only for a test server). */
  rejectUnauthorized: boolean;
  user: string | undefined;
  password: string | undefined;
  from: string;
  timeoutMs: number;
}

export class EmailChannel implements AlertChannel {
  readonly name = 'email' as const;
  readonly #transport: Transporter;

  constructor(private readonly smtp: SmtpSettings) {
    this.#transport = nodemailer.createTransport({
      host: smtp.host,
      port: smtp.port,
      secure: smtp.secure,
      requireTLS: smtp.requireTls,
      tls: { rejectUnauthorized: smtp.rejectUnauthorized },
      auth: smtp.user === undefined ? undefined : { user: smtp.user, pass: smtp.password ?? '' },
      connectionTimeout: smtp.timeoutMs,
      greetingTimeout: smtp.timeoutMs,
      socketTimeout: smtp.timeoutMs,
    });
  }

  async send(alert: OutgoingAlert): Promise<void> {
    if (alert.signal.aborted) throw new ChannelError('timed out before sending');
    try {
      await this.#transport.sendMail({
        from: this.smtp.from,
        to: alert.target,
        subject: `[Kairos] ${alert.view.title}`,
        text: alert.text,
        headers: { 'X-Kairos-Delivery': String(alert.deliveryId) },
      });
    } catch (error) {
      throw new ChannelError(`SMTP: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  close(): void {
    this.#transport.close();
  }
}
