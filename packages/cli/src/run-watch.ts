/**
 * Polling a run: `tasks run --wait` and `runs logs --follow`. The API has no push channel the
 * CLI uses yet, so both poll at the context's interval (1 s by default).
 */
import { TERMINAL_STATUSES } from '@kairos/protocol';
import type { KairosClient, Run, RunEvent, RunLogEntry } from '@kairos/protocol';
import type { CommandContext } from './context.js';

export const isTerminal = (run: Run): boolean => TERMINAL_STATUSES.includes(run.status);

/** Polls the run until its status is terminal and answers it. */
export async function waitForRun(
  client: KairosClient,
  runId: number | string,
  ctx: CommandContext,
): Promise<Run> {
  for (;;) {
    const run = await client.runs.get(runId);
    if (isTerminal(run)) return run;
    await ctx.sleep(ctx.pollIntervalMs);
  }
}

/**
 * Hands every log entry after `afterSeq` to `onEntry`, page by page, and answers the last seq
 * seen. Pages follow the last entry's seq rather than the opaque cursor, so a follow loop can
 * resume from the same number.
 */
export async function drainLogs(
  client: KairosClient,
  runId: number | string,
  afterSeq: number,
  onEntry: (entry: RunLogEntry) => void,
): Promise<number> {
  let seq = afterSeq;
  for (;;) {
    const page = await client.runs.logs(runId, { afterSeq: seq });
    for (const entry of page.items) {
      onEntry(entry);
      seq = Math.max(seq, entry.seq);
    }
    if (page.items.length === 0 || page.nextCursor === null) return seq;
  }
}

/** As drainLogs, for a run's events (a Dify run's node progress). */
export async function drainEvents(
  client: KairosClient,
  runId: number | string,
  afterSeq: number,
  onEvent: (event: RunEvent) => void,
): Promise<number> {
  let seq = afterSeq;
  for (;;) {
    const page = await client.runs.events(runId, { afterSeq: seq });
    for (const event of page.items) {
      onEvent(event);
      seq = Math.max(seq, event.seq);
    }
    if (page.items.length === 0 || page.nextCursor === null) return seq;
  }
}

/** `2026-03-15T06:00:00.123Z stdout  text` (one trailing newline of the text dropped). */
export const formatLogEntry = (entry: RunLogEntry): string =>
  `${entry.at} ${entry.stream.padEnd(6)} ${entry.text.replace(/\r?\n$/, '')}`;
