import { Namespace, NamespaceCreate, listOf } from '@kairos/protocol';
import { roleIn } from '../../access/principal.js';
import type { NamespaceRecord } from '../../store/records.js';
import type { ApiContext } from '../context.js';
import { iso } from '../present.js';
import type { RouteTable } from '../route-table.js';
import { namespaceRetentionRoutes } from './namespace-retention.js';

const present = (ns: NamespaceRecord) => ({
  id: ns.id,
  name: ns.name,
  description: ns.description,
  budget: ns.budget ?? null,
  createdAt: iso(ns.createdAt),
});

export function namespaceRoutes(routes: RouteTable, ctx: ApiContext): void {
  routes.add(
    {
      method: 'GET',
      url: '/api/v1/namespaces',
      summary: 'List namespaces',
      tag: 'namespaces',
      access: { role: 'viewer', namespace: 'any' },
      response: listOf(Namespace),
    },
    async ({ request }) => {
      const principal = ctx.access.principal(request);
      const visible = (await ctx.store.listNamespaces()).filter(
        (ns) => roleIn(principal, ns.name) !== undefined,
      );
      return { items: visible.map(present), nextCursor: null };
    },
  );
  routes.add(
    {
      method: 'POST',
      url: '/api/v1/namespaces',
      summary: 'Create a namespace',
      tag: 'namespaces',
      access: { role: 'admin', namespace: 'server' },
      body: NamespaceCreate,
      response: Namespace,
      status: 201,
    },
    async ({ body }) => present(await ctx.namespaces.create(body.name, body.description ?? null)),
  );
  routes.add(
    {
      method: 'GET',
      url: '/api/v1/namespaces/:name',
      summary: 'Get a namespace',
      tag: 'namespaces',
      access: { role: 'viewer', namespace: { param: 'name' } },
      response: Namespace,
    },
    async ({ params }) => present(await ctx.namespaces.resolve(params.name, 'name')),
  );
  namespaceRetentionRoutes(routes, ctx);
}
