/**
 * Bearer-token authentication for /api/v1: a token is stored as its SHA-256 hash
 * with a role, the namespaces it acts in, an expiry and its revocation. The principal of a
 * valid token is remembered for a few seconds so the hot API path does not read the store for
 * every request. A revocation drops what this node remembers at once, and what the other nodes
 * remember through the cluster's change feed (kairos.ts); should that notice be lost, a revoked
 * token still stops working within REMEMBER_MS everywhere.
 *
 * The console signs in with a session instead (services/user-service.ts): an HttpOnly,
 * SameSite=Strict cookie, plus its CSRF token in the X-CSRF-Token header on every change (a
 * synchronizer token: a page of another site can make the browser send the cookie, not read
 * the token). A bearer token, when present, is used and the cookie ignored.
 *
 * Failures are counted per client (FailedAuthLimiter): past its burst, a client gets 429 with
 * Retry-After, unless its credentials are ones this node knows to be good.
 */
import { timingSafeEqual } from 'node:crypto';
import { parse as parseCookies } from 'cookie';
import type { FastifyRequest } from 'fastify';
import type { AuditLog } from '../access/audit-log.js';
import type { FailedAuthLimiter } from '../access/failed-auth-limiter.js';
import { grantsOf, type Principal } from '../access/principal.js';
import type { Clock } from '../clock.js';
import { KairosError } from '../errors.js';
import type { ApiTokenRecord, UserRecord } from '../store/access-records.js';
import type { Store } from '../store/store.js';
import { generateToken, hashToken, tokenHint } from '../secrets/token-hash.js';
import { API_TOKEN_PREFIX } from '../services/token-service.js';

/** How long a valid token is trusted without reading the store: the bound on a missed revocation. */
export const REMEMBER_MS = 5_000;
/** last_used_at is written at most this often per token. */
const TOUCH_EVERY_MS = 60_000;

export const SESSION_COOKIE = 'kairos_session';
export const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

declare module 'fastify' {
  interface FastifyRequest {
    /** The console session the request came with (cookie sign-in). */
    session?: { id: number; csrfToken: string };
  }
}

interface Remembered {
  principal: Principal;
  until: number;
  session?: { id: number; csrfToken: string };
}

const sameText = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

export class TooManyFailures extends KairosError {
  constructor(readonly retryAfterSeconds: number) {
    super('RATE_LIMITED', `too many failed sign-ins from this client: retry in ${retryAfterSeconds} s`);
  }
}

export const principalOfToken = (token: ApiTokenRecord): Principal => ({
  type: 'token',
  id: token.id,
  name: token.name,
  grants: grantsOf(token.role, token.namespaces),
});

export const principalOfUser = (user: UserRecord): Principal => ({
  type: 'user',
  id: user.id,
  name: user.username,
  grants: grantsOf(user.role, user.namespaces),
});

export interface AuthenticatorDeps {
  store: Store;
  clock: Clock;
  limiter: FailedAuthLimiter;
  audit: AuditLog;
}

export class Authenticator {
  private readonly known = new Map<string, Remembered>();

  constructor(private readonly deps: AuthenticatorDeps) {}

  /**
   * Makes sure an admin token exists. `configured` (KAIROS_ADMIN_TOKEN) is accepted unless it
   * was revoked; with none configured and none stored, one is generated and returned so the
   * caller prints it once. Called once the HTTP listener is bound, so a start that fails stores
   * no token it never printed. Nodes starting at once with none configured may each generate
   * (and print) their own.
   */
  async bootstrap(configured: string | undefined): Promise<{ generated?: string }> {
    const admin = { role: 'admin' as const, namespaces: '*' as const };
    if (configured) {
      await this.deps.store.addApiTokenIfAbsent({
        name: 'admin (KAIROS_ADMIN_TOKEN)',
        tokenHash: hashToken(configured),
        tokenHint: tokenHint(configured),
        ...admin,
      });
      return {};
    }
    if ((await this.deps.store.countApiTokens()) > 0) return {};
    const generated = generateToken(API_TOKEN_PREFIX);
    await this.deps.store.createApiToken({
      name: 'admin (generated)',
      tokenHash: hashToken(generated),
      tokenHint: tokenHint(generated),
      ...admin,
    });
    return { generated };
  }

  async authenticate(request: FastifyRequest): Promise<Principal> {
    const header = request.headers.authorization;
    const cookie = header ? undefined : parseCookies(request.headers.cookie ?? '')[SESSION_COOKIE];
    if (!header && !cookie) {
      throw new KairosError(
        'UNAUTHORIZED',
        'missing "Authorization: Bearer <token>" header (or a console session)',
      );
    }
    let secret: string;
    if (header) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
      if (!match) return this.fail(request, 'the Authorization header must be "Bearer <token>"');
      secret = match[1]!;
    } else secret = cookie!;
    const hash = hashToken(secret);
    const now = this.deps.clock.now();
    let known = this.known.get(hash);
    if (known === undefined || known.until <= now) {
      const wait = this.deps.limiter.retryAfter(request.ip);
      if (wait > 0) throw new TooManyFailures(wait);
      known = header
        ? await this.checkToken(request, hash, now)
        : await this.checkSession(request, hash, now);
      this.known.set(hash, known);
    }
    if (known.session) {
      // A change through a cookie session must carry the session's CSRF token.
      const sent = request.headers[CSRF_HEADER];
      if (
        !SAFE_METHODS.has(request.method) &&
        (typeof sent !== 'string' || !sameText(sent, known.session.csrfToken))
      ) {
        throw new KairosError(
          'FORBIDDEN',
          `a change through a console session needs its CSRF token in ${CSRF_HEADER}`,
        );
      }
      request.session = known.session;
    }
    return known.principal;
  }

  private async checkToken(request: FastifyRequest, hash: string, now: number): Promise<Remembered> {
    const token = await this.deps.store.findApiTokenByHash(hash);
    if (!token) return this.fail(request, 'invalid token');
    if (token.revokedAt !== null) return this.fail(request, 'this token was revoked');
    if (token.expiresAt !== null && token.expiresAt <= now)
      return this.fail(request, 'this token has expired');
    if (token.lastUsedAt === null || now - token.lastUsedAt >= TOUCH_EVERY_MS) {
      await this.deps.store.touchApiToken(token.id, now);
    }
    return {
      principal: principalOfToken(token),
      until: Math.min(now + REMEMBER_MS, token.expiresAt ?? Infinity),
    };
  }

  private async checkSession(request: FastifyRequest, hash: string, now: number): Promise<Remembered> {
    const found = await this.deps.store.findSessionByHash(hash);
    const live =
      found !== undefined &&
      found.session.revokedAt === null &&
      found.session.expiresAt > now &&
      found.user.deletedAt === null;
    if (!live) return this.fail(request, 'the session has ended: sign in again');
    return {
      principal: principalOfUser(found.user),
      until: Math.min(now + REMEMBER_MS, found.session.expiresAt),
      session: { id: found.session.id, csrfToken: found.session.csrfToken },
    };
  }

  /** Forgets every remembered token (one was revoked, here or on another node). */
  forgetAll(): void {
    this.known.clear();
  }

  private async fail(request: FastifyRequest, reason: string): Promise<never> {
    this.deps.limiter.failed(request.ip);
    await this.deps.audit.signIn(request, { ok: false, name: null, reason });
    throw new KairosError('UNAUTHORIZED', reason);
  }
}
