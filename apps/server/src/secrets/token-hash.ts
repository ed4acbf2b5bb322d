/**
 * Tokens: generated with a crypto RNG, stored only as a SHA-256 hash, shown masked.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const generateToken = (prefix: string): string => `${prefix}_${randomBytes(24).toString('base64url')}`;

export const hashToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

export const tokenHint = (token: string): string => token.slice(-4);

export const maskToken = (prefix: string, hint: string): string => `${prefix}_****${hint}`;

/** Constant-time comparison of two hex hashes. */
export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}
