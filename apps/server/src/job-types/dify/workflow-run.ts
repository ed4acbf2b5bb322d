/**
 * One scheduled Dify run: trigger it (streaming by default), record every event verbatim as it
 * arrives, save its ids as the run's checkpoint, follow it if the stream ends early, stop it on
 * timeout or cancel, and settle the Kairos run from how it ended.
 */
import type { JobContext, JobOutcome, RunAbort } from '../job-type.js';
import { JobDetached, JobFailure } from '../job-type.js';
import type { DestinationGuard } from '../../outbound/outbound-policy.js';
import type { SecretBox } from '../../secrets/secret-box.js';
import { DifyApi, DifyApiError, errorFrom } from './api-client.js';
import type { DifyResponse, DifyTransport } from './http-client.js';
import { apiBase, difyUser } from './config.js';
import type { DifyConfig } from './config.js';
import { isTextChunk, parseDifyEvent } from './events.js';
import type { DifyEvent } from './events.js';
import { follow } from './follow.js';
import type { Session } from './follow.js';
import { outputOf, settle } from './outcome.js';
import type { DifyRunOutput } from './outcome.js';
import { RunState } from './run-state.js';
import { readEventStream } from './sse.js';

/** After asking Dify to stop, how long to wait for the run to confirm (below the engine's 5 s). */
export const STOP_WAIT_MS = 3000;

/** What a run saves to be resumed after a restart. */
export interface DifyCheckpoint {
  workflowRunId: string;
  taskId: string;
  user: string;
  base: string;
}

export function isDifyCheckpoint(value: unknown): value is DifyCheckpoint {
  const v = value as Partial<DifyCheckpoint> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.workflowRunId === 'string' &&
    typeof v.taskId === 'string' &&
    typeof v.user === 'string' &&
    typeof v.base === 'string'
  );
}

/** A run's own input, when it is an object, is merged over the task's inputs. */
export function mergeInputs(inputs: Record<string, unknown>, runInput: unknown): Record<string, unknown> {
  if (typeof runInput !== 'object' || runInput === null || Array.isArray(runInput)) return inputs;
  return { ...inputs, ...(runInput as Record<string, unknown>) };
}

