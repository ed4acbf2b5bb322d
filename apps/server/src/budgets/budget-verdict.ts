/**
 * Where a budget stands, from what it used: pure, shared by admission, the API and the alerts.
 */
import type { Budget } from '@kairos/protocol';
import type { Used } from './budget-usage.js';

export interface Verdict {
  left: { tokens: number | null; cost: number | null };
  /** The larger share of a limit used (0..1, above 1 when overrun). */
  fraction: number;
  exceeded: boolean;
}

export function verdictOf(budget: Budget, used: Used): Verdict {
  const shares: number[] = [];
  if (budget.tokens !== undefined) shares.push(used.tokens / budget.tokens);
  if (budget.cost !== undefined) shares.push(used.cost / budget.cost);
  const fraction = Math.max(0, ...shares);
  return {
    left: {
      tokens: budget.tokens === undefined ? null : Math.max(0, budget.tokens - used.tokens),
      cost: budget.cost === undefined ? null : Math.max(0, round(budget.cost - used.cost)),
    },
    fraction,
    exceeded: fraction >= 1,
  };
}

/** One line for a run's error or log: which budget, what it used, when it resets. */
export function exceededMessage(what: string, budget: Budget, used: Used, resetsAt: number): string {
  const parts: string[] = [];
  if (budget.tokens !== undefined) parts.push(`${used.tokens} of ${budget.tokens} tokens`);
  if (budget.cost !== undefined)
    parts.push(`${round(used.cost)} of ${budget.cost} ${budget.currency ?? ''}`.trim());
  return `the ${ADJECTIVE[budget.period]} budget of ${what} is used up (${parts.join(', ')}); it resets at ${new Date(resetsAt).toISOString()}`;
}

export const ADJECTIVE = { hour: 'hourly', day: 'daily', month: 'monthly' } as const;

const round = (n: number): number => Math.round(n * 1e7) / 1e7;
