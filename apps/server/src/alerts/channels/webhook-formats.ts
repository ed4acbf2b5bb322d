/**
 * The body, URL and headers of a webhook per kind: a signed generic JSON document, or the
 * message shapes and signing schemes of Slack, DingTalk, Feishu/Lark, WeCom and Microsoft Teams
 * robots. Pure: the same input gives the same request (the clock is an argument).
 */
import { createHmac } from 'node:crypto';
import type { WebhookKind } from '@kairos/protocol';
import type { AlertView } from '../alert-message.js';

export interface WebhookRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface WebhookInput {
  kind: WebhookKind;
  url: string;
  secret: string | null;
  deliveryId: number;
  text: string;
  view: AlertView;
  /** Epoch ms. */
  now: number;
}

/** Generic: hex HMAC-SHA256 over `<timestamp>.<body>` with the secret, sent as `sha256=<hex>`. */
export function genericSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** DingTalk robot "加签": base64 HMAC-SHA256 of `<ms>\n<secret>` keyed with the secret. */
export function dingtalkSign(secret: string, timestampMs: string): string {
  return createHmac('sha256', secret).update(`${timestampMs}\n${secret}`).digest('base64');
}

/** Feishu/Lark robot: base64 HMAC-SHA256 of nothing, keyed with `<seconds>\n<secret>`. */
export function feishuSign(secret: string, timestampSeconds: string): string {
  return createHmac('sha256', `${timestampSeconds}\n${secret}`).update('').digest('base64');
}

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8' };

export function webhookRequest(input: WebhookInput): WebhookRequest {
  const { view, text } = input;
  switch (input.kind) {
    case 'generic': {
      const body = JSON.stringify({
        alertId: view.alertId,
        deliveryId: input.deliveryId,
        ruleId: view.ruleId,
        state: view.state,
        on: view.on,
        title: view.title,
        summary: view.summary,
        namespace: view.namespace,
        app: view.app,
        task: view.task,
        taskId: view.taskId,
        runId: view.runId,
        runUrl: view.runUrl,
        at: view.at,
        error: view.error,
        value: view.value,
        threshold: view.threshold,
        repeats: view.repeats,
        text,
      });
      const timestamp = String(Math.floor(input.now / 1000));
      return {
        url: input.url,
        body,
        headers: {
          ...JSON_HEADERS,
          'x-kairos-delivery': String(input.deliveryId),
          'x-kairos-timestamp': timestamp,
          ...(input.secret ? { 'x-kairos-signature': genericSignature(input.secret, timestamp, body) } : {}),
        },
      };
    }
    case 'slack':
      return { url: input.url, headers: JSON_HEADERS, body: JSON.stringify({ text }) };
    case 'dingtalk': {
      let url = input.url;
      if (input.secret) {
        const timestamp = String(input.now);
        const signed = new URL(input.url);
        signed.searchParams.set('timestamp', timestamp);
        signed.searchParams.set('sign', dingtalkSign(input.secret, timestamp));
        url = signed.toString();
      }
      return {
        url,
        headers: JSON_HEADERS,
        body: JSON.stringify({ msgtype: 'text', text: { content: text } }),
      };
    }
    case 'feishu': {
      const timestamp = String(Math.floor(input.now / 1000));
      const signature = input.secret ? { timestamp, sign: feishuSign(input.secret, timestamp) } : {};
      return {
        url: input.url,
        headers: JSON_HEADERS,
        body: JSON.stringify({ ...signature, msg_type: 'text', content: { text } }),
      };
    }
    case 'wecom':
      return {
        url: input.url,
        headers: JSON_HEADERS,
        body: JSON.stringify({ msgtype: 'text', text: { content: text } }),
      };
    case 'teams':
      // A Teams workflow ("Post to a channel when a webhook request is received") takes an Adaptive Card.
      return {
        url: input.url,
        headers: JSON_HEADERS,
        body: JSON.stringify({
          type: 'message',
          attachments: [
            {
              contentType: 'application/vnd.microsoft.card.adaptive',
              content: {
                $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
                type: 'AdaptiveCard',
                version: '1.4',
                body: [
                  { type: 'TextBlock', text: view.title, weight: 'Bolder', wrap: true },
                  { type: 'TextBlock', text, wrap: true },
                ],
              },
            },
          ],
        }),
      };
  }
}

/**
 * Robots answer HTTP 200 with an error code in the body (DingTalk and WeCom `errcode`, Feishu
 * `code`): a non-zero one is a failure.
 */
export function robotError(kind: WebhookKind, responseText: string): string | undefined {
  if (kind !== 'dingtalk' && kind !== 'wecom' && kind !== 'feishu') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(responseText);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const answer = parsed as { errcode?: unknown; errmsg?: unknown; code?: unknown; msg?: unknown };
  const code = answer.errcode ?? answer.code;
  if (code === undefined || code === 0) return undefined;
  return `the robot answered code ${String(code)}: ${String(answer.errmsg ?? answer.msg ?? '')}`;
}
