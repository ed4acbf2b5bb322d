/**
 * Routes are declared once, with their zod schemas; the same declaration validates requests and
 * feeds the OpenAPI document (openapi.ts), so the two cannot drift.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { parseInput } from './validation.js';

export interface RouteSpec<B extends z.ZodType | undefined, Q extends z.ZodType | undefined> {
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
  /** Public routes skip authentication. */
  public?: boolean;
}

export interface RouteInput<B, Q> {
  body: B;
  query: Q;
  params: Record<string, string>;
  request: FastifyRequest;
  reply: FastifyReply;
}

type Out<T> = T extends z.ZodType ? z.output<T> : undefined;

export class RouteTable {
  readonly routes: RouteSpec<z.ZodType | undefined, z.ZodType | undefined>[] = [];

  constructor(private readonly app: FastifyInstance) {}

  add<B extends z.ZodType | undefined = undefined, Q extends z.ZodType | undefined = undefined>(
    spec: RouteSpec<B, Q>,
    handler: (input: RouteInput<Out<B>, Out<Q>>) => Promise<unknown>,
  ): void {
    this.routes.push(spec);
    this.app.route({
      method: spec.method,
      url: spec.url,
      config: { public: spec.public ?? false },
      handler: async (request, reply) => {
        const body = spec.body ? parseInput(spec.body, request.body ?? {}) : undefined;
        const query = spec.query ? parseInput(spec.query, request.query ?? {}) : undefined;
        const result = await handler({
          body: body as Out<B>,
          query: query as Out<Q>,
          params: request.params as Record<string, string>,
          request,
          reply,
        });
        // A handler that answered itself (a server-sent event stream) is done.
        if (reply.sent) return reply;
        const status = spec.status ?? 200;
        if (status === 204) return reply.status(204).send();
        return reply.status(status).send(result);
      },
    });
  }
}
