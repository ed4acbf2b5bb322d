/**
 * Console users and sessions: passwords hashed with scrypt, sign-in with an HttpOnly,
 * SameSite=Strict cookie, changes only with the session's CSRF token, failed sign-ins audited
 * and limited, a deleted user's session ended, and never the last admin deleted.
 */
import { describe, expect, it } from 'vitest';
import type { TestNode } from '../support/test-node.js';
import { startTestNode } from '../support/test-node.js';
import { ManualClock } from '../../src/clock.js';
import { callAs, createNamespace } from './access-fixtures.js';

const PASSWORD = 'correct horse battery';

/** Calls the API as a browser would: the session cookie, and the CSRF token when given. */
async function asBrowser(
  node: TestNode,
  cookie: string,
  method: string,
  path: string,
  body?: unknown,
  csrf?: string,
) {
  const response = await fetch(`${node.url}${path}`, {
    method,
    headers: {
      cookie,
      ...(csrf ? { 'x-csrf-token': csrf } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
}

async function signIn(node: TestNode, username: string, password: string) {
  const response = await fetch(`${node.url}/api/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  return {
    status: response.status,
    body: (await response.json()) as any,
    setCookie: response.headers.get('set-cookie'),
  };
}

describe('users and console sessions', () => {
  it('signs a user in with a cookie session; changes need the CSRF token; sign-out ends it', async () => {
    const node = await startTestNode();
    await createNamespace(node, 'alpha');
    const created = await node.api('POST', '/api/v1/users', {
      username: 'ann',
      password: PASSWORD,
      role: 'editor',
      namespaces: ['alpha'],
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      username: 'ann',
      role: 'editor',
      namespaces: ['alpha'],
      signIn: 'password',
    });
    expect(JSON.stringify(created.body)).not.toContain(PASSWORD);
    // The stored hash is scrypt's, never the password.
    const stored = await node.store.getUserByUsername('ann');
    expect(stored?.passwordHash).toMatch(/^scrypt\$32768\$8\$1\$/);

    const session = await signIn(node, 'ann', PASSWORD);
    expect(session.status).toBe(200);
    expect(session.body).toMatchObject({
      type: 'user',
      name: 'ann',
      grants: [{ namespace: 'alpha', role: 'editor' }],
    });
    expect(session.setCookie).toMatch(
      /^kairos_session=kss_[\w-]+; Max-Age=43200; Path=\/; HttpOnly; SameSite=Strict$/,
    );
    const cookie = session.setCookie!.split(';')[0]!;
    const csrf: string = session.body.csrfToken;

    expect((await asBrowser(node, cookie, 'GET', '/api/v1/calendars?namespace=alpha')).status).toBe(200);
    const calendar = { namespace: 'alpha', name: 'holidays', timezone: 'UTC', dates: [] };
    const forged = await asBrowser(node, cookie, 'POST', '/api/v1/calendars', calendar);
    expect(forged.status).toBe(403);
    expect(forged.body.error.message).toMatch(/CSRF/);
    expect((await asBrowser(node, cookie, 'POST', '/api/v1/calendars', calendar, 'wrong')).status).toBe(403);
    expect((await node.api('GET', '/api/v1/calendars?namespace=alpha')).body.items).toEqual([]);
    expect((await asBrowser(node, cookie, 'POST', '/api/v1/calendars', calendar, csrf)).status).toBe(201);
    const me = await asBrowser(node, cookie, 'GET', '/api/v1/session');
    expect(me.body).toMatchObject({ name: 'ann', csrfToken: csrf });

    const audit = (await node.api('GET', '/api/v1/audit?actor=ann')).body.items;
    expect(audit.map((e: { action: string }) => e.action)).toEqual(['calendars.create', 'auth.sign-in']);
    expect(audit[0].actor).toMatchObject({ type: 'user', name: 'ann' });

    const out = await asBrowser(node, cookie, 'DELETE', '/api/v1/session', undefined, csrf);
    expect(out.status).toBe(200);
    expect(out.headers.get('set-cookie')).toMatch(/^kairos_session=; Max-Age=0/);
    expect((await asBrowser(node, cookie, 'GET', '/api/v1/calendars')).status).toBe(401);
  });

  it('refuses a wrong password and an unknown user alike, audits and limits them', async () => {
    // A clock that stands still: the limiter regains nothing while the test runs.
    const node = await startTestNode({ clock: new ManualClock(Date.parse('2030-01-01T00:00:00Z')) });
    await node.api('POST', '/api/v1/users', {
      username: 'bob',
      password: PASSWORD,
      role: 'viewer',
      namespaces: '*',
    });
    const wrong = await signIn(node, 'bob', 'not the password');
    const unknown = await signIn(node, 'nobody', 'not the password');
    expect([wrong.status, unknown.status]).toEqual([401, 401]);
    expect(wrong.body.error.message).toBe(unknown.body.error.message);
    expect(wrong.setCookie).toBeNull();
    const failed = (await node.api('GET', '/api/v1/audit?action=auth.failed')).body.items;
    expect(failed.map((e: { actor: { name: string } }) => e.actor.name)).toEqual(['nobody', 'bob']);
    for (let i = 0; i < 18; i++) expect((await signIn(node, 'bob', 'guess')).status).toBe(401);
    const limited = await signIn(node, 'bob', PASSWORD);
    expect(limited.status).toBe(429);
  });

  it('refuses bad users, saving nothing; a deleted user is signed out everywhere; the last admin stays', async () => {
    const node = await startTestNode();
    const bad: [unknown, string][] = [
      [{ username: 'c', password: 'short', role: 'viewer', namespaces: '*' }, 'password'],
      [{ username: 'c d', password: PASSWORD, role: 'viewer', namespaces: '*' }, 'username'],
      [{ username: 'c', password: PASSWORD, role: 'root', namespaces: '*' }, 'role'],
      [{ username: 'c', password: PASSWORD, role: 'viewer', namespaces: ['nope'] }, 'namespaces.0'],
    ];
    for (const [body, field] of bad) {
      const res = await node.api('POST', '/api/v1/users', body);
      expect([res.status, res.body.error.field]).toEqual([400, field]);
    }
    expect((await node.api('GET', '/api/v1/users')).body.items).toEqual([]);

    const admin = await node.api('POST', '/api/v1/users', {
      username: 'root',
      password: PASSWORD,
      role: 'admin',
      namespaces: '*',
    });
    const taken = await node.api('POST', '/api/v1/users', {
      username: 'root',
      password: PASSWORD,
      role: 'viewer',
      namespaces: '*',
    });
    expect([taken.status, taken.body.error.field]).toEqual([409, 'username']);
    const session = await signIn(node, 'root', PASSWORD);
    const cookie = session.setCookie!.split(';')[0]!;
    expect((await asBrowser(node, cookie, 'GET', '/api/v1/tokens')).status).toBe(200);

    // With the admin user there, the bootstrap token may go; then the user is the last admin.
    const bootstrap = (await node.api('GET', '/api/v1/tokens')).body.items[0];
    const csrf = session.body.csrfToken;
    expect(
      (await asBrowser(node, cookie, 'DELETE', `/api/v1/tokens/${bootstrap.id}`, undefined, csrf)).status,
    ).toBe(200);
    const last = await asBrowser(node, cookie, 'DELETE', `/api/v1/users/${admin.body.id}`, undefined, csrf);
    expect([last.status, last.body.error.code]).toEqual([409, 'LAST_ADMIN']);

    const token = await asBrowser(
      node,
      cookie,
      'POST',
      '/api/v1/tokens',
      { name: 'ops', role: 'admin', namespaces: '*' },
      csrf,
    );
    expect((await callAs(node, token.body.token, 'DELETE', `/api/v1/users/${admin.body.id}`)).status).toBe(
      204,
    );
    expect((await asBrowser(node, cookie, 'GET', '/api/v1/tokens')).status).toBe(401);
    expect((await signIn(node, 'root', PASSWORD)).status).toBe(401);
  });
});
