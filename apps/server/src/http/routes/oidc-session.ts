/**
 * Console sign-in with an OpenID Connect provider: GET /session/oidc sends the
 * browser to the provider; the provider sends it back to GET /session/oidc/callback, which
 * opens a session (the same cookie as a password sign-in) and sends it on to the console.
 * What must survive the round trip (state, nonce, PKCE verifier) is in a short-lived HttpOnly
 * cookie, so the callback may land on any node of a cluster. GET /session/methods tells the
 * sign-in page whether to offer it.
 */
import { serialize, parse as parseCookies } from 'cookie';
import { z } from 'zod';
import { KairosError } from '../../errors.js';
import type { PendingSignIn } from '../../services/oidc-sign-in.js';
import { TooManyFailures, principalOfUser } from '../auth.js';
import type { ApiContext } from '../context.js';
import type { RouteTable } from '../route-table.js';
import { setSessionCookie } from './session.js';

const PENDING_COOKIE = 'kairos_oidc';
const CALLBACK = '/api/v1/session/oidc/callback';

export function oidcSessionRoutes(routes: RouteTable, ctx: ApiContext, publicUrl: string | undefined): void {
  /** Where the provider sends the browser back: the public URL, else this request's origin. */
  const callbackBase = (request: { protocol: string; host: string }) =>
    (publicUrl ?? `${request.protocol}://${request.host}`).replace(/\/+$/, '');

  routes.add(
    {
      method: 'GET',
      url: '/api/v1/session/methods',
      summary:
        'How one may sign in to the console: a password, and an OpenID Connect provider when configured',
      tag: 'access',
      public: true,
      response: z.object({ password: z.boolean(), oidc: z.boolean() }),
    },
    async () => ({ password: true, oidc: ctx.oidc !== undefined }),
  );

  routes.add(
    {
      method: 'GET',
      url: '/api/v1/session/oidc',
      summary: 'Sign in with the OpenID Connect provider: redirects the browser to it',
      tag: 'access',
      public: true,
      status: 302,
    },
    async ({ request, reply }) => {
      if (!ctx.oidc)
        throw new KairosError('NOT_FOUND', 'no OpenID Connect provider is configured (KAIROS_OIDC_ISSUER)');
      const { url, pending } = await ctx.oidc.start(callbackBase(request) + CALLBACK);
      void reply.header(
        'set-cookie',
        serialize(PENDING_COOKIE, Buffer.from(JSON.stringify(pending)).toString('base64url'), {
          httpOnly: true,
          // Lax: the provider's redirect back is a top-level navigation from another site.
          sameSite: 'lax',
          secure: request.protocol === 'https',
          path: CALLBACK,
          maxAge: 600,
        }),
      );
      return reply.redirect(url, 302);
    },
  );

  routes.add(
    {
      method: 'GET',
      url: CALLBACK,
      summary:
        "The OpenID Connect provider's redirect back: opens a console session, then redirects to the console",
      tag: 'access',
      public: true,
      status: 302,
    },
    async ({ request, reply }) => {
      if (!ctx.oidc)
        throw new KairosError('NOT_FOUND', 'no OpenID Connect provider is configured (KAIROS_OIDC_ISSUER)');
      const wait = ctx.failedAuth.retryAfter(request.ip);
      if (wait > 0) {
        void reply.header('retry-after', String(wait));
        throw new TooManyFailures(wait);
      }
      const fail = async (reason: string): Promise<never> => {
        ctx.failedAuth.failed(request.ip);
        await ctx.audit.signIn(request, { ok: false, name: null, reason: `OpenID Connect: ${reason}` });
        throw new KairosError('UNAUTHORIZED', `OpenID Connect sign-in failed: ${reason}`);
      };
      const raw = parseCookies(request.headers.cookie ?? '')[PENDING_COOKIE];
      let pending: PendingSignIn;
      try {
        pending = JSON.parse(Buffer.from(raw ?? '', 'base64url').toString('utf8')) as PendingSignIn;
      } catch {
        return fail('the sign-in was not started here, or took longer than 10 minutes');
      }
      const url = new URL(callbackBase(request) + request.url);
      let outcome;
      try {
        outcome = await ctx.oidc.finish(url, pending);
      } catch (error) {
        return fail((error as Error).message);
      }
      if (typeof outcome === 'string') return fail(outcome);
      const { secret } = await ctx.users.openSession(outcome);
      await ctx.audit.signIn(request, { ok: true, principal: principalOfUser(outcome), method: 'oidc' });
      setSessionCookie(request, reply, secret);
      return reply.redirect('/', 302);
    },
  );
}
