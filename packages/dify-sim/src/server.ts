/**
 * The Dify API simulator: a real HTTP server answering the Service API calls Kairos makes, the
 * way Dify does (reference §1-§3): bearer keys, error bodies `{code, message, status}`, streaming
 * and blocking runs, pings, stop, run detail, re-attach, /info and /parameters, plus the faults
 * listed in faults.ts. Used by the tests, the benchmark, the docs and `kairos dev dify-sim`.
 * A run request's checks are in run-request.ts, the event stream in event-stream.ts.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { appForKey } from './faults.js';
import type { SimApp } from './faults.js';
import { appInfo, appParameters } from './app-metadata.js';
import { buildScript } from './script.js';
import type { ScriptEvent } from './script.js';
import { SimRun } from './sim-run.js';
import { notFound, send } from './http-replies.js';
import { APP_ID, checkRunRequest } from './run-request.js';
import { streamRun } from './event-stream.js';

export interface DifySimOptions {
  /** 0 picks a free port. Default 5001. */
  port?: number;
  host?: string;
  /** Pause between events when the scenario sets none, in ms. Default 20. */
  stepMs?: number;
  /** Keep-alive ping interval, in ms. Default 10000, as Dify. */
  pingMs?: number;
  /** One line per request (the CLI prints them). */
  log?: (line: string) => void;
}

export interface SimRequest {
  method: string;
  path: string;
  key: string | null;
  /** Arrival time, epoch ms with sub-ms precision. */
  at: number;
  body: unknown;
}

export interface DifySim {
  url: string;
  port: number;
  requests: SimRequest[];
  runs: Map<string, SimRun>;
  /** Task ids that were asked to stop. */
  stops: string[];
  close(): Promise<void>;
}

const WORKFLOW_ID = 'c2a4e6f8-1b3d-4f5a-8c7e-9d0b2a4c6e81';
const HTML = '<!DOCTYPE html><html><head><title>Dify</title></head><body><div id="root"></div></body></html>';

const now = (): number => performance.timeOrigin + performance.now();

/**
 * Starts the simulator.
 *
 * @example
 *   const sim = await startDifySim({ port: 0 });
 *   // a task with endpoint `${sim.url}/v1` and apiKey `app-simple` now runs the "simple" scenario
 *   await sim.close();
 */
