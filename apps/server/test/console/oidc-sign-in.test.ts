/**
 * Console sign-in with a real OpenID Connect provider (the oidc-provider package, on 127.0.0.1)
 * in a real browser: the sign-in page offers it, the provider's own login and consent pages
 * are filled in, and the browser comes back to the console signed in as the Kairos user named
 * like the provider's account; an account without a Kairos user is refused and audited.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import Provider from 'oidc-provider';
import { startTestNode } from '../support/test-node.js';
import { chromiumAvailable, ensureConsoleBuilt, launchChromium, screenshot } from './browser.js';

let browser: Browser;
let context: BrowserContext | undefined;
let current: Page | undefined;
const servers: Server[] = [];

beforeAll(async () => {
  ensureConsoleBuilt();
  browser = await launchChromium();
}, 120_000);
afterAll(async () => {
  await browser?.close();
});
afterEach(async ({ task }) => {
  if (task.result?.state === 'fail' && current) {
    await screenshot(current, `failed-${task.name.slice(0, 40).replace(/\W+/g, '-')}`).catch(() => undefined);
  }
  current = undefined;
  await context?.close();
  context = undefined;
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

/** An HTTP server on a free port of 127.0.0.1 whose handler is set once its URL is known. */
async function lateServer(): Promise<{
  url: string;
  handle: (h: (q: IncomingMessage, s: ServerResponse) => void) => void;
}> {
  let handler: (q: IncomingMessage, s: ServerResponse) => void = (_q, s) => s.writeHead(503).end();
  const server = createServer((q, s) => handler(q, s));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    handle: (h) => {
      handler = h;
    },
  };
}

async function startProvider(
  issuer: { url: string; handle: (h: any) => void },
  redirectUri: string,
): Promise<void> {
  const provider = new Provider(issuer.url, {
    clients: [
      {
        client_id: 'kairos',
        client_secret: 'kairos-client-secret-0123456789',
        redirect_uris: [redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    // Every account exists; its username is its id (the dev login form's "login").
    findAccount: async (_ctx: unknown, id: string) => ({
      accountId: id,
      claims: async () => ({ sub: id, preferred_username: id }),
    }),
    claims: { openid: ['sub'], profile: ['preferred_username'] },
    cookies: { keys: ['a test key, not a secret'] },
  });
  issuer.handle(provider.callback());
}

describe.skipIf(!chromiumAvailable())('the console: OpenID Connect sign-in', () => {
  it('signs in through a real provider as the Kairos user named like the account; refuses one without', async () => {
    const issuer = await lateServer();
    const node = await startTestNode({
      config: {
        oidcIssuer: issuer.url,
        oidcClientId: 'kairos',
        oidcClientSecret: 'kairos-client-secret-0123456789',
      },
    });
    await startProvider(issuer, `${node.url}/api/v1/session/oidc/callback`);
    const created = await node.api('POST', '/api/v1/users', {
      username: 'carol',
      role: 'viewer',
      namespaces: '*',
    });
    expect(created.body.signIn).toBe('oidc');

    // Each sign-in in a fresh browser (no session at the provider from the one before).
    const signInAs = async (login: string): Promise<Page> => {
      await context?.close();
      context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
      const page = await context.newPage();
      page.setDefaultTimeout(15_000);
      current = page;
      await page.goto(node.url);
      await page.getByRole('link', { name: 'Sign in with OpenID Connect' }).click();
      await page.locator('input[name="login"]').fill(login);
      await page.locator('input[name="password"]').fill('anything');
      await page.locator('button[type="submit"]').click();
      await page.locator('button[type="submit"]', { hasText: /continue/i }).click();
      return page;
    };

    const refused = await signInAs('mallory');
    await refused.getByText(/no Kairos user for mallory/).waitFor();

    const page = await signInAs('carol');
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    await screenshot(page, 'oidc-signed-in');
    const session = await page.evaluate(() => fetch('/api/v1/session').then((r) => r.json()));
    expect(session).toMatchObject({
      type: 'user',
      name: 'carol',
      grants: [{ namespace: '*', role: 'viewer' }],
    });
    // Bound to the provider's subject from now on.
    expect(await node.store.getUserByOidc(issuer.url, 'carol')).toMatchObject({
      username: 'carol',
    });

    const audit = (await node.api('GET', '/api/v1/audit?resource=auth')).body.items;
    expect(
      audit.map((e: { action: string; actor: { name: string } | null }) => [e.action, e.actor?.name ?? null]),
    ).toEqual([
      ['auth.sign-in', 'carol'],
      ['auth.failed', null],
    ]);
    expect(audit[0].after).toEqual({ method: 'oidc' });
  }, 90_000);
});
