/**
 * Token and cost budgets (on a task, an app or a namespace) and provider pacing pools: the
 * request and answer shapes of /api/v1/budgets and /api/v1/pools, and the `budget` field that
 * tasks, apps and namespaces carry.
 */
import { z } from 'zod';

/** ISO 4217 codes the runtime knows (Node 20 and current browsers list about 160). */
const CURRENCIES: ReadonlySet<string> = new Set(Intl.supportedValuesOf('currency'));

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export const BudgetPeriod = z.enum(['hour', 'day', 'month']);
export type BudgetPeriod = z.infer<typeof BudgetPeriod>;

export const Budget = z
  .strictObject({
    /** Most tokens (prompt and completion together) per period. */
    tokens: z.number().int('must be a whole number of tokens').positive('must be above zero').optional(),
    /** Most cost per period, in `currency` (as the provider reports it; no conversion). */
    cost: z.number().positive('must be above zero').optional(),
    currency: z
      .string()
      .refine((c) => CURRENCIES.has(c), 'must be an ISO 4217 currency code, e.g. USD')
      .optional(),
    period: BudgetPeriod,
    /** The zone whose midnight (or first of the month) starts a period; default UTC. */
    timezone: z.string().refine(isTimeZone, 'must be an IANA time zone, e.g. Europe/Paris').default('UTC'),
    /** `skip`: a run due while the budget is used up ends `skipped`; `hold`: it waits for the next period. */
    onExceeded: z.enum(['skip', 'hold']).default('skip'),
    /** Stop a running Dify run once the budget is used up (default false: it finishes). */
    stopWhenExceeded: z.boolean().default(false),
  })
  .refine((b) => b.tokens !== undefined || b.cost !== undefined, {
    message: 'must set tokens, cost or both',
    path: ['tokens'],
  })
  .refine((b) => b.cost === undefined || b.currency !== undefined, {
    message: 'is required with cost (an ISO 4217 code, e.g. USD)',
    path: ['currency'],
  });
export type BudgetInput = z.input<typeof Budget>;
export type Budget = z.output<typeof Budget>;

export const BudgetScopeKind = z.enum(['task', 'app', 'namespace']);
export type BudgetScopeKind = z.infer<typeof BudgetScopeKind>;

/** A budget and where it stands in its current period. */
export const BudgetState = z.object({
  scope: z.object({
    kind: BudgetScopeKind,
    /** The task's, app's or namespace's id. */
    id: z.number().int().positive(),
    name: z.string(),
  }),
  namespace: z.string(),
  budget: Budget,
  periodStart: z.string(),
  resetsAt: z.string(),
  /** Settled runs of the period, plus the tokens that running runs reported so far. */
  used: z.object({ tokens: z.number(), cost: z.number() }),
  /** null: the budget sets no such limit. */
  left: z.object({ tokens: z.number().nullable(), cost: z.number().nullable() }),
  /** The larger share of a limit used, 0..1 or more. */
  fraction: z.number(),
  exceeded: z.boolean(),
});
export type BudgetState = z.infer<typeof BudgetState>;

export const BudgetListQuery = z.strictObject({
  namespace: z.string().optional(),
  taskId: z.coerce.number().int().positive().optional(),
  appId: z.coerce.number().int().positive().optional(),
});

/** PUT /api/v1/namespaces/{name}/budget (null removes it). */
export const NamespaceBudgetPut = z.strictObject({ budget: Budget.nullable() });

// ---------------------------------------------------------------- pools

export const PoolName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'must be 1-64 letters, digits, "_", "." or "-"');

const perMinute = z.number().int('must be a whole number').positive('must be above zero').max(10_000_000);

export const PoolCreate = z.strictObject({
  namespace: z.string().optional(),
  name: PoolName,
  description: z.string().max(2000).optional(),
  /** Runs started per minute, at most (the provider's RPM). */
  requestsPerMinute: perMinute.nullable().optional(),
  /** Tokens used per minute, at most (the provider's TPM), counted from the runs' usage. */
  tokensPerMinute: perMinute.nullable().optional(),
  /** Runs of the pool running at once, at most. */
  concurrency: z.number().int().positive('must be above zero').max(100_000).nullable().optional(),
});
export type PoolCreateInput = z.input<typeof PoolCreate>;

export const PoolUpdate = z.strictObject({
  description: z.string().max(2000).nullable().optional(),
  requestsPerMinute: perMinute.nullable().optional(),
  tokensPerMinute: perMinute.nullable().optional(),
  concurrency: z.number().int().positive('must be above zero').max(100_000).nullable().optional(),
});
export type PoolUpdateInput = z.input<typeof PoolUpdate>;

export const Pool = z.object({
  id: z.number().int().positive(),
  namespace: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  requestsPerMinute: z.number().nullable(),
  tokensPerMinute: z.number().nullable(),
  concurrency: z.number().nullable(),
  /** On the node that answered (pacing is per node, see docs/llm-pacing.md). */
  live: z.object({
    /** Runs waiting for the pool (status `scheduled`, shown as queued). */
    queued: z.number(),
    running: z.number(),
    /** Set while the pool backs off after a 429 or quota answer. */
    backoffUntil: z.string().nullable(),
  }),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Pool = z.infer<typeof Pool>;
