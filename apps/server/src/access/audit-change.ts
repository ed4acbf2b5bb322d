/**
 * The audit record of a change made through a route (the route table calls this after every
 * successful non-GET route): what the guard loaded is the "before", the answer the "after".
 */
import type { FastifyRequest } from 'fastify';
import type { ApiContext } from '../http/context.js';
import { DEFAULT_NAMESPACE } from '../services/namespaces.js';
import { actionOf } from './audit-log.js';
import type { Guarded } from './route-guard.js';

const field = (value: unknown, key: string): unknown =>
  typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;

export async function auditChange(
  ctx: ApiContext,
  route: { method: string; url: string; access?: { namespace: unknown } | undefined },
  request: FastifyRequest,
  guarded: Guarded,
  result: unknown,
): Promise<void> {
  const { action, resourceType } = actionOf(route.method, route.url);
  const params = request.params as Record<string, string>;
  const id = params.id ?? params.app ?? params.name ?? field(result, 'id');
  const loadedNs = guarded.resource?.namespaceIds?.[0];
  const shownNs = field(result, 'namespace') ?? field(request.body, 'namespace');
  const namespace =
    loadedNs !== undefined
      ? { id: loadedNs }
      : typeof shownNs === 'string'
        ? { name: shownNs }
        : route.access?.namespace === 'body'
          ? { name: DEFAULT_NAMESPACE }
          : null;
  await ctx.audit.change(request, {
    action,
    resourceType,
    resourceId: id === undefined ? null : String(id),
    namespace,
    before: guarded.resource?.before ?? null,
    after: result ?? null,
  });
}
