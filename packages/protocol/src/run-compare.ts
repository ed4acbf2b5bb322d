/**
 * Replay and compare: a past run run again with the same input (optionally pinned to the target
 * version it ran, for Dify its workflow_id), and two runs side by side, node by node.
 */
import { z } from 'zod';
import { Run } from './schemas.js';

export const ReplayRequest = z.strictObject({
  /** Run the version the original ran (Dify: its workflow_id) rather than the task's current one. */
  pin: z.boolean().default(false),
});
export type ReplayRequest = z.input<typeof ReplayRequest>;

export const CompareQuery = z.strictObject({
  left: z.coerce.number().int().positive(),
  right: z.coerce.number().int().positive(),
});

/** One node as one run ran it. */
export const ComparedNodeSide = z.object({
  status: z.string(),
  outputs: z.unknown(),
  elapsedMs: z.number().nullable(),
  tokens: z.number().nullable(),
});
export type ComparedNodeSide = z.infer<typeof ComparedNodeSide>;

/** A node of either run's track (top level), matched by node id and occurrence. */
export const ComparedNode = z.object({
  nodeId: z.string(),
  title: z.string(),
  nodeType: z.string(),
  left: ComparedNodeSide.nullable(),
  right: ComparedNodeSide.nullable(),
  /** Status and outputs equal on both sides. */
  same: z.boolean(),
});
export type ComparedNode = z.infer<typeof ComparedNode>;

export const RunComparison = z.object({
  left: Run,
  right: Run,
  /** Which of the run-level fields are equal. */
  same: z.object({
    input: z.boolean(),
    output: z.boolean(),
    status: z.boolean(),
    tokens: z.boolean(),
    cost: z.boolean(),
  }),
  nodes: z.array(ComparedNode),
});
export type RunComparison = z.infer<typeof RunComparison>;
