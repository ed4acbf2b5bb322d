/**
 * Starts a real Kairos node in-process for a test (real SQLite file or PostgreSQL schema, real
 * HTTP on 127.0.0.1) and gives the test an authenticated API helper. Stopped after each test.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach } from 'vitest';
import { ConfigSchema } from '../../src/config.js';
import type { Config } from '../../src/config.js';
import { startKairos } from '../../src/kairos.js';
import type { KairosNode, KairosOptions } from '../../src/kairos.js';
import type { EventName, KairosEvents } from '../../src/events.js';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';

export interface TestNode extends KairosNode {
  dataDir: string;
  api<T = any>(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: T }>;
  /** Waits for an event matching `match`, failing after `timeoutMs`. */
  waitFor<E extends EventName>(
    event: E,
    match?: (p: KairosEvents[E]) => boolean,
    timeoutMs?: number,
  ): Promise<KairosEvents[E]>;
}

const nodes: TestNode[] = [];
const dirs: string[] = [];

afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.stop(0).catch(() => undefined)));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

export function tempDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kairos-test-'));
  dirs.push(dir);
  return dir;
}

export async function startTestNode(
  options: { config?: Partial<Config>; dataDir?: string } & Omit<Partial<KairosOptions>, 'config'> = {},
): Promise<TestNode> {
  const dataDir = options.dataDir ?? tempDataDir();
  const config = ConfigSchema.parse({ port: 0, dataDir, adminToken: ADMIN_TOKEN, ...options.config });
  const node = await startKairos({
    logger: pino({ level: process.env.KAIROS_TEST_LOG ?? 'silent' }),
    ...options,
    config,
  });
  const testNode: TestNode = Object.assign(node, {
    dataDir,
    async api(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
      const response = await fetch(`${node.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${ADMIN_TOKEN}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : undefined };
    },
    waitFor<E extends EventName>(
      event: E,
      match: (p: KairosEvents[E]) => boolean = () => true,
      timeoutMs = 10_000,
    ) {
      return new Promise<KairosEvents[E]>((resolve, reject) => {
        const timer = setTimeout(() => {
          off();
          reject(new Error(`no ${event} event within ${timeoutMs} ms`));
        }, timeoutMs);
        const off = node.events.on(event, (payload) => {
          if (!match(payload)) return;
          clearTimeout(timer);
          off();
          resolve(payload);
        });
      });
    },
  });
  nodes.push(testNode);
  return testNode;
}

/** Creates an app and returns its appName. */
export async function createApp(node: TestNode, appName = 'demo'): Promise<string> {
  const res = await node.api('POST', '/api/v1/apps', { appName, name: `App ${appName}` });
  if (res.status !== 201) throw new Error(`app creation failed: ${JSON.stringify(res.body)}`);
  return appName;
}
