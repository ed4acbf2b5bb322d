/**
 * API tokens: named, with a role in some namespaces or in every one, an expiry, and
 * revocable at once. The secret is generated here, answered once, and stored only as its
 * SHA-256 hash. The server always keeps a live admin token for every namespace: revoking the
 * last one is refused (the bootstrap token can be revoked once another admin exists).
 */
import type { z } from 'zod';
import type { TokenCreate } from '@kairos/protocol';
import type { Clock } from '../clock.js';
import { KairosError } from '../errors.js';
import type { EventBus } from '../events.js';
import type { Namespaces } from './namespaces.js';
import type { ApiTokenRecord } from '../store/access-records.js';
import type { Store } from '../store/store.js';
import { generateToken, hashToken, tokenHint } from '../secrets/token-hash.js';

export const API_TOKEN_PREFIX = 'kairos';

export class TokenService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly events: EventBus,
    private readonly namespaces: Namespaces,
  ) {}

  async create(
    input: z.output<typeof TokenCreate>,
    createdBy: string,
  ): Promise<{ token: ApiTokenRecord; secret: string }> {
    await this.namespaces.requireExisting(input.namespaces);
    const expiresAt = input.expiresAt === undefined ? null : Date.parse(input.expiresAt);
    if (expiresAt !== null && expiresAt <= this.clock.now()) {
      throw new KairosError('VALIDATION_ERROR', 'expiresAt: must be in the future', { field: 'expiresAt' });
    }
    const secret = generateToken(API_TOKEN_PREFIX);
    const token = await this.store.createApiToken({
      name: input.name,
      tokenHash: hashToken(secret),
      tokenHint: tokenHint(secret),
      role: input.role,
      namespaces: input.namespaces === '*' ? '*' : [...new Set(input.namespaces)],
      createdBy,
      expiresAt,
    });
    return { token, secret };
  }

  /** Revokes at once on every node (see http/auth.ts for how the other nodes learn it). */
  async revoke(id: number): Promise<ApiTokenRecord> {
    const result = await this.store.revokeApiToken(id, this.clock.now());
    if (result === 'not_found') throw new KairosError('NOT_FOUND', `token ${id} does not exist`);
    if (result === 'last_admin') {
      throw new KairosError(
        'LAST_ADMIN',
        `token ${id} is the last live admin token for every namespace: create another admin token first`,
      );
    }
    if (result === 'revoked') this.events.emit('credentials:revoked', {});
    return (await this.store.getApiToken(id))!;
  }
}
