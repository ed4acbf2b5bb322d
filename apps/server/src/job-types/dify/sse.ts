/**
 * Reads a Dify event stream: `data: <json>` events, `event: ping` keep-alives (no data line),
 * any spacing. A stream silent for `idleMs` (Dify pings every 10 s) is dropped: a stalled proxy
 * or a lost terminal event must not hold a run forever.
 */
import { TextDecoder } from 'node:util';
import type { Readable } from 'node:stream';
import { createParser } from 'eventsource-parser';
import type { BackgroundShare } from '../../runtime/latency-tuning.js';

/** Characters parsed at a time (a few events, ~0.1 ms): the parser takes partial lines. */
const PIECE_CHARS = 4096;

export type StreamEnd = 'ended' | 'idle' | 'aborted' | 'broken';

export async function readEventStream(
  body: Readable,
  options: {
    idleMs: number;
    signal: AbortSignal;
    /** The share of the event loop reads and parsing take (see EventLoopShare). */
    share: BackgroundShare;
    /** `kind` is the SSE `event:` field (undefined for Dify's data events). */
    onEvent: (kind: string | undefined, data: string) => void;
  },
): Promise<StreamEnd> {
  const decoder = new TextDecoder();
  const parser = createParser({
    onEvent: (message) => {
      if (message.event === 'ping' || message.data === '') return;
      options.onEvent(message.event, message.data);
    },
  });
  let idle = false;
  const timer = setTimeout(() => {
    idle = true;
    body.destroy();
  }, options.idleMs);
  const onAbort = () => body.destroy();
  options.signal.addEventListener('abort', onAbort, { once: true });
  const chunks = body[Symbol.asyncIterator]();
  let done = false;
  try {
    for (;;) {
      // Each read waits for its turn (a few dozen reads a turn of the loop, see readTurn).
      await options.share.readTurn();
      const next = await chunks.next();
      if (next.done === true) break;
      const chunk: unknown = next.value;
      timer.refresh();
      // Hundreds of live streams must not delay the runs due meanwhile: a stream read after a
      // wait comes as one large chunk, so it is parsed in pieces, each in its turn.
      const text = decoder.decode(chunk as Buffer, { stream: true });
      for (let at = 0; at < text.length; at += PIECE_CHARS) {
        const piece = at === 0 && text.length <= PIECE_CHARS ? text : text.slice(at, at + PIECE_CHARS);
        await options.share.run(() => parser.feed(piece));
      }
    }
    done = true;
    // A last event without its blank line still counts.
    parser.reset({ consume: true });
    if (idle) return 'idle';
    return options.signal.aborted ? 'aborted' : 'ended';
  } catch {
    if (idle) return 'idle';
    return options.signal.aborted ? 'aborted' : 'broken';
  } finally {
    if (!done) chunks.return?.().catch(() => undefined);
    clearTimeout(timer);
    options.signal.removeEventListener('abort', onAbort);
  }
}
