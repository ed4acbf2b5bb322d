/**
 * Routes are declared once, with their zod schemas and their access (the role they need and
 * the namespace they act in); the same declaration validates requests, guards them and feeds
 * the OpenAPI document (openapi.ts), so none of them can drift.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { RouteAccess } from '../access/route-access.js';
import type { Guarded } from '../access/route-guard.js';
import { parseInput } from './validation.js';

interface RouteBase<B extends z.ZodType | undefined, Q extends z.ZodType | undefined> {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** Fastify path, e.g. /api/v1/tasks/:id */
  url: string;
  summary: string;
  tag: string;
  body?: B;
  query?: Q;
  response?: z.ZodType;
  /** Success status; default 200 (201 for creation, 202 for accepted, 204 for no content). */
  status?: number;
  /** This route's request body limit in bytes, over the server's `bodyLimitBytes`. */
  bodyLimit?: number;
}

/** Every route declares its access, or that it is public (it then skips authentication). */
export type RouteSpec<B extends z.ZodType | undefined, Q extends z.ZodType | undefined> = RouteBase<B, Q> &
  ({ public?: false; access: RouteAccess } | { public: true; access?: undefined });

export interface RouteInput<B, Q> {
  body: B;
  query: Q;
  params: Record<string, string>;
  request: FastifyRequest;
  reply: FastifyReply;
  /** What the access check loaded (the resource the path names), for the handler not to read it again. */
  guarded: Guarded;
}

type Out<T> = T extends z.ZodType ? z.output<T> : undefined;

/** What runs around every guarded route: the access check first, the audit record after. */
export interface RouteHooks {
  guard: (access: RouteAccess, request: FastifyRequest) => Promise<Guarded>;
  /** After a successful change (not a GET, not `audit: false`). */
  changed: (
    route: RouteBase<z.ZodType | undefined, z.ZodType | undefined>,
    request: FastifyRequest,
    guarded: Guarded,
    result: unknown,
  ) => Promise<void>;
}

export class RouteTable {
  readonly routes: RouteSpec<z.ZodType | undefined, z.ZodType | undefined>[] = [];

  constructor(
    private readonly app: FastifyInstance,
    private readonly hooks?: RouteHooks,
  ) {}

  add<B extends z.ZodType | undefined = undefined, Q extends z.ZodType | undefined = undefined>(
    spec: RouteSpec<B, Q>,
    handler: (input: RouteInput<Out<B>, Out<Q>>) => Promise<unknown>,
  ): void {
    this.routes.push(spec as RouteSpec<z.ZodType | undefined, z.ZodType | undefined>);
    const hooks = this.hooks;
    const access = spec.access;
    const audited = access !== undefined && spec.method !== 'GET' && access.audit !== false;
    this.app.route({
      method: spec.method,
      url: spec.url,
      config: { public: spec.public ?? false },
      ...(spec.bodyLimit === undefined ? {} : { bodyLimit: spec.bodyLimit }),
      handler: async (request, reply) => {
        const guarded = access && hooks ? await hooks.guard(access, request) : {};
        const body = spec.body ? parseInput(spec.body, request.body ?? {}) : undefined;
        const query = spec.query ? parseInput(spec.query, request.query ?? {}) : undefined;
        const result = await handler({
          body: body as Out<B>,
          query: query as Out<Q>,
          params: request.params as Record<string, string>,
          request,
          reply,
          guarded,
        });
        if (audited && hooks) await hooks.changed(spec, request, guarded, result);
        // A handler that answered itself (a server-sent event stream) is done.
        if (reply.sent) return reply;
        const status = spec.status ?? 200;
        if (status === 204) return reply.status(204).send();
        return reply.status(status).send(result);
      },
    });
  }
}
