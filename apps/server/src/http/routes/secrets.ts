/**
 * Named secrets: POST/GET/PUT/DELETE /api/v1/secrets (secrets/named-secrets.ts). A value goes in
 * and never comes out: reads show the name, namespace, description and dates.
 */
import { Secret, SecretCreate, SecretQuery, SecretUpdate, listOf } from '@kairos/protocol';
import type { NamedSecrets } from '../../secrets/named-secrets.js';
import type { RouteTable } from '../route-table.js';

export function secretRoutes(routes: RouteTable, secrets: NamedSecrets): void {
  routes.add(
    {
      method: 'POST',
      url: '/api/v1/secrets',
      summary: 'Create a named secret (the value is stored encrypted and never returned)',
      access: { role: 'admin', namespace: 'body' },
      tag: 'secrets',
      body: SecretCreate,
      response: Secret,
      status: 201,
    },
    async ({ body }) => secrets.create(body),
  );
  routes.add(
    {
      method: 'GET',
      url: '/api/v1/secrets',
      summary: "List a namespace's named secrets (without values)",
      access: { role: 'viewer', namespace: 'query-or-default' },
      tag: 'secrets',
      query: SecretQuery,
      response: listOf(Secret),
    },
    async ({ query }) => ({ items: await secrets.list(query.namespace), nextCursor: null }),
  );
  routes.add(
    {
      method: 'GET',
      url: '/api/v1/secrets/:name',
      summary: 'Get a named secret (without its value)',
      access: { role: 'viewer', namespace: 'query-or-default' },
      tag: 'secrets',
      query: SecretQuery,
      response: Secret,
    },
    async ({ params, query }) => secrets.get(query.namespace, params.name!),
  );
  routes.add(
    {
      method: 'PUT',
      url: '/api/v1/secrets/:name',
      summary: 'Rotate a named secret: runs that start from now on use the new value',
      access: { role: 'admin', namespace: 'query-or-default' },
      tag: 'secrets',
      query: SecretQuery,
      body: SecretUpdate,
      response: Secret,
    },
    async ({ params, query, body }) => secrets.update(query.namespace, params.name!, body),
  );
  routes.add(
    {
      method: 'DELETE',
      url: '/api/v1/secrets/:name',
      summary: 'Delete a named secret (runs of tasks that refer to it then fail)',
      access: { role: 'admin', namespace: 'query-or-default' },
      tag: 'secrets',
      query: SecretQuery,
      status: 204,
    },
    async ({ params, query }) => {
      await secrets.delete(query.namespace, params.name!);
    },
  );
}
