/**
 * REST shapes of executors: the registry listing, an app's manual address list, a
 * run's executions (one per shard), and the pull-mode endpoints the SDK long-polls.
 */
import { z } from 'zod';

export const ExecutorListQuery = z.strictObject({
  /** An app id or appName; all apps when absent. */
  app: z.string().min(1).optional(),
  namespace: z.string().optional(),
});

export const Executor = z.object({
  id: z.number().int(),
  appId: z.number().int(),
  appName: z.string(),
  address: z.string(),
  mode: z.enum(['push', 'pull']),
  protocol: z.enum(['xxl', 'xxl35', 'kairos']),
  status: z.enum(['live', 'dead', 'removed']),
  registeredAt: z.string(),
  lastHeartbeatAt: z.string(),
  /** Executions dispatched to it and not completed yet. */
  runningRuns: z.number().int(),
});
export type Executor = z.infer<typeof Executor>;

export const ExecutorAddressList = z.strictObject({
  /** Manual executor addresses (http or https); null returns the app to registered executors. */
  addresses: z.array(z.string().min(1).max(2048)).min(1).max(1000).nullable(),
});
export type ExecutorAddressList = z.infer<typeof ExecutorAddressList>;

export const Execution = z.object({
  /** The XXL-JOB logId. */
  id: z.number().int(),
  runId: z.number().int(),
  shardIndex: z.number().int(),
  shardTotal: z.number().int(),
  executor: z.string(),
  status: z.enum(['queued', 'dispatched', 'succeeded', 'failed', 'lost', 'killed']),
  handleCode: z.number().int().nullable(),
  message: z.string().nullable(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
});
export type Execution = z.infer<typeof Execution>;

/** One execution's result, as a pull executor reports it (handleCode 200 = success). */
const PullResultItem = z.strictObject({
  logId: z.number().int().positive(),
  handleCode: z.number().int(),
  handleMsg: z.string().nullable().optional(),
  nonRetryable: z.boolean().optional(),
});

export const PullPoll = z.strictObject({
  /** The executor's own stable id (one per process); its address is `pull://<executorId>`. */
  executorId: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'must be 1-128 letters, digits, "_", ".", ":" or "-"'),
  /** How long to hold the request when there is nothing to do, in ms. */
  waitMs: z.number().int().min(0).max(60_000).default(20_000),
  /** The most executions to take at once. */
  max: z.number().int().min(1).max(1000).default(100),
  /**
   * Results ready when the poll is sent, applied alongside it as a /callback batch would be (one
   * request per run instead of two when handlers are quick); see `resendResults`.
   */
  results: z.array(PullResultItem).max(10_000).optional(),
});
export const PullPollResult = z.object({
  /** XXL-JOB TriggerParams, logId and logDateTime included. */
  tasks: z.array(z.record(z.string(), z.unknown())),
  /** logIds whose kill was requested. */
  kills: z.array(z.number().int()),
  /** Present when the results the poll carried could not be applied: send them again. */
  resendResults: z.literal(true).optional(),
});

export const PullCallback = z.strictObject({
  executorId: z.string().min(1).max(128),
  items: z.array(PullResultItem).max(10_000),
});
export const PullCallbackResult = z.object({ applied: z.number().int(), skipped: z.array(z.string()) });

export const PullLogs = z.strictObject({
  executorId: z.string().min(1).max(128),
  entries: z
    .array(
      z.strictObject({
        logId: z.number().int().positive(),
        stream: z.enum(['stdout', 'stderr']).default('stdout'),
        text: z.string().max(64 * 1024),
      }),
    )
    .max(10_000),
});

export const PullDisconnect = z.strictObject({ executorId: z.string().min(1).max(128) });
