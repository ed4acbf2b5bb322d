/**
 * The audit log: changes, sign-ins and failed sign-ins, newest first, filtered. An
 * admin reads the entries of the namespaces it administers; server-wide entries (tokens for
 * every namespace, failed sign-ins, new namespaces) need the admin role for every namespace.
 */
import { AuditEntry, AuditQuery, listOf } from '@kairos/protocol';
import { holdsEverywhere } from '../../access/principal.js';
import type { AuditRecord } from '../../store/access-records.js';
import type { ApiContext } from '../context.js';
import { iso } from '../present.js';
import type { RouteTable } from '../route-table.js';
import { instant } from '../validation.js';

export function auditRoutes(routes: RouteTable, ctx: ApiContext): void {
  const present = async (entry: AuditRecord): Promise<AuditEntry> => ({
    id: entry.id,
    at: iso(entry.at),
    actor: entry.actor,
    action: entry.action,
    resource: { type: entry.resourceType, id: entry.resourceId },
    namespace: entry.namespaceId === null ? null : await ctx.namespaces.nameOf(entry.namespaceId),
    before: entry.before,
    after: entry.after,
    client: entry.client,
  });

  routes.add(
    {
      method: 'GET',
      url: '/api/v1/audit',
      summary:
        'The audit log, newest first: filter by actor, action, resource (type or type/id), namespace, since, until',
      tag: 'access',
      access: { role: 'admin', namespace: 'query' },
      query: AuditQuery,
      response: listOf(AuditEntry),
    },
    async ({ query, request }) => {
      const scope = await ctx.access.listScope(request, query.namespace, 'admin');
      const everywhere = holdsEverywhere(ctx.access.principal(request), 'admin');
      const [resourceType, ...rest] = query.resource?.split('/') ?? [];
      const page = await ctx.store.listAudit(
        {
          actor: query.actor,
          action: query.action,
          resourceType: resourceType || undefined,
          resourceId: rest.length > 0 ? rest.join('/') : undefined,
          namespaceIds: scope === undefined ? undefined : typeof scope === 'number' ? [scope] : scope,
          includeServerWide: everywhere && query.namespace === undefined,
          since: instant(query.since),
          until: instant(query.until),
        },
        { cursor: query.cursor, limit: query.limit },
      );
      return { items: await Promise.all(page.items.map(present)), nextCursor: page.nextCursor };
    },
  );
}
