/** JSON answers in Dify's shape: error bodies `{code, message, status}`, 401 with its realm. */
import type { ServerResponse } from 'node:http';

export function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  extra: Record<string, string> = {},
): void {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...extra };
  if (status === 401) headers['www-authenticate'] = 'Bearer realm="api"';
  res.writeHead(status, headers);
  res.end(JSON.stringify(body));
}

export function notFound(
  res: ServerResponse,
  message = 'The requested URL was not found on the server.',
): void {
  send(res, 404, { code: 'not_found', message, status: 404 });
}
