/**
 * Every channel against a real receiver, through "send a test" (POST /api/v1/contacts/:id/test):
 * email to a real SMTP server on loopback, SMS and phone to a provider stand-in, and the robot
 * webhooks whose signatures the receiver checks the way DingTalk and Feishu do.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { startTestNode, type TestNode } from '../support/test-node.js';
import { startMailServer, startReceiver } from './receivers.js';

async function sendTest(node: TestNode, contact: Record<string, unknown>, channels?: string[]) {
  const created = await node.api('POST', '/api/v1/contacts', contact);
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const done = node.waitFor('alert:delivery', (e) => e.result !== 'failed');
  const test = await node.api(
    'POST',
    `/api/v1/contacts/${created.body.id}/test`,
    channels ? { channels } : {},
  );
  expect(test.status, JSON.stringify(test.body)).toBe(202);
  const event = await done;
  const alert = await node.api('GET', `/api/v1/alerts/${test.body.alertId}`);
  return { event, alert: alert.body };
}

describe('channels', () => {
  it('emails through a real SMTP server', async () => {
    const smtp = await startMailServer();
    const node = await startTestNode({
      config: { smtpHost: '127.0.0.1', smtpPort: smtp.port, smtpFrom: 'Kairos <alerts@example.com>' },
    });
    const { event, alert } = await sendTest(node, { name: 'Ann', email: 'ann@example.com' });
    expect(event.result).toBe('sent');
    const [mail] = await smtp.waitFor(1);
    expect(mail!.to).toEqual(['ann@example.com']);
    expect(mail!.from).toBe('alerts@example.com');
    expect(mail!.data).toContain('Subject: [Kairos] TEST: default');
    expect(mail!.data).toContain('A test alert for Ann');
    expect(mail!.data).toMatch(/X-Kairos-Delivery: \d+/);
    expect(alert.deliveries).toEqual([
      expect.objectContaining({ channel: 'email', status: 'sent', attempts: 1 }),
    ]);
  });

  it('records an SMTP server that is down as a failed attempt', async () => {
    const smtp = await startMailServer();
    const node = await startTestNode({
      config: { smtpHost: '127.0.0.1', smtpPort: 1, alertMaxAttempts: 1, alertTimeoutMs: 2000 },
    });
    const { event, alert } = await sendTest(node, { name: 'Ann', email: 'ann@example.com' });
    expect(event.result).toBe('gave_up');
    expect(alert.deliveries[0]).toMatchObject({ status: 'failed', attempts: 1 });
    expect(alert.deliveries[0].lastError).toContain('SMTP');
    expect(smtp.mails).toHaveLength(0);
  });

  it('sends SMS and phone calls through the HTTP provider, templates filled and escaped', async () => {
    const provider = await startReceiver();
    const node = await startTestNode({
      config: {
        smsUrl: `${provider.url}/sms?to={{to}}`,
        smsHeaders: { authorization: 'Bearer sms-key' },
        smsBody: '{"phone":"{{to}}","message":"{{text}}"}',
        phoneUrl: `${provider.url}/call`,
        phoneHeaders: { 'content-type': 'application/x-www-form-urlencoded' },
        phoneBody: 'To={{to}}&Say={{text}}',
      },
    });
    const { alert } = await sendTest(node, { name: 'Bob "B"', phone: '+8613800138000' }, ['sms', 'phone']);
    const requests = await provider.waitFor(2);
    const sms = requests.find((r) => r.url.startsWith('/sms'))!;
    const call = requests.find((r) => r.url.startsWith('/call'))!;
    expect(sms.url).toBe('/sms?to=%2B8613800138000');
    expect(sms.headers.authorization).toBe('Bearer sms-key');
    const body = JSON.parse(sms.body);
    expect(body.phone).toBe('+8613800138000');
    expect(body.message).toContain('[Kairos] TEST: default');
    expect(call.headers['content-type']).toBe('application/x-www-form-urlencoded');
    const form = new URLSearchParams(call.body);
    expect(form.get('To')).toBe('+8613800138000');
    expect(form.get('Say')).toBe(
      'Kairos alert. A test alert for Bob "B": if you read this, this channel works.',
    );
    await node.events.settle();
    expect(
      (await node.api('GET', `/api/v1/alerts/${alert.id}`)).body.deliveries.map(
        (d: { channel: string }) => d.channel,
      ),
    ).toEqual(['sms', 'phone']);
  });

  it('refuses a channel this server has no settings for, without retrying', async () => {
    const node = await startTestNode();
    const { event, alert } = await sendTest(node, { name: 'Ann', email: 'ann@example.com' });
    expect(event.result).toBe('gave_up');
    expect(alert.deliveries[0].lastError).toContain('not configured');
  });

  it('signs DingTalk robot calls in the URL', async () => {
    const robot = await startReceiver(() => ({ status: 200, body: '{"errcode":0,"errmsg":"ok"}' }));
    const node = await startTestNode();
    const secret = 'SEC-dingtalk';
    await sendTest(node, {
      name: 'ding',
      webhook: { url: `${robot.url}/robot/send?access_token=t`, kind: 'dingtalk', secret },
    });
    const [request] = await robot.waitFor(1);
    const url = new URL(request!.url, robot.url);
    const timestamp = url.searchParams.get('timestamp')!;
    expect(url.searchParams.get('access_token')).toBe('t');
    expect(url.searchParams.get('sign')).toBe(
      createHmac('sha256', secret).update(`${timestamp}\n${secret}`).digest('base64'),
    );
    expect(JSON.parse(request!.body)).toMatchObject({
      msgtype: 'text',
      text: { content: expect.stringContaining('TEST') },
    });
  });

  it('signs Feishu robot calls in the body, and treats a robot error code as a failure', async () => {
    const robot = await startReceiver((n) =>
      n === 0
        ? { status: 200, body: '{"code":19021,"msg":"sign match fail"}' }
        : { status: 200, body: '{"code":0}' },
    );
    const node = await startTestNode({ config: { alertRetryBaseMs: 10 } });
    const secret = 'feishu-secret';
    const created = await node.api('POST', '/api/v1/contacts', {
      name: 'lark',
      webhook: { url: `${robot.url}/hook/abc`, kind: 'feishu', secret },
    });
    const results: string[] = [];
    const sent = node.waitFor('alert:delivery', (e) => (results.push(e.result), e.result === 'sent'));
    await node.api('POST', `/api/v1/contacts/${created.body.id}/test`, {});
    await sent;
    expect(results).toEqual(['failed', 'sent']);
    const body = JSON.parse(robot.received[1]!.body);
    expect(body.sign).toBe(createHmac('sha256', `${body.timestamp}\n${secret}`).update('').digest('base64'));
    expect(body).toMatchObject({ msg_type: 'text', content: { text: expect.stringContaining('TEST') } });
  });

  it('speaks the Slack, WeCom and Teams message shapes', async () => {
    const hook = await startReceiver(() => ({ status: 200, body: '{"errcode":0}' }));
    const node = await startTestNode();
    for (const kind of ['slack', 'wecom', 'teams']) {
      await sendTest(node, { name: kind, webhook: { url: `${hook.url}/${kind}`, kind } });
    }
    const [slack, wecom, teams] = (await hook.waitFor(3)).map((r) => JSON.parse(r.body));
    expect(slack).toEqual({ text: expect.stringContaining('TEST: default') });
    expect(wecom).toMatchObject({ msgtype: 'text', text: { content: expect.stringContaining('TEST') } });
    expect(teams).toMatchObject({
      type: 'message',
      attachments: [
        { contentType: 'application/vnd.microsoft.card.adaptive', content: { type: 'AdaptiveCard' } },
      ],
    });
  });
});
