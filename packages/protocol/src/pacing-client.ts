/**
 * The pacing sub-clients of the API client (client.ts): provider pools and budgets.
 */
import type { BudgetInput, BudgetState, Pool, PoolCreateInput, PoolUpdateInput } from './pacing.js';
import type { List } from './schemas.js';
import { segment, type createTransport } from './client-http.js';

type NamespaceOption = { namespace?: string | undefined };

export interface PoolsClient {
  /** @example `const { items } = await client.pools.list({ namespace: 'default' });` */
  list(options?: NamespaceOption): Promise<List<Pool>>;
  /** @example `await client.pools.create({ name: 'openai', requestsPerMinute: 600, concurrency: 8 });` */
  create(input: PoolCreateInput): Promise<Pool>;
  /** @example `const pool = await client.pools.get('openai'); pool.live.queued` */
  get(name: string, options?: NamespaceOption): Promise<Pool>;
  /** @example `await client.pools.update('openai', { tokensPerMinute: 90_000 });` */
  update(name: string, patch: PoolUpdateInput, options?: NamespaceOption): Promise<Pool>;
  /** @example `await client.pools.delete('openai');` (refused while tasks name it) */
  delete(name: string, options?: NamespaceOption): Promise<void>;
}

export interface BudgetsClient {
  /** @example `const { items } = await client.budgets.list({ namespace: 'default' });` */
  list(
    options?: NamespaceOption & { taskId?: number | undefined; appId?: number | undefined },
  ): Promise<{ items: BudgetState[] }>;
  /**
   * Sets (or, with null, removes) a namespace's budget; a task's and an app's are fields of them.
   * @example `await client.budgets.setNamespace('default', { cost: 50, currency: 'USD', period: 'month' });`
   */
  setNamespace(namespace: string, budget: BudgetInput | null): Promise<{ budget: BudgetState | null }>;
}

export function pacingClients(
  http: ReturnType<typeof createTransport>,
  v1: string,
): { pools: PoolsClient; budgets: BudgetsClient } {
  return {
    pools: {
      list: (o = {}) => http.request('GET', `${v1}/pools`, { query: { ...o } }),
      create: (input) => http.request('POST', `${v1}/pools`, { body: input }),
      get: (name, o = {}) => http.request('GET', `${v1}/pools/${segment(name)}`, { query: { ...o } }),
      update: (name, patch, o = {}) =>
        http.request('PATCH', `${v1}/pools/${segment(name)}`, { body: patch, query: { ...o } }),
      delete: (name, o = {}) => http.request('DELETE', `${v1}/pools/${segment(name)}`, { query: { ...o } }),
    },
    budgets: {
      list: (o = {}) => http.request('GET', `${v1}/budgets`, { query: { ...o } }),
      setNamespace: (namespace, budget) =>
        http.request('PUT', `${v1}/namespaces/${segment(namespace)}/budget`, { body: { budget } }),
    },
  };
}
