/**
 * Serves the built web console (apps/console/dist) at `/`, with history-API routing: any GET
 * that is not the API and not a file answers index.html, so a deep link such as /runs/42?tab=track
 * can be reloaded or pasted into a chat. Hashed assets are cached for a year; index.html never.
 * When the console is not built, `/` says how to build it instead of answering a bare 404.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** apps/console/dist, from src/http (tests) or dist/http (the build) alike. */
export function defaultConsoleDir(): string {
  return fileURLToPath(new URL('../../../console/dist/', import.meta.url));
}

const NOT_BUILT =
  'The Kairos web console is not built. Run `npm run build` (or `npm start`, which builds first) ' +
  'at the repository root, then reload this page. The REST API answers under /api/v1.';

/**
 * Paths that are never the console: the API, hashed assets that do not exist, and top-level
 * files (favicon.ico, robots.txt) that do not. A deep link may hold dots (/apps/my.app), so
 * only those two places are told apart by looking like a file.
 */
const TOP_LEVEL_FILE = /^\/[^/]+\.(?:ico|png|svg|txt|json|js|css|map|webmanifest)$/;
const isConsoleRoute = (url: string): boolean => {
  const path = url.split('?')[0] ?? '';
  if (path === '/api' || path.startsWith('/api/') || path.startsWith('/assets/')) return false;
  return !TOP_LEVEL_FILE.test(path);
};

/** A Fastify plugin: `app.register(registerConsole, { dir })`. */
export async function registerConsole(app: FastifyInstance, options: { dir?: string }): Promise<void> {
  const dir = options.dir ?? defaultConsoleDir();
  const built = existsSync(`${dir}/index.html`);
  if (built) {
    await app.register(fastifyStatic, {
      root: dir,
      prefix: '/',
      wildcard: false,
      index: false,
      cacheControl: false,
      setHeaders: (res, path) => {
        const immutable = path.includes('/assets/');
        res.setHeader('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    });
  }
  const fallback = async (request: FastifyRequest, reply: FastifyReply) => {
    if (!isConsoleRoute(request.url)) return reply.callNotFound();
    if (!built) return reply.type('text/plain; charset=utf-8').send(NOT_BUILT);
    return reply.header('cache-control', 'no-cache').sendFile('index.html');
  };
  app.get('/', fallback);
  app.get('/*', fallback);
}
