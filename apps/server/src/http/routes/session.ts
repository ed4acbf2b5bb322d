/**
 * Console sign-in: POST /session checks a username and password and answers a
 * session cookie (HttpOnly, SameSite=Strict, Secure over HTTPS) with the CSRF token to send in
 * X-CSRF-Token on every change; GET /session says who is signed in; DELETE /session signs out.
 * Failed sign-ins count against the client like wrong tokens, and are audited with the name.
 */
import { SessionCreate, SessionInfo } from '@kairos/protocol';
import { serialize } from 'cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Principal } from '../../access/principal.js';
import { KairosError } from '../../errors.js';
import { SESSION_MS } from '../../services/user-service.js';
import { SESSION_COOKIE, TooManyFailures, principalOfUser } from '../auth.js';
import type { ApiContext } from '../context.js';
import type { RouteTable } from '../route-table.js';

const info = (principal: Principal, csrfToken: string | null): SessionInfo => ({
  type: principal.type,
  id: principal.id,
  name: principal.name,
  grants: [...principal.grants].map(([namespace, role]) => ({ namespace, role })),
  csrfToken,
});

/** The session cookie; an empty one that expires at once signs out. */
export function setSessionCookie(request: FastifyRequest, reply: FastifyReply, secret: string | null): void {
  void reply.header(
    'set-cookie',
    serialize(SESSION_COOKIE, secret ?? '', {
      httpOnly: true,
      sameSite: 'strict',
      secure: request.protocol === 'https',
      path: '/',
      maxAge: secret === null ? 0 : SESSION_MS / 1000,
    }),
  );
}

export function sessionRoutes(routes: RouteTable, ctx: ApiContext): void {
  routes.add(
    {
      method: 'POST',
      url: '/api/v1/session',
      summary: 'Sign in to the console with a username and password: sets the session cookie',
      tag: 'access',
      public: true,
      body: SessionCreate,
      response: SessionInfo,
    },
    async ({ body, request, reply }) => {
      const wait = ctx.failedAuth.retryAfter(request.ip);
      if (wait > 0) {
        void reply.header('retry-after', String(wait));
        throw new TooManyFailures(wait);
      }
      const signedIn = await ctx.users.signIn(body.username, body.password);
      if (!signedIn) {
        ctx.failedAuth.failed(request.ip);
        await ctx.audit.signIn(request, {
          ok: false,
          name: body.username,
          reason: 'wrong username or password',
        });
        throw new KairosError('UNAUTHORIZED', 'wrong username or password');
      }
      const principal = principalOfUser(signedIn.user);
      await ctx.audit.signIn(request, { ok: true, principal, method: 'password' });
      setSessionCookie(request, reply, signedIn.secret);
      return info(principal, signedIn.session.csrfToken);
    },
  );
  routes.add(
    {
      method: 'GET',
      url: '/api/v1/session',
      summary:
        'Who is calling: a user or token, its role per namespace, and the CSRF token of a console session',
      tag: 'access',
      access: { role: 'viewer', namespace: 'any' },
      response: SessionInfo,
    },
    async ({ request }) => info(ctx.access.principal(request), request.session?.csrfToken ?? null),
  );
  routes.add(
    {
      method: 'DELETE',
      url: '/api/v1/session',
      summary: 'Sign out of the console: ends the session on every node and clears its cookie',
      tag: 'access',
      access: { role: 'viewer', namespace: 'any' },
      response: z.object({ signedOut: z.boolean() }),
    },
    async ({ request, reply }) => {
      if (request.session) await ctx.users.signOut(request.session.id);
      setSessionCookie(request, reply, null);
      return { signedOut: request.session !== undefined };
    },
  );
}
