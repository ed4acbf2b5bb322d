/**
 * Dify's workflow events as Kairos reads them: the few fields the run and the track use, typed
 * loosely (1.9+ shapes, tolerant of older ones: unknown keys ignored, `index` and
 * `predecessor_node_id` never relied on). Events are kept verbatim elsewhere; this is the parse.
 */

export interface DifyEvent {
  event: string;
  workflow_run_id?: string | null;
  task_id?: string;
  data?: Record<string, unknown>;
  /** `error` events carry these at the top level. */
  code?: string;
  message?: string;
  status?: number;
}

export const TERMINAL_EVENTS = new Set(['workflow_finished', 'workflow_paused', 'error']);

/** Run statuses that are final in run detail (`paused` waits for a human). */
export const FINAL_STATUSES = new Set(['succeeded', 'failed', 'stopped', 'partial-succeeded', 'paused']);

/** Parses one `data:` payload; undefined when it is not a Dify event object. */
export function parseDifyEvent(text: string): DifyEvent | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const event = value as DifyEvent;
  if (typeof event.event !== 'string') return undefined;
  if (event.data !== undefined && (typeof event.data !== 'object' || event.data === null)) return undefined;
  return event;
}

/**
 * Whether a `data:` payload is a `text_chunk` event, read from its first key alone (Dify writes
 * `event` first). Used to skip parsing chunks, which carry nothing the run reads.
 */
export const isTextChunk = (text: string): boolean => TEXT_CHUNK_START.test(text);
const TEXT_CHUNK_START = /^\s*\{\s*"event"\s*:\s*"text_chunk"\s*,/;

export const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
export const num = (v: unknown): number | null => {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return null;
};
export const obj = (v: unknown): Record<string, unknown> | null =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;

/** A unix-seconds timestamp as ISO text. */
export const isoSeconds = (v: unknown): string | null => {
  const n = num(v);
  return n === null ? null : new Date(n * 1000).toISOString();
};

/**
 * A key identifying an event that a re-attach with `include_state_snapshot` may send again
 * (node and container lifecycle events); null for events that are never replayed (text chunks).
 */
export function replayKey(event: DifyEvent): string | null {
  const d = event.data ?? {};
  switch (event.event) {
    case 'workflow_started':
      return event.event;
    case 'node_started':
    case 'node_finished':
    case 'iteration_started':
    case 'iteration_completed':
    case 'loop_started':
    case 'loop_completed':
      return `${event.event}:${String(d.id)}`;
    case 'node_retry':
      return `${event.event}:${String(d.id)}:${String(d.retry_index)}`;
    case 'iteration_next':
    case 'loop_next':
      return `${event.event}:${String(d.id)}:${String(d.index)}`;
    default:
      return null;
  }
}
