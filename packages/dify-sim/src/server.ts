/**
 * The Dify API simulator: a real HTTP server answering the Service API calls Kairos makes, the
 * way Dify does (reference §1-§3): bearer keys, error bodies `{code, message, status}`, streaming
 * and blocking runs, pings, stop, run detail, re-attach, /info and /parameters, plus the faults
 * listed in faults.ts. Used by the tests, the benchmark, the docs and `kairos dev dify-sim`.
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

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const APP_ID = '9f1c2e7a-4b3d-4c8e-a5f6-2d7b9e0c1a34';
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
    if (!(req.headers['content-type'] ?? '').includes('application/json')) {
      return send(res, 415, {
        code: 'unsupported_media_type',
        message:
          "Did not attempt to load JSON data because the request Content-Type was not 'application/json'.",
        status: 415,
      });
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      return send(res, 400, {
        code: 'bad_request',
        message: 'Invalid JSON payload received or JSON payload is empty.',
        status: 400,
      });
    }
    if (app.mode !== 'workflow') {
      return send(res, 400, {
        code: 'not_workflow_app',
        message: 'Please check if your app mode matches the right API route.',
        status: 400,
      });
    }
    const f = app.faults;
    if (f.has('http400'))
      return send(res, 400, { code: 'invalid_param', message: 'Workflow not published', status: 400 });
    if (f.has('http404'))
      return send(res, 404, { code: 'not_found', message: 'Workflow not found with id: x', status: 404 });
    if (f.has('http429')) {
      return send(res, 429, {
        code: 'too_many_requests',
        message: `Too many requests. Please try again later. The current maximum concurrent requests allowed for ${APP_ID} is 1.`,
        status: 429,
      });
    }
    if (f.has('quota')) {
      return send(res, 429, {
        code: 'rate_limit_error',
        message: `Workflow execution quota limit reached for tenant ${APP_ID}`,
        status: 429,
      });
    }
    if (f.has('http500'))
      return send(res, 500, {
        code: 'internal_server_error',
        message: 'Internal Server Error.',
        status: 500,
      });
    const {
      inputs,
      user,
      response_mode: mode,
    } = body as { inputs?: unknown; user?: unknown; response_mode?: unknown };
    if (typeof user !== 'string' || user === '') {
      return send(res, 400, {
        code: 'invalid_param',
        message: 'Arg user must be provided.',
        status: 400,
        params: 'user',
      });
    }
    if (typeof inputs !== 'object' || inputs === null || Array.isArray(inputs)) {
      return send(res, 400, {
        code: 'invalid_param',
        message: 'inputs must be a dict',
        status: 400,
        params: 'inputs',
      });
    }
    if (mode !== undefined && mode !== 'blocking' && mode !== 'streaming') {
      return send(res, 400, {
        code: 'invalid_param',
        message: 'response_mode must be blocking or streaming',
        status: 400,
      });
    }
    if (workflowId !== null && !UUID.test(workflowId)) {
      return send(res, 400, {
        code: 'bad_request',
        message: `Invalid workflow_id format: '${workflowId}'. `,
        status: 400,
      });
    }
    const values = inputs as Record<string, unknown>;
    for (const field of app.scenario.form) {
      const value = values[field.variable];
      if (field.required && (value === undefined || value === null || value === '')) {
        return send(res, 400, {
          code: 'invalid_param',
          message: `${field.variable} is required in input form`,
          status: 400,
        });
      }
      if (field.type === 'select' && value !== undefined && !field.options?.includes(String(value))) {
        return send(res, 400, {
          code: 'invalid_param',
          message: `${field.variable} in input form must be one of the following: ${JSON.stringify(field.options)}`,
          status: 400,
        });
      }
    }

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

    if (mode !== 'streaming') {
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

  /** Writes a run's events as Dify's SSE, applying the app's stream faults. */
  function stream(
    res: ServerResponse,
    simRun: SimRun,
    app: SimApp,
    replay: ScriptEvent[],
    first: boolean,
  ): void {
    const f = app.faults;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    if (f.has('garbage')) {
      res.write('data: <html>upstream error</html>\n\ndata: not json at all\n\n');
      res.end();
      return;
    }
    let sent = 0;
    let stalled = false;
    const ping = setInterval(() => {
      if (!stalled) res.write('event: ping\n\n');
    }, pingMs);
    const close = () => {
      clearInterval(ping);
      unsubscribe();
    };
    res.on('close', close);
    const write = (event: ScriptEvent | null): void => {
      if (res.writableEnded || res.destroyed || stalled) return;
      if (event === null) {
        close();
        res.end();
        return;
      }
      const terminal = event.event === 'workflow_finished';
      sent++;
      if (first && f.has('drop-first') && sent === 1) return;
      if (first && f.has('drop-terminal') && terminal) {
        close();
        res.end();
        return;
      }
      res.write(`data: ${JSON.stringify(chunk(simRun, event))}\n\n`);
      if (first && f.has('error') && sent === 2) {
        res.write(
          `data: ${JSON.stringify({ event: 'error', workflow_run_id: simRun.runId, code: 'internal_server_error', status: 500, message: 'Internal Server Error, please contact support.' })}\n\n`,
        );
        simRun.stop();
        close();
        res.end();
        return;
      }
      if (first && (f.has('stall') || f.has('cut')) && sent === 3) {
        if (f.has('cut')) {
          close();
          res.destroy();
        } else stalled = true;
      }
    };
    for (const e of replay) write(e);
    const unsubscribe = simRun.status === 'running' ? simRun.subscribe(write) : () => false;
    if (simRun.status !== 'running') write(null);
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

/** Key order as Dify serializes it: event, workflow_run_id, task_id, then the payload. */
function chunk(simRun: SimRun, event: ScriptEvent): Record<string, unknown> {
  return { event: event.event, workflow_run_id: simRun.runId, task_id: simRun.taskId, data: event.data };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (status === 401) headers['www-authenticate'] = 'Bearer realm="api"';
  res.writeHead(status, headers);
  res.end(JSON.stringify(body));
}

function notFound(res: ServerResponse, message = 'The requested URL was not found on the server.'): void {
  send(res, 404, { code: 'not_found', message, status: 404 });
}
