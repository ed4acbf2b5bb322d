/**
 * Schemas of the security resources: a namespace's outbound destination rules and
 * named secrets.
 */
import { z } from 'zod';

const cidrs = z
  .array(z.string().min(1).max(64), 'must be a list of CIDRs such as ["10.0.0.0/8"]')
  .max(100, 'at most 100 ranges')
  .default([]);

/**
 * A namespace's outbound rules, narrowing the server's: `deny` refuses ranges to the namespace's
 * http tasks, Dify endpoints, webhooks and executor addresses; `allow` makes exceptions to `deny`.
 */
export const OutboundRules = z.strictObject({ allow: cidrs, deny: cidrs });
export type OutboundRules = z.output<typeof OutboundRules>;

/** A secret's name: what configs refer to (`{"$secret": "reports-token"}`). */
export const SecretName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'must be 1-100 letters, digits, ".", "_" or "-"');

/** A reference to a named secret in a task config, resolved when the run starts. */
export const SecretRef = z.strictObject({ $secret: SecretName });
export type SecretRef = z.output<typeof SecretRef>;

export const SecretCreate = z.strictObject({
  namespace: z.string().min(1).optional(),
  name: SecretName,
  /** Stored encrypted; never returned. */
  value: z.string().min(1, 'is required').max(16_384, 'must be at most 16384 characters'),
  description: z.string().max(1000).nullable().optional(),
});
export type SecretCreate = z.output<typeof SecretCreate>;

/** Rotation: a new value (and optionally a new description). */
export const SecretUpdate = z.strictObject({
  value: z.string().min(1, 'is required').max(16_384, 'must be at most 16384 characters'),
  description: z.string().max(1000).nullable().optional(),
});
export type SecretUpdate = z.output<typeof SecretUpdate>;

export const SecretQuery = z.strictObject({ namespace: z.string().min(1).optional() });

/** A secret as the API shows it: never its value. */
export const Secret = z.object({
  name: z.string(),
  namespace: z.string(),
  description: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Secret = z.output<typeof Secret>;
