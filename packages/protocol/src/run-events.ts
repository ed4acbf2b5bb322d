/**
 * A run's recorded events and its node track (for Dify: every workflow and node event as
 * received, and the tree of nodes, iteration and loop rounds, branches taken).
 */
import { z } from 'zod';

/** One recorded event of a run (for Dify: a workflow or node event, as received). */
export const RunEvent = z.object({
  seq: z.number().int(),
  /** Receive time. */
  at: z.string(),
  /** The event's name, e.g. `node_finished`. */
  event: z.string(),
  /** The payload parsed as JSON; the raw text when it is not JSON or was truncated. */
  data: z.unknown(),
  /** The payload exceeded the size limit and was cut. */
  truncated: z.boolean(),
});
export type RunEvent = z.infer<typeof RunEvent>;

export const RunEventQuery = z.strictObject({
  afterSeq: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(5000).default(500),
});

/** A node of a run's track; iteration and loop nodes carry `rounds`, branch nodes their choice. */
export const TrackNode: z.ZodType<Record<string, unknown>> = z.looseObject({
  id: z.string(),
  nodeId: z.string(),
  nodeType: z.string(),
  title: z.string(),
  status: z.string(),
});

/** `GET /runs/{id}/track`: top-level nodes in execution order. */
export const RunTrack = z.object({ nodes: z.array(TrackNode) });
export type RunTrack = z.infer<typeof RunTrack>;
