/**
 * GET /metrics in the Prometheus text format. Outside /api/v1, so the API's bearer tokens do not
 * apply; with `token` set (KAIROS_METRICS_TOKEN) a scrape must send `Authorization: Bearer <token>`.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { KairosError } from '../errors.js';

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

export function metricsRoute(app: FastifyInstance, registry: Registry, token: string | undefined): void {
  const expected = token === undefined ? undefined : digest(token);
  app.get('/metrics', { config: { public: true } }, async (request, reply) => {
    if (expected) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
      // Digests have equal lengths, so the comparison takes the same time whatever was sent.
      if (!match || !timingSafeEqual(digest(match[1]!), expected)) {
        throw new KairosError(
          'UNAUTHORIZED',
          'GET /metrics needs "Authorization: Bearer <KAIROS_METRICS_TOKEN>"',
        );
      }
    }
    const text = await registry.metrics();
    return reply.header('content-type', registry.contentType).send(text);
  });
}
