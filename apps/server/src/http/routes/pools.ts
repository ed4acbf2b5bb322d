/**
 * Provider pacing pools: POST/GET/PATCH/DELETE /api/v1/pools (pools/pool-service.ts).
 */
import { Pool, PoolCreate, PoolUpdate, listOf } from '@kairos/protocol';
import { z } from 'zod';
import type { PoolService } from '../../pools/pool-service.js';
import type { RouteTable } from '../route-table.js';

const PoolQuery = z.strictObject({ namespace: z.string().min(1).optional() });

export function poolRoutes(routes: RouteTable, pools: PoolService): void {
  routes.add(
    {
      method: 'POST',
      url: '/api/v1/pools',
      summary: 'Create a provider pacing pool (requests and tokens per minute, concurrency)',
      access: { role: 'editor', namespace: 'body' },
      tag: 'pools',
      body: PoolCreate,
      response: Pool,
      status: 201,
    },
    async ({ body }) => pools.create(body),
  );
  routes.add(
    {
      method: 'GET',
      url: '/api/v1/pools',
      summary: "List a namespace's pools, with their live state on the answering node",
      access: { role: 'viewer', namespace: 'query-or-default' },
      tag: 'pools',
      query: PoolQuery,
      response: listOf(Pool),
    },
    async ({ query }) => ({ items: await pools.list(query.namespace), nextCursor: null }),
  );
  routes.add(
    {
      method: 'GET',
      url: '/api/v1/pools/:name',
      summary: 'Get a pool and its live state on the answering node',
      access: { role: 'viewer', namespace: 'query-or-default' },
      tag: 'pools',
      query: PoolQuery,
      response: Pool,
    },
    async ({ params, query }) => pools.get(query.namespace, params.name!),
  );
  routes.add(
    {
      method: 'PATCH',
      url: '/api/v1/pools/:name',
      summary: "Change a pool's limits (null removes one)",
      access: { role: 'editor', namespace: 'query-or-default' },
      tag: 'pools',
      query: PoolQuery,
      body: PoolUpdate,
      response: Pool,
    },
    async ({ params, query, body }) => pools.update(query.namespace, params.name!, body),
  );
  routes.add(
    {
      method: 'DELETE',
      url: '/api/v1/pools/:name',
      summary: 'Delete a pool no task names',
      access: { role: 'editor', namespace: 'query-or-default' },
      tag: 'pools',
      query: PoolQuery,
      status: 204,
    },
    async ({ params, query }) => {
      await pools.delete(query.namespace, params.name!);
    },
  );
}
