/**
 * A node killed (SIGKILL) while it delivers an alert: nothing is lost. The delivery stays leased
 * to the dead process; once the lease expires the next process sends it again, with the same
 * delivery id, and records it sent. The one duplicate possible is the message that was in flight
 * (here the receiver never answered it), which the id lets a receiver drop.
 */
import { describe, expect, it } from 'vitest';
import { startReceiver } from '../alerts/receivers.js';
import { eventually } from '../support/eventually.js';
import { startServerProcess } from '../support/server-process.js';
import { ADMIN_TOKEN, tempDataDir } from '../support/test-node.js';

const auth = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };
async function call(url: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: auth,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}

describe('alert delivery across a crash', () => {
  it('a delivery in flight when its node is killed is sent by the next node, and recorded once', async () => {
    // The first request hangs (the node dies while waiting for the answer); later ones are answered.
    const receiver = await startReceiver((n) => (n === 0 ? 'hang' : { status: 200 }));
    const dataDir = tempDataDir();
    const env = {
      KAIROS_ADMIN_TOKEN: ADMIN_TOKEN,
      KAIROS_ALERT_TIMEOUT_MS: '1000',
      KAIROS_ALERT_POLL_MS: '100',
    };
    const first = startServerProcess(['--data-dir', dataDir], env);
    const url = await first.ready;
    const contact = await call(url, 'POST', '/api/v1/contacts', {
      name: 'hook',
      webhook: { url: `${receiver.url}/slow-first`, kind: 'generic' },
    });
    expect(contact.status).toBe(201);
    const test = await call(url, 'POST', `/api/v1/contacts/${contact.body.id}/test`, {});
    expect(test.status).toBe(202);
    await receiver.waitFor(1);
    first.child.kill('SIGKILL');
    await first.exited;

    const second = startServerProcess(['--data-dir', dataDir], env);
    const url2 = await second.ready;
    const alert = await eventually(async () => {
      const res = await call(url2, 'GET', `/api/v1/alerts/${test.body.alertId}`);
      expect(res.body.deliveries[0].status).toBe('sent');
      return res.body;
    }, 20_000);
    expect(alert.deliveries[0].attempts).toBe(2);
    expect(receiver.received).toHaveLength(2);
    const ids = receiver.received.map((r) => r.headers['x-kairos-delivery']);
    expect(ids[0]).toBe(ids[1]);
  }, 30_000);
});
