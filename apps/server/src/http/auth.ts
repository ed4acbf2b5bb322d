/**
 * Bearer-token authentication for /api/v1. Tokens are stored hashed; a valid hash is remembered
 * briefly so that the hot API path does not hit the database for every request.
 */
import type { FastifyRequest } from 'fastify';
import { KairosError } from '../errors.js';
import type { Store } from '../store/store.js';
import { generateToken, hashToken } from '../services/secrets.js';

const REMEMBER_MS = 60_000;

export class Authenticator {
  private readonly known = new Map<string, number>();

  constructor(private readonly store: Store) {}

  /**
   * Makes sure an admin token exists. `configured` (KAIROS_ADMIN_TOKEN) is always accepted; with
   * none configured and none stored, one is generated and returned so the caller prints it once.
   * Called once the HTTP listener is bound, so a start that fails stores no token it never printed.
   * Nodes starting at once with none configured may each generate (and print) their own.
   */
  async bootstrap(configured: string | undefined): Promise<{ generated?: string }> {
    if (configured) {
      await this.store.addApiTokenIfAbsent({
        name: 'admin (KAIROS_ADMIN_TOKEN)',
        tokenHash: hashToken(configured),
        role: 'admin',
      });
      return {};
    }
    if ((await this.store.countApiTokens()) > 0) return {};
    const generated = generateToken('kairos');
    await this.store.createApiToken({
      name: 'admin (generated)',
      tokenHash: hashToken(generated),
      role: 'admin',
    });
    return { generated };
  }

  async authenticate(request: FastifyRequest): Promise<void> {
    const header = request.headers.authorization;
    if (!header) {
      throw new KairosError('UNAUTHORIZED', 'missing "Authorization: Bearer <token>" header');
    }
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) throw new KairosError('UNAUTHORIZED', 'the Authorization header must be "Bearer <token>"');
    const hash = hashToken(match[1]!);
    const until = this.known.get(hash);
    if (until !== undefined && until > Date.now()) return;
    if (!(await this.store.findApiTokenByHash(hash))) throw new KairosError('UNAUTHORIZED', 'invalid token');
    this.known.set(hash, Date.now() + REMEMBER_MS);
  }
}
