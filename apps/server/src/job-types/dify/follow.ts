/**
 * Following a Dify run whose stream ended without a terminal event (a dropped connection, a lost
 * `workflow_finished`, a Kairos restart): re-attach to its event stream (Dify ≥ 1.13,
 * `GET /v1/workflow/{run_id}/events`), else poll run detail (`GET /v1/workflows/run/{id}`) until
 * its status is final. Bounded, so no Dify run stays `running` in Kairos forever. And stopping:
 * Dify's stop call answers success whatever happens, so the caller confirms through the stream.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { DifyApi } from './api-client.js';
import type { DifyResponse } from './http-client.js';
import { DifyApiError } from './api-client.js';
import { FINAL_STATUSES, num, str } from './events.js';
import type { RunState } from './run-state.js';
import { readEventStream } from './sse.js';

/** How long a run may be followed by polling before Kairos gives up on it (Dify's own cap is 20 min). */
export const FOLLOW_LIMIT_MS = 30 * 60 * 1000;
const POLL_FIRST_MS = 250;
const POLL_MAX_MS = 5000;

export interface Session {
  api: DifyApi;
  state: RunState;
  user: string;
  idleMs: number;
  /** Aborts the connection (after a stop's bounded wait, or at shutdown). */
  signal: AbortSignal;
  /** Records a raw `data:` payload and applies it to the state. */
  receive(kind: string | undefined, data: string): void;
  /** Records a synthetic event (run detail) verbatim. */
  record(kind: string, data: string): void;
  log(text: string): void;
}

/** Re-attaches once; resolves false when the endpoint does not support it (Dify < 1.13) or fails. */
export async function reattach(session: Session, runId: string): Promise<boolean> {
  const query = new URLSearchParams({ user: session.user, include_state_snapshot: 'true' });
  let response: DifyResponse;
  try {
    response = await session.api.send('GET', `/workflow/${encodeURIComponent(runId)}/events?${query}`, {
      signal: session.signal,
    });
  } catch (error) {
    if (session.signal.aborted) return false;
    session.log(`re-attach failed: ${(error as Error).message}`);
    return false;
  }
  const type = response.header('content-type') ?? '';
  if (!response.ok || !type.includes('text/event-stream')) {
    response.cancel();
    session.log(`re-attach not available (HTTP ${response.status}); polling run detail`);
    return false;
  }
  session.log(`re-attached to the event stream of Dify run ${runId}`);
  await readEventStream(response.body, {
    idleMs: session.idleMs,
    signal: session.signal,
    share: session.api.transport.share,
    onEvent: (kind, data) => session.receive(kind, data),
  });
  return session.state.terminal !== undefined;
}

/** Polls run detail until its status is final; resolves false if aborted or given up. */
export async function pollUntilFinal(
  session: Session,
  runId: string,
  limitMs = FOLLOW_LIMIT_MS,
): Promise<boolean> {
  const deadline = Date.now() + limitMs;
  let wait = POLL_FIRST_MS;
  let lastError = '';
  while (!session.signal.aborted && Date.now() < deadline) {
    try {
      const detail = await session.api.runDetail(runId, session.signal);
      const status = str(detail.status);
      if (status !== null && FINAL_STATUSES.has(status)) {
        session.record('run_detail', JSON.stringify(detail));
        session.state.detail = detail;
        session.state.workflowId ??= str(detail.workflow_id);
        session.state.usage.setFinalTokens(num(detail.total_tokens));
        session.log(`Dify run ${runId} is ${status} (run detail)`);
        return true;
      }
    } catch (error) {
      if (session.signal.aborted) return false;
      const message = (error as Error).message;
      if (message !== lastError) session.log(`polling run detail: ${message}`);
      lastError = message;
      // A run Dify does not know (404) will not appear later.
      if (error instanceof DifyApiError && error.status === 404) return false;
    }
    try {
      await sleep(wait, undefined, { signal: session.signal });
    } catch {
      return false;
    }
    wait = Math.min(wait * 2, POLL_MAX_MS);
  }
  return false;
}

/** Re-attach, else poll. */
export async function follow(session: Session, runId: string): Promise<'reattach' | 'poll' | null> {
  if (await reattach(session, runId)) return 'reattach';
  if (session.signal.aborted) return null;
  return (await pollUntilFinal(session, runId)) ? 'poll' : null;
}
