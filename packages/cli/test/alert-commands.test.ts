/**
 * The alerting commands against a recording server: the requests they make and what they print.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startRecordingServer } from '../../protocol/test/recording-server.js';
import type { RecordingServer } from '../../protocol/test/recording-server.js';
import { kairos } from './harness.js';

let server: RecordingServer;
let env: Record<string, string>;

beforeEach(async () => {
  server = await startRecordingServer();
  env = { KAIROS_URL: server.url, KAIROS_TOKEN: 'tok' };
});
afterEach(async () => {
  await server.close();
});

const contact = {
  id: 3,
  namespace: 'default',
  name: 'ops',
  email: 'ops@example.com',
  phone: null,
  webhook: { url: 'https://hooks.example.com/x', kind: 'slack', hasSecret: false },
  createdAt: '2026-03-15T06:00:00.000Z',
  updatedAt: '2026-03-15T06:00:00.000Z',
};

describe('alerting commands', () => {
  it('contacts list prints a table; contacts test posts the channels', async () => {
    server.respond(() => ({ body: { items: [contact], nextCursor: null } }));
    const listed = await kairos(['contacts', 'list'], { env });
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain('ops@example.com');
    expect(listed.stdout).toContain('slack https://hooks.example.com/x');

    server.respond(() => ({ status: 202, body: { alertId: 77 } }));
    const tested = await kairos(['contacts', 'test', '3', '--channels', 'email,webhook'], { env });
    expect(tested.code).toBe(0);
    expect(tested.stdout).toContain('kairos alerts get 77');
    const last = server.requests.at(-1)!;
    expect(`${last.method} ${last.url}`).toBe('POST /api/v1/contacts/3/test');
    expect(JSON.parse(last.body)).toEqual({ channels: ['email', 'webhook'] });
  });

  it('contact-groups create sends the ids; alert-rules mute patches mutedUntil; alerts list filters by rule', async () => {
    server.respond(() => ({
      status: 201,
      body: { id: 1, namespace: 'default', name: 'oncall', contacts: [3, 4], createdAt: 'x', updatedAt: 'x' },
    }));
    expect(
      (await kairos(['contact-groups', 'create', '--name', 'oncall', '--contacts', '3,4'], { env })).code,
    ).toBe(0);
    expect(JSON.parse(server.requests.at(-1)!.body)).toEqual({ name: 'oncall', contacts: [3, 4] });

    server.respond(() => ({
      body: {
        id: 5,
        namespace: 'default',
        name: 'r',
        scope: { taskId: 42 },
        on: 'failure',
        threshold: null,
        windowSeconds: null,
        notify: { contacts: [3], groups: [] },
        silenceSeconds: 300,
        mutedUntil: '2030-01-01T00:00:00.000Z',
        enabled: true,
        templates: null,
        createdAt: 'x',
        updatedAt: 'x',
      },
    }));
    const muted = await kairos(['alert-rules', 'mute', '5', '--minutes', '30'], { env });
    expect(muted.code).toBe(0);
    const patch = server.requests.at(-1)!;
    expect(`${patch.method} ${patch.url}`).toBe('PATCH /api/v1/alert-rules/5');
    expect(Date.parse(JSON.parse(patch.body).mutedUntil)).toBeGreaterThan(Date.now() + 29 * 60_000);
    expect((await kairos(['alert-rules', 'mute', '5'], { env })).code).toBe(2);

    server.respond(() => ({ body: { items: [], nextCursor: null } }));
    const alerts = await kairos(['alerts', 'list', '--rule', '5'], { env });
    expect(alerts.stdout).toContain('(no alerts)');
    expect(server.requests.at(-1)!.url).toBe('/api/v1/alerts?ruleId=5');
  });
});
