import { ContactGroup, ContactGroupCreate, ContactGroupUpdate, ListQuery, listOf } from '@kairos/protocol';
import type { AlertService } from '../../alerts/alert-service.js';
import type { ApiContext } from '../context.js';
import { presentContactGroup } from '../present-alerts.js';
import type { RouteTable } from '../route-table.js';
import { parseId } from '../validation.js';

export function contactGroupRoutes(routes: RouteTable, ctx: ApiContext, alerts: AlertService): void {
  const show = async (group: Parameters<typeof presentContactGroup>[0]) =>
    presentContactGroup(group, await ctx.namespaces.nameOf(group.namespaceId));

  routes.add(
    {
      method: 'GET',
      url: '/api/v1/contact-groups',
      summary: 'List contact groups',
      tag: 'alerts',
      access: { role: 'viewer', namespace: 'query' },
      query: ListQuery,
      response: listOf(ContactGroup),
    },
    async ({ query, request }) => {
      const namespaceId = await ctx.access.listScope(request, query.namespace);
      const page = await ctx.store.listContactGroups(
        { namespaceId },
        { cursor: query.cursor, limit: query.limit },
      );
      return { items: await Promise.all(page.items.map(show)), nextCursor: page.nextCursor };
    },
  );
  routes.add(
    {
      method: 'POST',
      url: '/api/v1/contact-groups',
      summary: 'Create a contact group',
      tag: 'alerts',
      access: { role: 'editor', namespace: 'body' },
      body: ContactGroupCreate,
      response: ContactGroup,
      status: 201,
    },
    async ({ body }) => show(await alerts.createGroup(body)),
  );
  routes.add(
    {
      method: 'GET',
      url: '/api/v1/contact-groups/:id',
      summary: 'Get a contact group',
      tag: 'alerts',
      access: { role: 'viewer', namespace: { resource: 'contactGroup' } },
      response: ContactGroup,
    },
    async ({ params }) => show(await alerts.group(parseId(params.id, 'id'))),
  );
  routes.add(
    {
      method: 'PATCH',
      url: '/api/v1/contact-groups/:id',
      summary: 'Change a contact group (contacts: the whole new list)',
      tag: 'alerts',
      access: { role: 'editor', namespace: { resource: 'contactGroup' } },
      body: ContactGroupUpdate,
      response: ContactGroup,
    },
    async ({ params, body }) => show(await alerts.updateGroup(parseId(params.id, 'id'), body)),
  );
  routes.add(
    {
      method: 'DELETE',
      url: '/api/v1/contact-groups/:id',
      summary: 'Delete a contact group',
      tag: 'alerts',
      access: { role: 'editor', namespace: { resource: 'contactGroup' } },
      status: 204,
    },
    async ({ params }) => alerts.deleteGroup(parseId(params.id, 'id')),
  );
}