export async function runWorkflow(
  ctx: JobContext<DifyConfig>,
  box: SecretBox,
  transport: DifyTransport,
  guard: DestinationGuard,
  resumeFrom?: DifyCheckpoint,
): Promise<JobOutcome> {
  const config = pinned(ctx);
  const log = (text: string) => ctx.log('system', text);
  const prepared = prepareRun(config, box, transport);
  const api = (
    resumeFrom === undefined || resumeFrom.base === prepared.api.base
      ? prepared.api
      : new DifyApi(resumeFrom.base, prepared.apiKey, transport)
  ).withGuard(guard);
  const user = resumeFrom?.user ?? difyUser(config, ctx.taskId);
  const state = new RunState();
  const conn = new AbortController();
  let checkpointWrite: Promise<boolean> | undefined;
  let stopRequested = false;

  const saveCheckpoint = (): void => {
    if (checkpointWrite || state.workflowRunId === null || state.taskId === null) return;
    const value: DifyCheckpoint = {
      workflowRunId: state.workflowRunId,
      taskId: state.taskId,
      user,
      base: api.base,
    };
    checkpointWrite = ctx.checkpoint(value).then(
      () => true,
      (error: unknown) => {
        log(`could not save the checkpoint: ${(error as Error).message}`);
        return false;
      },
    );
  };

  const requestStop = (): void => {
    if (stopRequested) return;
    const taskId = state.taskId;
    if (taskId === null || state.terminal !== undefined) {
      conn.abort();
      return;
    }
    stopRequested = true;
    const why = (ctx.signal.reason as RunAbort | undefined)?.kind ?? 'cancel';
    log(`stopping Dify task ${taskId} (${why})`);
    api.stop(taskId, user).then(
      () => log('Dify accepted the stop; waiting for the run to end'),
      (error: unknown) => log(`the stop call failed: ${(error as Error).message}`),
    );
    setTimeout(() => conn.abort(), STOP_WAIT_MS).unref();
  };

  const receive = (kind: string | undefined, data: string): void => {
    // Most events of a streamed LLM are text chunks (193 of the 201 of the benchmark's runs):
    // kept verbatim, not parsed, which spares the objects of a parse per chunk.
    if (isTextChunk(data) && state.countTextChunk()) {
      ctx.event('text_chunk', data);
      return;
    }
    const event: DifyEvent | undefined = parseDifyEvent(data);
    if (event === undefined) {
      state.garbage++;
      ctx.event(kind ?? 'unparsed', data);
      return;
    }
    if (!state.apply(event)) return; // replayed by a re-attach: recorded already
    ctx.event(event.event, data);
    if (checkpointWrite === undefined && state.workflowRunId !== null && state.taskId !== null) {
      saveCheckpoint();
      // Aborted before Dify told us its task id: stop it now that we know it.
      if (ctx.signal.aborted && (ctx.signal.reason as RunAbort | undefined)?.kind !== 'shutdown')
        requestStop();
    }
  };

  const session: Session = {
    api,
    state,
    user,
    idleMs: config.readTimeoutSeconds * 1000,
    signal: conn.signal,
    receive,
    record: (kind, data) => ctx.event(kind, data),
    log,
  };

  const onAbort = (): void => {
    // At shutdown the Dify run goes on: leave it for the next start to resume.
    if ((ctx.signal.reason as RunAbort | undefined)?.kind === 'shutdown') conn.abort();
    else requestStop();
  };
  if (ctx.signal.aborted) onAbort();
  else ctx.signal.addEventListener('abort', onAbort, { once: true });

  try {
    let via: DifyRunOutput['via'] | null;
    if (resumeFrom) {
      state.workflowRunId = resumeFrom.workflowRunId;
      state.taskId = resumeFrom.taskId;
      checkpointWrite = Promise.resolve(true);
      log(`resuming Dify run ${resumeFrom.workflowRunId} after a restart`);
      via = await follow(session, resumeFrom.workflowRunId);
    } else {
      via = await start(ctx, box, session, conn.signal);
    }
    const output = outputOf(state, api.host, via ?? 'stream');
    if (via === null) {
      if (ctx.signal.aborted) {
        if ((ctx.signal.reason as RunAbort | undefined)?.kind === 'shutdown' && (await checkpointWrite)) {
          throw new JobDetached(`Dify run ${state.workflowRunId} left running for the next start`);
        }
        throw new JobFailure(
          { type: 'dify_stop', message: `Dify did not confirm the stop within ${STOP_WAIT_MS} ms` },
          { output, usage: state.usage.summary() },
        );
      }
      throw new JobFailure(
        {
          type: 'dify_lost',
          message: `lost track of Dify run ${state.workflowRunId}: no terminal event, and neither re-attach nor run detail gave a final status`,
        },
        { retryable: false, output, usage: state.usage.summary() },
      );
    }
    return settle(state, output, { retryAfterStart: config.idempotent, log });
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
  }
}

/** A replay pinned to the workflow version its original ran runs that version (a new config object: not cached). */
function pinned(ctx: JobContext<DifyConfig>): DifyConfig {
  return ctx.versionPin ? { ...ctx.config, workflowId: ctx.versionPin } : ctx.config;
}

interface Prepared {
  apiKey: string;
  api: DifyApi;
  /** The run call's path. */
  path: string;
  /** The run call's URL. */
  url: URL;
}

/**
 * What every run of a task version needs before its request is written (the unsealed key, the
 * client, the path), by the parsed config object, which the engine keeps for as long as it holds
 * the task record (see RunEngine): a changed task brings a new config and a new entry, and the
 * unsealed key goes with the record it came from. A key that cannot be unsealed is not kept.
 */
const preparedByConfig = new WeakMap<DifyConfig, Prepared>();

export function prepareRun(config: DifyConfig, box: SecretBox, transport: DifyTransport): Prepared {
  const cached = preparedByConfig.get(config);
  if (cached !== undefined) return cached;
  let apiKey: string;
  try {
    apiKey = box.open(config.apiKey);
  } catch (error) {
    throw new JobFailure(
      { type: 'config', field: 'config.apiKey', message: (error as Error).message },
      { retryable: false },
    );
  }
  const api = new DifyApi(apiBase(config.endpoint), apiKey, transport);
  const path = config.workflowId ? `/workflows/${config.workflowId}/run` : '/workflows/run';
  const prepared: Prepared = { apiKey, api, path, url: new URL(`${api.base}${path}`) };
  preparedByConfig.set(config, prepared);
  return prepared;
}

