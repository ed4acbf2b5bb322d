/**
 * `GET|PUT /api/v1/namespaces/{name}/retention`: how long a namespace's run history is kept.
 * Each setting: a number, 0 for no limit of that kind, or null for the server's
 * default (retentionDays, retentionRunsPerTask, retentionLogDays). The answer also gives the
 * settings in effect.
 */
import { z } from 'zod';

const days = z.number().int().min(0).max(36_500).nullable();

export const RetentionUpdate = z.strictObject({
  /** Runs are kept this many days after they finished. */
  keepDays: days.optional(),
  /** Each task's newest runs kept, whatever their age. */
  keepRunsPerTask: z.number().int().min(0).max(10_000_000).nullable().optional(),
  /** Logs and events are kept this many days after their run finished (the run stays longer). */
  keepLogsDays: days.optional(),
});
export type RetentionUpdate = z.input<typeof RetentionUpdate>;

const settings = {
  keepDays: z.number().nullable(),
  keepRunsPerTask: z.number().nullable(),
  keepLogsDays: z.number().nullable(),
};
export const Retention = z.object({
  namespace: z.string(),
  /** As set on the namespace (null: the server's default). */
  ...settings,
  /** What the pruner applies: the namespace's settings over the server's defaults; 0: no limit. */
  effective: z.object({ keepDays: z.number(), keepRunsPerTask: z.number(), keepLogsDays: z.number() }),
});
export type Retention = z.infer<typeof Retention>;
