/**
 * Schemas of the security resources (issue 16): a namespace's outbound destination rules and
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
