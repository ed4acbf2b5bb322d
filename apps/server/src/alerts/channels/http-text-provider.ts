/**
 * SMS and phone calls go through a provider: anything that takes a phone number and a text. The
 * generic one is an HTTP request built from settings (URL, headers, body template), which covers
 * most SMS and voice APIs; docs/alerting.md has presets. Templates are Mustache over
 * `{to, text, title, ...the alert view}`; values are escaped for the body's encoding (JSON string
 * content, or form-urlencoded), and URL-encoded in the URL.
 */
import { renderWith, type AlertView } from '../alert-message.js';

export interface TextProvider {
  send(message: { to: string; text: string; view: AlertView; signal: AbortSignal }): Promise<void>;
}

export interface HttpTextProviderSettings {
  url: string;
  method: 'POST' | 'PUT' | 'GET';
  headers: Record<string, string>;
  /** Mustache; with a JSON content type the values are JSON-escaped, else form-encoded. */
  body: string;
}

const jsonEscape = (value: unknown): string => JSON.stringify(String(value)).slice(1, -1);
const formEscape = (value: unknown): string => encodeURIComponent(String(value));

export class HttpTextProvider implements TextProvider {
  constructor(private readonly settings: HttpTextProviderSettings) {}

  async send(message: { to: string; text: string; view: AlertView; signal: AbortSignal }): Promise<void> {
    const view = { ...message.view, to: message.to, text: message.text };
    const contentType =
      Object.entries(this.settings.headers).find(([k]) => k.toLowerCase() === 'content-type')?.[1] ??
      'application/json';
    const escape = contentType.includes('json') ? jsonEscape : formEscape;
    const url = renderWith(this.settings.url, view, formEscape);
    const response = await fetch(url, {
      method: this.settings.method,
      headers: { 'content-type': contentType, ...this.settings.headers },
      body: this.settings.method === 'GET' ? undefined : renderWith(this.settings.body, view, escape),
      signal: message.signal,
    });
    const text = await response.text();
    if (response.status < 200 || response.status > 299) {
      throw new Error(`HTTP ${response.status} from the provider: ${text.slice(0, 200)}`);
    }
  }
}
