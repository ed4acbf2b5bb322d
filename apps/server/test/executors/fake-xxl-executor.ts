/**
 * A stock XXL-JOB executor's stand-in for the admin-side tests: a real HTTP server that answers
 * the protocol's calls as the test says and records them, registered with Kairos as an executor
 * would register; the test plays the executor's part (callbacks) itself.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { expect } from 'vitest';
import { startHttpTarget } from '../support/http-target.js';
import type { HttpTarget } from '../support/http-target.js';
import { startTestNode } from '../support/test-node.js';
import type { TestNode } from '../support/test-node.js';
import { createAppWithToken } from './support.js';

export async function post(
  node: TestNode,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
) {
  const response = await fetch(`${node.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json;charset=UTF-8', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return {
    status: response.status,
    body: (await response.json()) as { code: number; msg: string | null; content?: unknown; data?: unknown },
  };
}

export const registration = (appName: string, address: string) => ({
  registryGroup: 'EXECUTOR',
  registryKey: appName,
  registryValue: address,
});

/** Answers every call with `answer` (by default `{"code":200}`) and records it. */
export async function fakeExecutor(
  answer: (path: string, body: any, res: ServerResponse, req: IncomingMessage) => void = (_p, _b, res) =>
    res.end('{"code":200}'),
) {
  return startHttpTarget((req, res, body) =>
    answer(req.url ?? '', body === '' ? undefined : JSON.parse(body), res, req),
  );
}

export async function setup() {
  const node = await startTestNode({ config: { executorCallTimeoutMs: 500 } });
  const { appName, token } = await createAppWithToken(node);
  return { node, appName, token };
}

export async function registerFake(
  node: TestNode,
  appName: string,
  token: string,
  executor: HttpTarget,
  headers: Record<string, string> = {},
) {
  const res = await post(node, '/api/registry', registration(appName, `${executor.url}/`), {
    'XXL-JOB-ACCESS-TOKEN': token,
    ...headers,
  });
  expect(res.body.code).toBe(200);
}

export const runTriggers = (executor: HttpTarget) =>
  executor.requests.filter((r) => r.url === '/run' || r.url === '/trigger');