/** Sends the run request and reads its answer; null when aborted or the run could not be followed. */
async function start(
  ctx: JobContext<DifyConfig>,
  box: SecretBox,
  session: Session,
  signal: AbortSignal,
): Promise<DifyRunOutput['via'] | null> {
  const config = pinned(ctx);
  const { api, state } = session;
  const path = prepareRun(config, box, api.transport).path;
  const body = {
    inputs: mergeInputs(config.inputs, ctx.input),
    user: session.user,
    response_mode: config.responseMode,
  };
  let response: DifyResponse;
  try {
    response = await api.send('POST', path, {
      body,
      signal,
      traceId: `kairos-run-${ctx.runId}`,
      onWritten: ctx.effect,
    });
  } catch (error) {
    if (signal.aborted) return null;
    throw failureOf(error);
  }
  session.log(`POST ${api.host}${api.basePath}${path} (${config.responseMode}): ${response.status}`);
  if (!response.ok) throw failureOf(await errorFrom(response, `POST ${path}`));

  const type = response.header('content-type') ?? '';
  if (type.includes('application/json')) return blocking(response, session);
  if (!type.includes('text/event-stream')) {
    const error = await errorFrom(response, `POST ${path}`);
    throw new JobFailure({ type: 'dify', message: error.message }, { retryable: false });
  }
  const end = await readEventStream(response.body, {
    idleMs: session.idleMs,
    signal,
    share: api.transport.share,
    onEvent: session.receive,
  });
  if (state.terminal) return 'stream';
  if (signal.aborted) return null;
  if (state.events === 0) {
    if (state.garbage > 0) {
      throw new JobFailure(
        {
          type: 'dify',
          message: `the event stream held ${state.garbage} line(s) that are not Dify events: check the endpoint`,
        },
        { retryable: false },
      );
    }
    throw new JobFailure(
      { type: 'dify_network', message: `the event stream ${describe(end)} before its first event` },
      { retryable: true },
    );
  }
  if (state.workflowRunId === null) {
    throw new JobFailure(
      { type: 'dify_lost', message: `the event stream ${describe(end)} before Dify named the run` },
      { retryable: config.idempotent },
    );
  }
  session.log(
    `the event stream ${describe(end)} without workflow_finished; following run ${state.workflowRunId}`,
  );
  return follow(session, state.workflowRunId);
}

async function blocking(response: DifyResponse, session: Session): Promise<'blocking'> {
  const text = await response.text();
  let body: { task_id?: unknown; workflow_run_id?: unknown; data?: unknown };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    throw new JobFailure({ type: 'dify', message: 'the blocking answer is not JSON' }, { retryable: false });
  }
  session.record('blocking_response', text);
  const data =
    typeof body.data === 'object' && body.data !== null ? (body.data as Record<string, unknown>) : {};
  session.state.apply({
    event: 'workflow_finished',
    workflow_run_id: typeof body.workflow_run_id === 'string' ? body.workflow_run_id : null,
    ...(typeof body.task_id === 'string' ? { task_id: body.task_id } : {}),
    data,
  });
  return 'blocking';
}

function describe(end: string): string {
  switch (end) {
    case 'idle':
      return 'stayed silent past the read timeout';
    case 'broken':
      return 'broke off';
    default:
      return 'ended';
  }
}

/** A DifyApiError (status, network, garbage) as the run's failure, Dify's code and message kept. */
export function failureOf(error: unknown): JobFailure {
  if (error instanceof DifyApiError) {
    return new JobFailure(
      {
        type:
          error.kind === 'refused'
            ? 'destination_refused'
            : error.kind === 'network'
              ? 'dify_network'
              : 'dify',
        ...(error.kind === 'refused' ? { policy: 'outbound' } : {}),
        message: error.message,
        ...(error.status !== null ? { status: error.status } : {}),
        ...(error.code !== null ? { code: error.code } : {}),
        ...(error.retryAfterSeconds !== null ? { retryAfterSeconds: error.retryAfterSeconds } : {}),
      },
      { retryable: error.retryable },
    );
  }
  return new JobFailure({ type: 'dify', message: (error as Error).message }, { retryable: true });
}
