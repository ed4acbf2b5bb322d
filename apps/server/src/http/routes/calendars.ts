import { Calendar, CalendarCreate, CalendarUpdate, ListQuery, listOf } from '@kairos/protocol';
import type { ApiContext } from '../context.js';
import { presentCalendar } from '../present.js';
import type { RouteTable } from '../route-table.js';
import { parseId } from '../validation.js';

export function calendarRoutes(routes: RouteTable, ctx: ApiContext): void {
  const show = async (c: Parameters<typeof presentCalendar>[0]) =>
    presentCalendar(c, await ctx.namespaces.nameOf(c.namespaceId));

  routes.add(
    {
      method: 'GET',
      url: '/api/v1/calendars',
      summary: 'List calendars',
      tag: 'calendars',
      access: { role: 'viewer', namespace: 'query' },
      query: ListQuery,
      response: listOf(Calendar),
    },
    async ({ query, request }) => {
      const namespaceId = await ctx.access.listScope(request, query.namespace);
      const page = await ctx.store.listCalendars(
        { namespaceId },
        { cursor: query.cursor, limit: query.limit },
      );
      return { items: await Promise.all(page.items.map(show)), nextCursor: page.nextCursor };
    },
  );
  routes.add(
    {
      method: 'POST',
      url: '/api/v1/calendars',
      summary: 'Create a calendar',
      tag: 'calendars',
      access: { role: 'editor', namespace: 'body' },
      body: CalendarCreate,
      response: Calendar,
      status: 201,
    },
    async ({ body }) => show(await ctx.calendars.create(body)),
  );
  routes.add(
    {
      method: 'GET',
      url: '/api/v1/calendars/:id',
      summary: 'Get a calendar',
      tag: 'calendars',
      access: { role: 'viewer', namespace: { resource: 'calendar' } },
      response: Calendar,
    },
    async ({ params }) => show(await ctx.calendars.get(parseId(params.id, 'id'))),
  );
  routes.add(
    {
      method: 'PATCH',
      url: '/api/v1/calendars/:id',
      summary: 'Change a calendar',
      tag: 'calendars',
      access: { role: 'editor', namespace: { resource: 'calendar' } },
      body: CalendarUpdate,
      response: Calendar,
    },
    async ({ params, body }) => show(await ctx.calendars.update(parseId(params.id, 'id'), body)),
  );
  routes.add(
    {
      method: 'DELETE',
      url: '/api/v1/calendars/:id',
      summary: 'Delete a calendar no task uses',
      tag: 'calendars',
      access: { role: 'editor', namespace: { resource: 'calendar' } },
      status: 204,
    },
    async ({ params }) => ctx.calendars.delete(parseId(params.id, 'id')),
  );
}
