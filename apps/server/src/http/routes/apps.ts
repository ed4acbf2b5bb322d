import { App, AppCreate, AppUpdate, ListQuery, listOf } from '@kairos/protocol';
import type { ApiContext } from '../context.js';
import { presentApp } from '../present.js';
import type { RouteTable } from '../route-table.js';

export function appRoutes(routes: RouteTable, ctx: ApiContext): void {
  const show = async (app: Parameters<typeof presentApp>[0], token?: string) =>
    presentApp(app, await ctx.namespaces.nameOf(app.namespaceId), token);

  routes.add(
    {
      method: 'GET',
      url: '/api/v1/apps',
      summary: 'List apps',
      tag: 'apps',
      access: { role: 'viewer', namespace: 'query' },
      query: ListQuery,
      response: listOf(App),
    },
    async ({ query, request }) => {
      const namespaceId = await ctx.access.listScope(request, query.namespace);
      const page = await ctx.store.listApps({ namespaceId }, { cursor: query.cursor, limit: query.limit });
      return { items: await Promise.all(page.items.map((a) => show(a))), nextCursor: page.nextCursor };
    },
  );
  routes.add(
    {
      method: 'POST',
      url: '/api/v1/apps',
      summary: 'Create an app; the answer holds its access token in full, the only time it is shown',
      tag: 'apps',
      access: { role: 'admin', namespace: 'body' },
      body: AppCreate,
      response: App,
      status: 201,
    },
    async ({ body }) => {
      const { app, accessToken } = await ctx.apps.create(body);
      return show(app, accessToken);
    },
  );
  routes.add(
    {
      method: 'GET',
      url: '/api/v1/apps/:app',
      summary: 'Get an app by id or appName',
      tag: 'apps',
      access: { role: 'viewer', namespace: { resource: 'app' } },
      response: App,
    },
    async ({ params }) => show(await ctx.apps.find(params.app!)),
  );
  routes.add(
    {
      method: 'PATCH',
      url: '/api/v1/apps/:app',
      summary: 'Change an app',
      tag: 'apps',
      access: { role: 'admin', namespace: { resource: 'app' } },
      body: AppUpdate,
      response: App,
    },
    async ({ params, body }) => show(await ctx.apps.update(params.app!, body)),
  );
  routes.add(
    {
      method: 'DELETE',
      url: '/api/v1/apps/:app',
      summary: 'Delete an app without tasks',
      tag: 'apps',
      access: { role: 'admin', namespace: { resource: 'app' } },
      status: 204,
    },
    async ({ params }) => ctx.apps.delete(params.app!),
  );
  routes.add(
    {
      method: 'POST',
      url: '/api/v1/apps/:app/rotate-token',
      summary: "Replace an app's access token; the answer holds the new one in full",
      tag: 'apps',
      access: { role: 'admin', namespace: { resource: 'app' } },
      response: App,
    },
    async ({ params }) => {
      const { app, accessToken } = await ctx.apps.rotateToken(params.app!);
      return show(app, accessToken);
    },
  );
}
