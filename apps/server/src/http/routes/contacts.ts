import { Channel, Contact, ContactCreate, ContactUpdate, ListQuery, listOf } from '@kairos/protocol';
import { z } from 'zod';
import type { AlertService } from '../../alerts/alert-service.js';
import type { ApiContext } from '../context.js';
import { presentContact } from '../present-alerts.js';
import type { RouteTable } from '../route-table.js';
import { parseId } from '../validation.js';

const ContactTest = z.strictObject({ channels: z.array(Channel).min(1).max(4).optional() });

export function contactRoutes(routes: RouteTable, ctx: ApiContext, alerts: AlertService): void {
  const show = async (contact: Parameters<typeof presentContact>[0]) =>
    presentContact(contact, await ctx.namespaces.nameOf(contact.namespaceId));

  routes.add(
    {
      method: 'GET',
      url: '/api/v1/contacts',
      summary: 'List contacts',
      tag: 'alerts',
      access: { role: 'viewer', namespace: 'query' },
      query: ListQuery,
      response: listOf(Contact),
    },
    async ({ query, request }) => {
      const namespaceId = await ctx.access.listScope(request, query.namespace);
      const page = await ctx.store.listContacts(
        { namespaceId },
        { cursor: query.cursor, limit: query.limit },
      );
      return { items: await Promise.all(page.items.map(show)), nextCursor: page.nextCursor };
    },
  );
  routes.add(
    {
      method: 'POST',
      url: '/api/v1/contacts',
      summary: 'Create a contact',
      tag: 'alerts',
      access: { role: 'editor', namespace: 'body' },
      body: ContactCreate,
      response: Contact,
      status: 201,
    },
    async ({ body }) => show(await alerts.createContact(body)),
  );
  routes.add(
    {
      method: 'GET',
      url: '/api/v1/contacts/:id',
      summary: 'Get a contact',
      tag: 'alerts',
      access: { role: 'viewer', namespace: { resource: 'contact' } },
      response: Contact,
    },
    async ({ params }) => show(await alerts.contact(parseId(params.id, 'id'))),
  );
  routes.add(
    {
      method: 'PATCH',
      url: '/api/v1/contacts/:id',
      summary: 'Change a contact',
      tag: 'alerts',
      access: { role: 'editor', namespace: { resource: 'contact' } },
      body: ContactUpdate,
      response: Contact,
    },
    async ({ params, body }) => show(await alerts.updateContact(parseId(params.id, 'id'), body)),
  );
  routes.add(
    {
      method: 'DELETE',
      url: '/api/v1/contacts/:id',
      summary: 'Delete a contact (it leaves its groups)',
      tag: 'alerts',
      access: { role: 'editor', namespace: { resource: 'contact' } },
      status: 204,
    },
    async ({ params }) => alerts.deleteContact(parseId(params.id, 'id')),
  );
  routes.add(
    {
      method: 'POST',
      url: '/api/v1/contacts/:id/test',
      summary: 'Send a test alert to a contact; follow it in GET /api/v1/alerts/:alertId',
      tag: 'alerts',
      access: { role: 'editor', namespace: { resource: 'contact' } },
      body: ContactTest,
      response: z.object({ alertId: z.number() }),
      status: 202,
    },
    async ({ params, body }) => ({
      alertId: await alerts.testContact(parseId(params.id, 'id'), body.channels),
    }),
  );
}
