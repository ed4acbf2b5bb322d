/**
 * Console users: a username and a scrypt-hashed password, with a role in some
 * namespaces or in every one, and their sign-in sessions. A session is a random secret in an
 * HttpOnly cookie (only its hash is stored) with a CSRF token the console sends back in a
 * header on every change.
 */
import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import type { UserCreate } from '@kairos/protocol';
import type { Clock } from '../clock.js';
import { KairosError } from '../errors.js';
import type { EventBus } from '../events.js';
import type { Namespaces } from './namespaces.js';
import type { SessionRecord, UserRecord } from '../store/access-records.js';
import { StoreConflictError, type Store } from '../store/store.js';
import { DECOY_HASH, hashPassword, verifyPassword } from './password-hash.js';
import { generateToken, hashToken } from '../secrets/token-hash.js';

/** A session lasts this long from sign-in. */
export const SESSION_MS = 12 * 3_600_000;

export class UserService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly events: EventBus,
    private readonly namespaces: Namespaces,
  ) {}

  async create(input: z.output<typeof UserCreate>): Promise<UserRecord> {
    await this.namespaces.requireExisting(input.namespaces);
    try {
      return await this.store.createUser({
        username: input.username,
        passwordHash: input.password === undefined ? null : await hashPassword(input.password),
        role: input.role,
        namespaces: input.namespaces === '*' ? '*' : [...new Set(input.namespaces)],
      });
    } catch (error) {
      if (error instanceof StoreConflictError) {
        throw new KairosError('NAME_TAKEN', `username "${input.username}" is taken`, { field: 'username' });
      }
      throw error;
    }
  }

  /** Deletes the user and ends its sessions on every node. */
  async delete(id: number): Promise<void> {
    const result = await this.store.deleteUser(id, this.clock.now());
    if (result === 'not_found' || result === 'already_revoked') {
      throw new KairosError('NOT_FOUND', `user ${id} does not exist`);
    }
    if (result === 'last_admin') {
      throw new KairosError(
        'LAST_ADMIN',
        `user ${id} is the last admin for every namespace: make another first`,
      );
    }
    this.events.emit('credentials:revoked', {});
  }

  /**
   * Checks a password; on success opens a session. An unknown username costs the same time as
   * a wrong password, so the answer's timing does not tell which names exist.
   */
  async signIn(
    username: string,
    password: string,
  ): Promise<{ user: UserRecord; session: SessionRecord; secret: string } | undefined> {
    const user = await this.store.getUserByUsername(username);
    const usable = user !== undefined && user.deletedAt === null && user.passwordHash !== null;
    const ok = await verifyPassword(password, usable ? user.passwordHash! : DECOY_HASH);
    if (!usable || !ok) return undefined;
    return { user, ...(await this.openSession(user)) };
  }

  /** A new session for a user who proved who they are (a password, an OpenID Connect sign-in). */
  async openSession(user: UserRecord): Promise<{ session: SessionRecord; secret: string }> {
    const secret = generateToken('kss');
    const now = this.clock.now();
    const session = await this.store.createSession({
      tokenHash: hashToken(secret),
      csrfToken: randomBytes(24).toString('base64url'),
      userId: user.id,
      createdAt: now,
      expiresAt: now + SESSION_MS,
    });
    return { session, secret };
  }

  async signOut(sessionId: number): Promise<void> {
    await this.store.revokeSession(sessionId, this.clock.now());
    this.events.emit('credentials:revoked', {});
  }
}
