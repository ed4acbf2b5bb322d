/**
 * Serves the built web console (apps/console/dist) at `/`, with history-API routing: any GET
 * that is not the API and not a file answers index.html, so a deep link such as /runs/42?tab=track
 * can be reloaded or pasted into a chat. Hashed assets are cached for a year; index.html never.
 * When the console is not built, `/` says how to build it instead of answering a bare 404.
 *
 * Two routes added synchronously, no plugin: a plugin's boot (a static-file plugin globbing the
 * folder) delayed listen() enough that runs resumed at start finished before the node was up.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** apps/console/dist, from src/http (tests) or dist/http (the build) alike. */
export function defaultConsoleDir(): string {
  return fileURLToPath(new URL('../../../console/dist/', import.meta.url));
}

const NOT_BUILT =
  'The Kairos web console is not built. Run `npm run build` (or `npm start`, which builds first) ' +
  'at the repository root, then reload this page. The REST API answers under /api/v1.';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * Paths that are never the console: the API, hashed assets that do not exist, and top-level
 * files (favicon.ico, robots.txt) that do not. A deep link may hold dots (/apps/my.app), so
 * only those two places are told apart by looking like a file.
 */
const TOP_LEVEL_FILE = /^\/[^/]+\.(?:ico|png|svg|txt|json|js|css|map|webmanifest)$/;
const isConsoleRoute = (path: string): boolean => {
  if (path === '/api' || path.startsWith('/api/') || path.startsWith('/assets/')) return false;
  return !TOP_LEVEL_FILE.test(path);
};

/** The file a URL path names inside `dir`, if it is a file there (never outside it). */
function fileIn(dir: string, path: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return undefined;
  }
  const file = normalize(join(dir, decoded));
  if (!file.startsWith(dir.endsWith(sep) ? dir : dir + sep)) return undefined;
  try {
    return statSync(file).isFile() ? file : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Sent with every console answer. The console loads only its own scripts, styles and API
 * (`'self'`); style-src also allows inline styles, which the UI library injects at run time
 * (theme variables); no page may frame it (clickjacking); no content-type sniffing; no URL
 * (which may hold a run id or a filter) leaks to other sites as a referrer.
 */
export const CONSOLE_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; '),
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

export function registerConsole(app: FastifyInstance, dir = defaultConsoleDir()): void {
  const built = existsSync(join(dir, 'index.html'));
  const send = (reply: FastifyReply, file: string, cache: string) =>
    reply
      .headers(CONSOLE_SECURITY_HEADERS)
      .header('cache-control', cache)
      .type(TYPES[extname(file)] ?? 'application/octet-stream')
      .send(createReadStream(file));

  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    const path = request.url.split('?')[0] ?? '/';
    if (!built) {
      if (!isConsoleRoute(path)) return reply.callNotFound();
      return reply.headers(CONSOLE_SECURITY_HEADERS).type('text/plain; charset=utf-8').send(NOT_BUILT);
    }
    const file = path === '/' ? undefined : fileIn(dir, path);
    if (file !== undefined) {
      const immutable = path.startsWith('/assets/');
      return send(reply, file, immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
    }
    if (!isConsoleRoute(path)) return reply.callNotFound();
    return send(reply, join(dir, 'index.html'), 'no-cache');
  };
  app.get('/', handler);
  app.get('/*', handler);
}
