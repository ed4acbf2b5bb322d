/**
 * Dead letters: runs whose retries are exhausted (a final `failed`, `timed_out` or `lost` with
 * no retry run after it), listed at /api/v1/dead-letters, redriven (run again with the same
 * input, triggerType `redrive`, linked by replayOf) or discarded; what was done is kept.
 */
import { z } from 'zod';
import { Run } from './schemas.js';

const id = z.number().int().positive();
const isoInstant = z.iso.datetime({
  offset: true,
  message: 'must be an ISO-8601 instant, e.g. 2026-03-15T06:00:00Z',
});
const csv = <T extends z.ZodType>(item: T) =>
  z.preprocess((v) => (typeof v === 'string' ? v.split(',').filter(Boolean) : v), z.array(item));

export const DEAD_LETTER_STATUSES = ['failed', 'timed_out', 'lost'] as const;
export const DeadLetterState = z.enum(['open', 'redriven', 'discarded']);
export type DeadLetterState = z.infer<typeof DeadLetterState>;

export const DeadLetterListQuery = z.strictObject({
  namespace: z.string().optional(),
  taskId: z.coerce.number().int().positive().optional(),
  status: csv(z.enum(DEAD_LETTER_STATUSES)).optional(),
  /** Default `open`: the ones still to handle; `all` includes those redriven or discarded. */
  state: z.enum(['open', 'redriven', 'discarded', 'all']).default('open'),
  /** finishedAt >= since */
  since: isoInstant.optional(),
  /** finishedAt < until */
  until: isoInstant.optional(),
  cursor: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

export const DeadLetter = z.object({
  run: Run,
  taskName: z.string(),
  state: DeadLetterState,
  /** When it was redriven or discarded, by whom, and the redrive's run. */
  handledAt: z.string().nullable(),
  handledBy: z.string().nullable(),
  redriveRunId: id.nullable(),
});
export type DeadLetter = z.infer<typeof DeadLetter>;

export const DEAD_LETTER_BATCH_MAX = 500;
export const DeadLetterActionRequest = z.strictObject({
  runIds: z
    .array(id)
    .min(1, 'must name at least one run')
    .max(DEAD_LETTER_BATCH_MAX, `must name at most ${DEAD_LETTER_BATCH_MAX} runs`),
});
export type DeadLetterActionRequest = z.input<typeof DeadLetterActionRequest>;

/** Per run, in order: done (with the redrive's run), or why not. */
export const DeadLetterActionResult = z.object({
  items: z.array(
    z.union([
      z.object({ runId: id, newRunId: id.nullable() }),
      z.object({
        runId: id,
        error: z.object({ code: z.string(), message: z.string(), field: z.string() }),
      }),
    ]),
  ),
});
export type DeadLetterActionResult = z.infer<typeof DeadLetterActionResult>;
