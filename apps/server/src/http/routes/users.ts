/**
 * Console users: create, list, delete. An admin manages the users of the namespaces
 * it administers, and gives none more than it holds.
 */
import { ListQuery, User, UserCreate, listOf } from '@kairos/protocol';
import { coversGrant } from '../../access/principal.js';
import type { UserRecord } from '../../store/access-records.js';
import type { ApiContext } from '../context.js';
import { iso } from '../present.js';
import type { RouteTable } from '../route-table.js';
import { parseId } from '../validation.js';

export const presentUser = (user: UserRecord): User => ({
  id: user.id,
  username: user.username,
  role: user.role,
  namespaces: user.namespaces,
  signIn: user.passwordHash === null ? 'oidc' : 'password',
  createdAt: iso(user.createdAt),
});

export function userRoutes(routes: RouteTable, ctx: ApiContext): void {
  routes.add(
    {
      method: 'GET',
      url: '/api/v1/users',
      summary: 'List console users (of the namespaces you administer), newest first',
      tag: 'access',
      access: { role: 'admin', namespace: 'any' },
      query: ListQuery.omit({ namespace: true }),
      response: listOf(User),
    },
    async ({ query, request }) => {
      const principal = ctx.access.principal(request);
      const page = await ctx.store.listUsers({ cursor: query.cursor, limit: query.limit });
      return {
        items: page.items.filter((u) => coversGrant(principal, 'admin', u.namespaces)).map(presentUser),
        nextCursor: page.nextCursor,
      };
    },
  );
  routes.add(
    {
      method: 'POST',
      url: '/api/v1/users',
      summary: 'Create a console user with a password (hashed with scrypt)',
      tag: 'access',
      access: { role: 'admin', namespace: 'any' },
      body: UserCreate,
      response: User,
      status: 201,
    },
    async ({ body, request }) => {
      ctx.access.requireCovers(request, 'admin', body.namespaces);
      return presentUser(await ctx.users.create(body));
    },
  );
  routes.add(
    {
      method: 'DELETE',
      url: '/api/v1/users/:id',
      summary: 'Delete a user and end its sessions on every node (not the last admin for every namespace)',
      tag: 'access',
      access: { role: 'admin', namespace: { resource: 'user' } },
      status: 204,
    },
    async ({ params }) => ctx.users.delete(parseId(params.id, 'id')),
  );
}
