/**
 * Helpers for the executor tests: SDK executor processes, apps with their tokens, executor tasks.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';
import { eventually } from '../support/eventually.js';
import type { TestNode } from '../support/test-node.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/sdk-executor.mjs', import.meta.url));

export interface ExecutorProcess {
  child: ChildProcess;
  address: string;
  output: () => string;
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

export async function startSdkExecutor(options: {
  url: string;
  appName: string;
  token: string;
  mode: 'push' | 'pull';
  name?: string;
  env?: Record<string, string>;
}): Promise<ExecutorProcess> {
  const child = spawn(process.execPath, [FIXTURE], {
    env: {
      PATH: process.env.PATH ?? '',
      KAIROS_URL: options.url,
      APP_NAME: options.appName,
      APP_TOKEN: options.token,
      MODE: options.mode,
      EXECUTOR_NAME: options.name ?? options.mode,
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const address = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const ready = /READY (\S+)/.exec(out);
      if (ready) resolve(ready[1]!);
      const failed = /START FAILED (.*)/.exec(out);
      if (failed) reject(new Error(failed[1]));
    });
    void exited.then((code) => reject(new Error(`executor exited (${code}): ${out}`)));
  });
  return {
    child,
    address,
    output: () => out,
    exited,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Creates an app and returns its appName and full access token. */
export async function createAppWithToken(
  node: TestNode,
  appName = 'workers',
): Promise<{ appName: string; token: string }> {
  const res = await node.api('POST', '/api/v1/apps', { appName, name: `App ${appName}` });
  if (res.status !== 201) throw new Error(`app creation failed: ${JSON.stringify(res.body)}`);
  return { appName, token: res.body.accessToken as string };
}

/** Creates an on-demand executor task and returns its id. */
export async function createExecutorTask(
  node: TestNode,
  appName: string,
  config: Record<string, unknown>,
  extra: Record<string, unknown> = {},
): Promise<number> {
  const res = await node.api('POST', '/api/v1/tasks', {
    name: `executor task ${Math.random().toString(36).slice(2, 8)}`,
    app: appName,
    type: 'executor',
    config,
    schedule: { type: 'api' },
    ...extra,
  });
  if (res.status !== 201) throw new Error(`task creation failed: ${JSON.stringify(res.body)}`);
  return res.body.id as number;
}

/** Triggers a task and waits for its run to finish; returns the run as the API shows it. */
export async function triggerAndWait(
  node: TestNode,
  taskId: number,
  input?: unknown,
  timeoutMs = 15_000,
): Promise<any> {
  const finished = new Set<number>();
  const off = node.events.on('run:finished', ({ run }) => void finished.add(run.id));
  try {
    const runId = await trigger(node, taskId, input);
    await eventually(() => {
      if (!finished.has(runId)) throw new Error(`run ${runId} did not finish within ${timeoutMs} ms`);
    }, timeoutMs);
    return (await node.api('GET', `/api/v1/runs/${runId}`)).body;
  } finally {
    off();
  }
}

/** Triggers a task; returns the run id. */
export async function trigger(node: TestNode, taskId: number, input?: unknown): Promise<number> {
  const res = await node.api('POST', `/api/v1/tasks/${taskId}/run`, input === undefined ? {} : { input });
  if (res.status >= 300) throw new Error(`trigger failed: ${JSON.stringify(res.body)}`);
  return res.body.runId as number;
}