export async function startDifySim(options: DifySimOptions = {}): Promise<DifySim> {
  const requests: SimRequest[] = [];
  const runs = new Map<string, SimRun>();
  const byTask = new Map<string, SimRun>();
  const stops: string[] = [];
  const open = new Set<ServerResponse>();
  const pingMs = options.pingMs ?? 10_000;

  const server = createServer((req, res) => {
    const at = now();
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      open.add(res);
      res.on('close', () => open.delete(res));
      handle(req, res, text, at).catch((error: unknown) => {
        if (!res.headersSent)
          send(res, 500, { code: 'internal_server_error', message: String(error), status: 500 });
        else res.destroy();
      });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse, text: string, at: number): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sim');
    const path = url.pathname.replace(/\/+$/, '');
    const auth = req.headers.authorization ?? '';
    const key = /^bearer\s+/i.test(auth) ? auth.replace(/^bearer\s+/i, '').trim() : null;
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = text;
    }
    requests.push({ method: req.method ?? '', path, key, at, body });
    options.log?.(`${req.method} ${url.pathname}${url.search} (${key ?? 'no key'})`);

    if (!path.startsWith('/v1/')) return notFound(res);
    if (key === null) {
      return send(res, 401, {
        code: 'unauthorized',
        message: "Authorization header must be provided and start with 'Bearer'",
        status: 401,
      });
    }
    const app = appForKey(key);
    if (!app)
      return send(res, 401, { code: 'unauthorized', message: 'Access token is invalid', status: 401 });
    if (app.faults.has('html')) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(HTML);
      return;
    }
    const route = `${req.method} ${path}`;
    let m: RegExpExecArray | null;
    if (route === 'GET /v1/info') return send(res, 200, appInfo(app));
    if (route === 'GET /v1/parameters') return send(res, 200, appParameters(app));
    if (route === 'POST /v1/workflows/run') return run(req, res, app, body, null);
    if ((m = /^POST \/v1\/workflows\/([^/]+)\/run$/.exec(route))) return run(req, res, app, body, m[1]!);
    if ((m = /^POST \/v1\/workflows\/tasks\/([^/]+)\/stop$/.exec(route))) {
      const taskId = decodeURIComponent(m[1]!);
      stops.push(taskId);
      byTask.get(taskId)?.stop();
      return send(res, 200, { result: 'success' });
    }
    if ((m = /^GET \/v1\/workflows\/run\/([^/]+)$/.exec(route)))
      return detail(res, app, decodeURIComponent(m[1]!));
    if ((m = /^GET \/v1\/workflow\/([^/]+)\/events$/.exec(route))) {
      return reattach(res, app, decodeURIComponent(m[1]!), url.searchParams);
    }
    return notFound(res);
  }

  function run(
    req: IncomingMessage,
    res: ServerResponse,
    app: SimApp,
    body: unknown,
    workflowId: string | null,
  ) {
    const checked = checkRunRequest(app, req.headers['content-type'] ?? '', body, workflowId);
    if ('refusal' in checked) {
      const { status, body: refusal, headers } = checked.refusal;
      return send(res, status, refusal, headers);
    }
    const { user, inputs: values, streaming } = checked.request;
    const f = app.faults;
    const runId = randomUUID();
    const taskId = randomUUID();
    const createdAt = Math.floor(Date.now() / 1000);
    const script = buildScript(app.scenario, {
      runId,
      taskId,
      workflowId: workflowId ?? WORKFLOW_ID,
      appId: APP_ID,
      user,
      endUserId: '5b0f3c8e-7d21-4a6f-9c3b-8e2f1a6d4c90',
      inputs: values,
      createdAt,
    });
    if (f.has('huge')) {
      const last = script.events.findLast((e) => e.event === 'node_finished');
      if (last)
        last.data = {
          ...last.data,
          outputs: { ...(last.data.outputs as object), blob: 'x'.repeat(300_000) },
        };
    }
    const stepMs = f.has('slow') ? 200 : (app.scenario.stepMs ?? options.stepMs ?? 20);
    const simRun = new SimRun(runId, taskId, user, values, createdAt, script, stepMs);
    runs.set(runId, simRun);
    byTask.set(taskId, simRun);
    simRun.start();

    if (!streaming) {
      const unsubscribe = simRun.subscribe((event) => {
        if (event !== null) return;
        unsubscribe();
        const d = simRun.finishedData ?? {};
        send(res, 200, {
          task_id: taskId,
          workflow_run_id: runId,
          data: {
            id: runId,
            workflow_id: d.workflow_id,
            status: d.status,
            outputs: d.outputs,
            error: d.error,
            elapsed_time: d.elapsed_time,
            total_tokens: d.total_tokens,
            total_steps: d.total_steps,
            created_at: d.created_at,
            finished_at: d.finished_at,
          },
        });
      });
      return;
    }
    stream(res, simRun, app, [], true);
  }

  function stream(res: ServerResponse, simRun: SimRun, app: SimApp, replay: ScriptEvent[], first: boolean) {
    streamRun(res, simRun, app, { replay, first, pingMs });
  }

  function reattach(res: ServerResponse, app: SimApp, runId: string, query: URLSearchParams): void {
    const simRun = runs.get(runId);
    if (app.faults.has('no-reattach') || !simRun || query.get('user') !== simRun.user) {
      return notFound(res, 'Workflow run not found.');
    }
    if (simRun.status !== 'running') {
      stream(res, simRun, app, [{ event: 'workflow_finished', data: simRun.finishedData ?? {} }], false);
      return;
    }
    const snapshot =
      query.get('include_state_snapshot') === 'true'
        ? simRun.sent.filter((e) => e.event !== 'text_chunk')
        : [];
    stream(res, simRun, app, snapshot, false);
  }

  function detail(res: ServerResponse, app: SimApp, runId: string): void {
    const simRun = runs.get(runId);
    if (!simRun) return notFound(res, 'Workflow run not found.');
    const d = simRun.finishedData;
    const inputs = JSON.stringify({
      ...simRun.inputs,
      'sys.user_id': simRun.user,
      'sys.workflow_run_id': runId,
    });
    const outputs = d?.outputs ?? {};
    send(res, 200, {
      id: runId,
      workflow_id: simRun.workflowId,
      status: simRun.status,
      inputs,
      outputs: app.faults.has('old-detail') ? JSON.stringify(outputs) : outputs,
      error: d?.error ?? null,
      total_steps: d?.total_steps ?? 0,
      total_tokens: d?.total_tokens ?? 0,
      created_at: simRun.createdAt,
      finished_at: d?.finished_at ?? null,
      elapsed_time: d?.elapsed_time ?? Date.now() / 1000 - simRun.createdAt,
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 5001, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host ?? '127.0.0.1';
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    requests,
    runs,
    stops,
    close: () =>
      new Promise<void>((resolve) => {
        for (const r of runs.values()) r.dispose();
        for (const res of open) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
