/**
 * Applies a route's declared access (route-access.ts) before its handler runs and before its
 * input is parsed: a caller without the role learns nothing from validation errors, and a
 * resource in a namespace it cannot see answers 404, as if it did not exist.
 */
import type { FastifyRequest } from 'fastify';
import { KairosError } from '../errors.js';
import type { ApiContext } from '../http/context.js';
import { DEFAULT_NAMESPACE } from '../services/namespaces.js';
import { roleIn } from './principal.js';
import { RESOURCE_LOADERS, notFoundOf, type LoadedResource } from './resource-namespaces.js';
import type { RouteAccess } from './route-access.js';

/** What the guard learnt: the audit log records it with the change. */
export interface Guarded {
  resource?: LoadedResource;
}

const stringField = (value: unknown, key: string): string | undefined => {
  const field =
    typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
  return typeof field === 'string' ? field : undefined;
};

export async function guardRoute(
  ctx: ApiContext,
  access: RouteAccess,
  request: FastifyRequest,
): Promise<Guarded> {
  const { role, namespace: source } = access;
  const params = request.params as Record<string, string>;
  if (source === 'body') {
    ctx.access.require(request, stringField(request.body, 'namespace') ?? DEFAULT_NAMESPACE, role);
    return {};
  }
  if (source === 'query-or-default') {
    ctx.access.require(request, stringField(request.query, 'namespace') ?? 'default', role);
    return {};
  }
  if (source === 'query') {
    const named = stringField(request.query, 'namespace');
    if (named !== undefined) ctx.access.require(request, named, role);
    else ctx.access.requireAnywhere(request, role);
    return {};
  }
  if (source === 'any') {
    ctx.access.requireAnywhere(request, role);
    return {};
  }
  if (source === 'server') {
    ctx.access.requireEverywhere(request, role);
    return {};
  }
  if ('param' in source) {
    ctx.access.require(request, params[source.param] ?? '', role);
    return {};
  }
  // Made only when thrown: an error's stack costs more than the rest of the check.
  const invisible = (): KairosError => notFoundOf(source.resource, params);
  const resource = await RESOURCE_LOADERS[source.resource](
    ctx,
    params,
    (request.query ?? {}) as Record<string, unknown>,
  );
  if (!resource) {
    if (params.id !== undefined && !/^[1-9]\d{0,15}$/.test(params.id)) {
      throw new KairosError(
        'VALIDATION_ERROR',
        `id: must be a positive integer id, got ${JSON.stringify(params.id)}`,
        {
          field: 'id',
        },
      );
    }
    throw invisible();
  }
  if (resource.namespaceIds === null || resource.namespaceIds.length === 0) {
    // A server-wide thing (a token or user for "*"): only who holds the role everywhere sees it.
    const principal = ctx.access.principal(request);
    if (roleIn(principal, '*') === undefined) throw invisible();
    ctx.access.requireEverywhere(request, role);
    return { resource };
  }
  for (const id of resource.namespaceIds) {
    ctx.access.require(request, await ctx.namespaces.nameOf(id), role, invisible);
  }
  return { resource };
}
