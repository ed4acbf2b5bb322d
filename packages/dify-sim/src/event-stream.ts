/**
 * A run's events written as Dify's server-sent events (`data: {…}` lines, `event: ping` every
 * pingMs), with the stream faults an app asks for (faults.ts): dropped events, a stall, a cut, an
 * `error` event, lines that are not JSON. The faults apply to a run's first stream only, not to a
 * re-attach.
 */
import type { ServerResponse } from 'node:http';
import type { SimApp } from './faults.js';
import type { ScriptEvent } from './script.js';
import type { SimRun } from './sim-run.js';

export interface StreamOptions {
  /** Events sent before the live ones (a re-attach's snapshot, or a finished run's end). */
  replay: ScriptEvent[];
  /** The run's first stream: the app's stream faults apply. */
  first: boolean;
  pingMs: number;
}

export function streamRun(res: ServerResponse, simRun: SimRun, app: SimApp, options: StreamOptions): void {
  const f = app.faults;
  const { first } = options;
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
  }, options.pingMs);
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
  for (const e of options.replay) write(e);
  const unsubscribe = simRun.status === 'running' ? simRun.subscribe(write) : () => false;
  if (simRun.status !== 'running') write(null);
}

/** Key order as Dify serializes it: event, workflow_run_id, task_id, then the payload. */
function chunk(simRun: SimRun, event: ScriptEvent): Record<string, unknown> {
  return { event: event.event, workflow_run_id: simRun.runId, task_id: simRun.taskId, data: event.data };
}
