/**
 * Budgets: GET /api/v1/budgets (each budget of a namespace and where it stands) and
 * PUT /api/v1/namespaces/{name}/budget (a task's and an app's budget are fields of the task and
 * the app).
 */
import { BudgetListQuery, BudgetState, NamespaceBudgetPut } from '@kairos/protocol';
import { z } from 'zod';
import type { BudgetService } from '../../budgets/budget-service.js';
import type { RouteTable } from '../route-table.js';

export function budgetRoutes(routes: RouteTable, budgets: BudgetService): void {
  routes.add(
    {
      method: 'GET',
      url: '/api/v1/budgets',
      summary: "A namespace's budgets (its own, its apps', its tasks'): used, left and when each resets",
      access: { role: 'viewer', namespace: 'query-or-default' },
      tag: 'budgets',
      query: BudgetListQuery,
      response: z.object({ items: z.array(BudgetState) }),
    },
    async ({ query }) => ({
      items: await budgets.list(query.namespace, { taskId: query.taskId, appId: query.appId }),
    }),
  );
  routes.add(
    {
      method: 'PUT',
      url: '/api/v1/namespaces/:name/budget',
      summary: "Set (or, with null, remove) a namespace's budget over all its runs",
      access: { role: 'admin', namespace: { param: 'name' } },
      tag: 'budgets',
      body: NamespaceBudgetPut,
      response: z.object({ budget: BudgetState.nullable() }),
    },
    async ({ params, body }) => ({ budget: await budgets.setNamespaceBudget(params.name!, body.budget) }),
  );
}
