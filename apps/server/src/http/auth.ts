/**
 * Bearer-token authentication for /api/v1 (issue 16): a token is stored as its SHA-256 hash
 * with a role, the namespaces it acts in, an expiry and its revocation. The principal of a
 * valid token is remembered for a few seconds so the hot API path does not read the store for
 * every request. A revocation drops what this node remembers at once, and what the other nodes
 * remember through the cluster's change feed (kairos.ts); should that notice be lost, a revoked
 * token still stops working within REMEMBER_MS everywhere.
 *
 * Failures are counted per client (FailedAuthLimiter): past its burst, a client gets 429 with
 * Retry-After, unless its token is one this node knows to be good.
 */
import type { FastifyRequest } from 'fastify';
import type { AuditLog } from '../access/audit-log.js';
import type { FailedAuthLimiter } from '../access/failed-auth-limiter.js';
import { grantsOf, type Principal } from '../access/principal.js';
import type { Clock } from '../clock.js';
import { KairosError } from '../errors.js';
import type { ApiTokenRecord } from '../store/access-records.js';
import type { Store } from '../store/store.js';
import { generateToken, hashToken, tokenHint } from '../services/secrets.js';
import { API_TOKEN_PREFIX } from '../services/token-service.js';

/** How long a valid token is trusted without reading the store: the bound on a missed revocation. */
export const REMEMBER_MS = 5_000;
/** last_used_at is written at most this often per token. */
const TOUCH_EVERY_MS = 60_000;

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

export interface AuthenticatorDeps {
  store: Store;
  clock: Clock;
  limiter: FailedAuthLimiter;
  audit: AuditLog;
}

export class Authenticator {
  private readonly known = new Map<string, { principal: Principal; until: number }>();

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
    if (!header) {
      throw new KairosError('UNAUTHORIZED', 'missing "Authorization: Bearer <token>" header');
    }
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) return this.fail(request, 'the Authorization header must be "Bearer <token>"');
    const hash = hashToken(match[1]!);
    const now = this.deps.clock.now();
    const known = this.known.get(hash);
    if (known !== undefined && known.until > now) return known.principal;
    const wait = this.deps.limiter.retryAfter(request.ip);
    if (wait > 0) throw new TooManyFailures(wait);
    const token = await this.deps.store.findApiTokenByHash(hash);
    if (!token) return this.fail(request, 'invalid token');
    if (token.revokedAt !== null) return this.fail(request, 'this token was revoked');
    if (token.expiresAt !== null && token.expiresAt <= now)
      return this.fail(request, 'this token has expired');
    const principal = principalOfToken(token);
    this.known.set(hash, { principal, until: Math.min(now + REMEMBER_MS, token.expiresAt ?? Infinity) });
    if (token.lastUsedAt === null || now - token.lastUsedAt >= TOUCH_EVERY_MS) {
      await this.deps.store.touchApiToken(token.id, now);
    }
    return principal;
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
