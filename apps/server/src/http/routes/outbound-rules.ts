/**
 * A namespace's outbound destination rules: GET and PUT /api/v1/namespaces/{name}/outbound
 * (outbound/namespace-guards.ts applies them; docs/security.md explains them).
 */
import { OutboundRules } from '@kairos/protocol';
import type { NamespaceGuards } from '../../outbound/namespace-guards.js';
import type { ApiContext } from '../context.js';
import type { RouteTable } from '../route-table.js';

export function outboundRuleRoutes(routes: RouteTable, ctx: ApiContext, guards: NamespaceGuards): void {
  routes.add(
    {
      method: 'GET',
      url: '/api/v1/namespaces/:name/outbound',
      summary: "Get a namespace's outbound destination rules",
      access: { role: 'viewer', namespace: { param: 'name' } },
      tag: 'namespaces',
      response: OutboundRules,
    },
    async ({ params }) => {
      const ns = await ctx.namespaces.resolve(params.name, 'name');
      await guards.load();
      return guards.rulesOf(ns.id);
    },
  );
  routes.add(
    {
      method: 'PUT',
      url: '/api/v1/namespaces/:name/outbound',
      summary: "Set a namespace's outbound destination rules (CIDR lists; they narrow the server's)",
      access: { role: 'admin', namespace: { param: 'name' } },
      tag: 'namespaces',
      body: OutboundRules,
      response: OutboundRules,
    },
    async ({ params, body }) => {
      const ns = await ctx.namespaces.resolve(params.name, 'name');
      await guards.setRules(ns.id, body);
      return guards.rulesOf(ns.id);
    },
  );
}
