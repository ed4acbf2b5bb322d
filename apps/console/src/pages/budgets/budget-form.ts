/**
 * The budget form's values, checked in the browser before they are sent (the server checks them
 * again and its refusals land on the same fields), and how a budget is saved on its scope: a
 * task's and an app's are fields of them, a namespace's has its own call.
 */
import type { BudgetInput, BudgetState, KairosClient } from '@kairos/protocol';

export type ScopeKind = 'task' | 'app' | 'namespace';
export interface BudgetTarget {
  kind: ScopeKind;
  /** Task or app id; the namespace's name. */
  ref: number | string;
}

export interface BudgetValues {
  tokens: number | string;
  cost: number | string;
  currency: string;
  period: 'hour' | 'day' | 'month';
  timezone: string;
  onExceeded: 'skip' | 'hold';
  stopWhenExceeded: boolean;
}

export const EMPTY_BUDGET: BudgetValues = {
  tokens: '',
  cost: '',
  currency: '',
  period: 'day',
  timezone: 'UTC',
  onExceeded: 'skip',
  stopWhenExceeded: false,
};

export function valuesOf(state: BudgetState): BudgetValues {
  const b = state.budget;
  return {
    tokens: b.tokens ?? '',
    cost: b.cost ?? '',
    currency: b.currency ?? '',
    period: b.period,
    timezone: b.timezone,
    onExceeded: b.onExceeded,
    stopWhenExceeded: b.stopWhenExceeded,
  };
}

/** The budget to send, or the fields that are wrong (keyed as the form's fields). */
export function budgetOf(
  v: BudgetValues,
): { budget: BudgetInput; errors?: undefined } | { errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const tokens = v.tokens === '' ? undefined : Number(v.tokens);
  const cost = v.cost === '' ? undefined : Number(v.cost);
  const currency = v.currency.trim().toUpperCase();
  if (tokens !== undefined && (!Number.isInteger(tokens) || tokens <= 0))
    errors.tokens = 'must be a whole number of tokens above zero';
  if (cost !== undefined && !(cost > 0)) errors.cost = 'must be above zero';
  if (tokens === undefined && cost === undefined) errors.tokens = 'set tokens, cost or both';
  if (cost !== undefined && currency === '') errors.currency = 'is required with a cost (e.g. USD)';
  if (currency !== '' && !/^[A-Z]{3}$/.test(currency))
    errors.currency = 'must be a three-letter ISO 4217 code';
  if (Object.keys(errors).length > 0) return { errors };
  return {
    budget: {
      ...(tokens !== undefined ? { tokens } : {}),
      ...(cost !== undefined ? { cost } : {}),
      ...(currency !== '' ? { currency } : {}),
      period: v.period,
      timezone: v.timezone.trim() === '' ? 'UTC' : v.timezone.trim(),
      onExceeded: v.onExceeded,
      stopWhenExceeded: v.stopWhenExceeded,
    },
  };
}

/** Sets (or, with null, removes) the budget of a task, an app or a namespace. */
export async function saveBudget(
  client: KairosClient,
  target: BudgetTarget,
  budget: BudgetInput | null,
): Promise<void> {
  if (target.kind === 'task') await client.tasks.update(target.ref, { budget });
  else if (target.kind === 'app') await client.apps.update(target.ref, { budget });
  else await client.budgets.setNamespace(String(target.ref), budget);
}
