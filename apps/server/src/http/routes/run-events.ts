/**
 * A run's recorded events (paged), its track (built by the run's job type from those events) and
 * a live server-sent event stream of them: stored events are replayed first, then new ones are
 * sent as they arrive, and the stream ends when the run does.
 */
import { RunEvent, RunEventQuery, RunTrack, TERMINAL_STATUSES, listOf } from '@kairos/protocol';
import type { RunEvent as RunEventBody } from '@kairos/protocol';
import { setTimeout as sleep } from 'node:timers/promises';
import { KairosError } from '../../errors.js';
import type { RunEventRecord } from '../../store/records.js';
import type { ApiContext } from '../context.js';
import { iso } from '../present.js';
import type { RouteTable } from '../route-table.js';
import { parseId } from '../validation.js';
import { readRunTrack } from '../../services/run-track.js';

const PAGE = 5000;
/** A run that is live on another node (cluster) is followed by reading the store this often. */
const REMOTE_POLL_MS = 500;
/** A comment line this often keeps proxies from closing a quiet stream. */
const HEARTBEAT_MS = 15_000;
/** A gap before a live event is read from the store up to this many times, this far apart. */
const GAP_READS = 40;
const GAP_READ_PAUSE_MS = 50;

export function presentEvent(entry: RunEventRecord): RunEventBody {
  let data: unknown = entry.data;
  if (!entry.truncated) {
    try {
      data = JSON.parse(entry.data);
    } catch {
      /* not JSON: the text as received */
    }
  }
  return { seq: entry.seq, at: iso(entry.at), event: entry.kind, data, truncated: entry.truncated };
}

export function runEventRoutes(routes: RouteTable, ctx: ApiContext): void {
  const getRun = async (id: number) => {
    const run = await ctx.store.getRun(id);
    if (!run) throw new KairosError('RUN_NOT_FOUND', `run ${id} does not exist`);
    return run;
  };

  routes.add(
    {
      method: 'GET',
      url: '/api/v1/runs/:id/events',
      summary:
        "A run's recorded events after `afterSeq`, in order (for Dify: every workflow and node event, verbatim, with its receive time)",
      tag: 'runs',
      access: { role: 'viewer', namespace: { resource: 'run' } },
      query: RunEventQuery,
      response: listOf(RunEvent),
    },
    async ({ params, query }) => {
      const run = await getRun(parseId(params.id, 'id'));
      const entries = await ctx.store.listRunEvents(run.id, query.afterSeq, query.limit);
      const last = entries.at(-1);
      return {
        items: entries.map(presentEvent),
        nextCursor: entries.length === query.limit && last ? String(last.seq) : null,
      };
    },
  );

  routes.add(
    {
      method: 'GET',
      url: '/api/v1/runs/:id/track',
      summary:
        "A run's node track: top-level nodes in execution order; iteration and loop nodes with their rounds, branch nodes with the branch taken",
      tag: 'runs',
      access: { role: 'viewer', namespace: { resource: 'run' } },
      response: RunTrack,
    },
    async ({ params }) => {
      const run = await getRun(parseId(params.id, 'id'));
      return readRunTrack(ctx.store, ctx.jobTypes, run);
    },
  );

  routes.add(
    {
      method: 'GET',
      url: '/api/v1/runs/:id/stream',
      summary:
        'Server-sent events of a run: its stored events first, then live ones as they arrive (`data` as in /events, `id` = seq); ends with an `end` event carrying the final status',
      tag: 'runs',
      access: { role: 'viewer', namespace: { resource: 'run' } },
    },
    async ({ params, reply, request }) => {
      const run = await getRun(parseId(params.id, 'id'));
      const sink = ctx.engine.runEvents;
      const raw = reply.raw;
      reply.hijack();
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      let last = 0;
      let closed = false;
      const send = (entry: RunEventRecord): void => {
        if (closed || entry.seq <= last) return;
        last = entry.seq;
        raw.write(`id: ${entry.seq}\ndata: ${JSON.stringify(presentEvent(entry))}\n\n`);
      };
      // Live events wait here until the stream has sent everything before them: a run taken over
      // from another node publishes its first event here while the earlier ones are only in the
      // store, and this node's write-behind queue may hold events published before we watched.
      let pending: RunEventRecord[] = [];
      let ended = false;
      let wake: (() => void) | undefined;
      const unwatch = sink.watch(run.id, {
        event: (entry) => {
          pending.push(entry);
          wake?.();
        },
        end: () => {
          ended = true;
          wake?.();
        },
      });
      const heartbeat = setInterval(() => raw.write(': ping\n\n'), HEARTBEAT_MS);
      // The response's 'close': the client went away (the request's fires once its body is read).
      const stopped = new Promise<void>((resolve) => raw.once('close', () => resolve()));
      void stopped.then(() => {
        closed = true;
        wake?.();
      });
      /** Sends the stored events after the last one sent and before `until`. */
      const replay = async (until = Number.POSITIVE_INFINITY): Promise<void> => {
        while (!closed) {
          const page = await ctx.store.listRunEvents(run.id, last, PAGE);
          for (const e of page) if (e.seq < until) send(e);
          if (page.length < PAGE || (page.at(-1)?.seq ?? 0) >= until) return;
        }
      };
      /** Sends the live events in order, reading the store for any gap before one (bounded: writers flush within ms). */
      const sendPending = async (): Promise<void> => {
        while (pending.length > 0 && !closed) {
          const batch = pending;
          pending = [];
          for (const entry of batch) {
            for (let tries = 0; entry.seq > last + 1 && tries < GAP_READS && !closed; tries++) {
              if (tries > 0) await sleep(GAP_READ_PAUSE_MS);
              await replay(entry.seq);
            }
            send(entry);
          }
        }
      };
      try {
        await replay();
        const isLive = () => sink.isLive(run.id) && !ended;
        while (!closed) {
          await sendPending();
          if (isLive()) {
            await new Promise<void>((resolve) => {
              wake = resolve;
              if (!isLive() || closed || pending.length > 0) resolve();
            });
            wake = undefined;
            continue;
          }
          // Not live here: finished, or running on another node (read the store).
          await replay();
          const now = await ctx.store.getRun(run.id);
          if (!now || TERMINAL_STATUSES.includes(now.status)) {
            await sendPending();
            await replay();
            if (!closed)
              raw.write(`event: end\ndata: ${JSON.stringify({ status: now?.status ?? null })}\n\n`);
            break;
          }
          if (sink.isLive(run.id) || pending.length > 0) continue;
          // The next read, or sooner a live event here (the run taken over by this node).
          await Promise.race([sleep(REMOTE_POLL_MS), new Promise<void>((resolve) => (wake = resolve))]);
          wake = undefined;
        }
      } catch (error) {
        request.log.error({ err: error }, 'run event stream failed');
      } finally {
        unwatch();
        clearInterval(heartbeat);
        raw.end();
      }
      return reply;
    },
  );
}
