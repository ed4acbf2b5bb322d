/**
 * Email over SMTP with nodemailer: a plain-text message whose subject is the alert's title. The
 * transport (and its connection) is created once per node from the SMTP settings, at the first
 * message: nodemailer is loaded then, so a server that sends no email never holds it.
 */
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
  #transport: Promise<Transporter> | undefined;
  #closed = false;

  constructor(private readonly smtp: SmtpSettings) {}

  async #transporter(): Promise<Transporter> {
    const smtp = this.smtp;
    const { default: nodemailer } = await import('nodemailer');
    return nodemailer.createTransport({
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
    if (this.#closed) throw new ChannelError('the email channel is closed');
    try {
      // A transport that could not be made is not kept: the next message tries again.
      this.#transport ??= this.#transporter().catch((error: unknown) => {
        this.#transport = undefined;
        throw error;
      });
      const transport = await this.#transport;
      await transport.sendMail({
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
    this.#closed = true;
    void this.#transport?.then((transport) => transport.close()).catch(() => undefined);
  }
}
