/**
 * `/api/v1/batches`: a task run once per item of a dataset. The items come from an
 * uploaded JSONL or CSV text, a URL, or an earlier run's output list; each item's input is merged
 * over the batch's `input`, itself merged over the task's own inputs by the job type.
 */
import { z } from 'zod';

/** The largest request body POST /batches accepts (an uploaded dataset travels in it). */
export const BATCH_BODY_LIMIT_BYTES = 32 * 1024 * 1024;
/** The largest dataset fetched from a URL. */
export const BATCH_URL_LIMIT_BYTES = BATCH_BODY_LIMIT_BYTES;

export const DatasetFormat = z.enum(['jsonl', 'csv']);
export type DatasetFormat = z.infer<typeof DatasetFormat>;

export const BatchSourceInput = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('upload'),
    format: DatasetFormat,
    /** The file's text: one JSON object per line (JSONL), or a CSV with a header row. */
    content: z.string(),
    filename: z.string().max(255).optional(),
  }),
  z.strictObject({
    type: z.literal('url'),
    url: z.url({ protocol: /^https?$/, message: 'must be an http or https URL' }),
    /** Default: from the URL's extension (.csv: csv), else jsonl. */
    format: DatasetFormat.optional(),
  }),
  z.strictObject({
    type: z.literal('run'),
    runId: z.number().int().positive(),
    /** Dotted path to a list in the run's output (`result.rows`); empty: the output itself. */
    path: z.string().max(500).default(''),
    /** An element that is not an object becomes `{ [as]: element }`. */
    as: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'must be a variable name')
      .default('item'),
  }),
]);
export type BatchSourceInput = z.input<typeof BatchSourceInput>;

export const BatchCreate = z.strictObject({
  taskId: z.number().int().positive(),
  name: z.string().min(1).max(200).optional(),
  /** Items running at once. */
  concurrency: z.number().int().min(1).max(1000).default(10),
  /** A provider pacing pool the batch's runs share (see pools). */
  pool: z.string().min(1).max(100).optional(),
  /** Merged under every item's input (the item's fields win). */
  input: z.record(z.string(), z.unknown()).optional(),
  source: BatchSourceInput,
});
export type BatchCreate = z.input<typeof BatchCreate>;

export const BatchStatus = z.enum(['running', 'paused', 'cancelled', 'completed']);
export type BatchStatus = z.infer<typeof BatchStatus>;
export const BatchItemStatus = z.enum(['pending', 'running', 'succeeded', 'failed', 'invalid', 'cancelled']);
export type BatchItemStatus = z.infer<typeof BatchItemStatus>;

export const BatchProgress = z.object({
  total: z.number(),
  /** Succeeded. */
  done: z.number(),
  failed: z.number(),
  /** Items the dataset could not turn into an input (never run). */
  invalid: z.number(),
  cancelled: z.number(),
  running: z.number(),
  /** Still to finish: pending and running. */
  left: z.number(),
  tokens: z.number(),
  cost: z.number(),
  currency: z.string().nullable(),
  /** At the pace so far; null before the first item finished or once nothing is left. */
  estimatedFinishAt: z.string().nullable(),
});
export type BatchProgress = z.infer<typeof BatchProgress>;

export const Batch = z.object({
  id: z.number(),
  namespace: z.string(),
  taskId: z.number(),
  name: z.string().nullable(),
  status: BatchStatus,
  concurrency: z.number(),
  pool: z.string().nullable(),
  input: z.record(z.string(), z.unknown()).nullable(),
  source: z.record(z.string(), z.unknown()),
  progress: BatchProgress,
  createdBy: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  finishedAt: z.string().nullable(),
});
export type Batch = z.infer<typeof Batch>;

export const BatchItemError = z.object({ seq: z.number(), message: z.string() });

/** The batch started, with the first per-item errors of its dataset (all: GET …/items?status=invalid). */
export const BatchStarted = Batch.extend({
  itemErrors: z.array(BatchItemError),
});
export type BatchStarted = z.infer<typeof BatchStarted>;

export const BatchItem = z.object({
  seq: z.number(),
  status: BatchItemStatus,
  input: z.record(z.string(), z.unknown()).nullable(),
  attempt: z.number(),
  runId: z.number().nullable(),
  output: z.unknown(),
  error: z.looseObject({ type: z.string(), message: z.string() }).nullable(),
  tokens: z.number().nullable(),
  cost: z.number().nullable(),
  finishedAt: z.string().nullable(),
});
export type BatchItem = z.infer<typeof BatchItem>;

const statusList = <T extends z.ZodType>(item: T) =>
  z.preprocess((v) => (typeof v === 'string' ? v.split(',').filter(Boolean) : v), z.array(item));

export const BatchListQuery = z.strictObject({
  namespace: z.string().optional(),
  taskId: z.coerce.number().int().positive().optional(),
  status: statusList(BatchStatus).optional(),
  cursor: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

export const BatchItemsQuery = z.strictObject({
  status: statusList(BatchItemStatus).optional(),
  /** Items after this seq (pass the last seq you saw). */
  afterSeq: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

export const BatchResultsQuery = z.strictObject({
  format: DatasetFormat.default('jsonl'),
  status: statusList(BatchItemStatus).optional(),
});

export const BatchItemsPage = z.object({ items: z.array(BatchItem), nextAfterSeq: z.number().nullable() });
export type BatchItemsPage = z.infer<typeof BatchItemsPage>;

export const BatchRetried = z.object({ retried: z.number(), batch: Batch });
export type BatchRetried = z.infer<typeof BatchRetried>;

/** Replays a finished batch: the same items (same inputs), a new batch of the same task. */
export const BatchReplay = z.strictObject({
  /**
   * A Dify workflow version (its workflow_id) the replay's runs are pinned to; absent: the
   * version the task runs now.
   */
  workflowId: z.uuid('must be a workflow version id (a UUID)').optional(),
  name: z.string().min(1).max(200).optional(),
  /** Default: the replayed batch's. */
  concurrency: z.number().int().min(1).max(1000).optional(),
  /** Default: the replayed batch's pool. */
  pool: z.string().min(1).max(100).optional(),
});
export type BatchReplay = z.input<typeof BatchReplay>;

export const BatchCompareQuery = z.strictObject({
  /** Items after this seq (pass the last seq you saw). */
  afterSeq: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

/** `pending`: either side has not ended yet. */
export const ItemVerdict = z.enum(['improved', 'regressed', 'unchanged', 'pending']);
export type ItemVerdict = z.infer<typeof ItemVerdict>;

const ComparedSide = z.object({
  status: BatchItemStatus,
  runId: z.number().nullable(),
  tokens: z.number().nullable(),
  cost: z.number().nullable(),
});

export const BatchItemComparison = z.object({
  seq: z.number(),
  baseline: ComparedSide,
  candidate: ComparedSide,
  /** Whether both ended with the same result (for Dify: the workflow's `outputs`). */
  outputEqual: z.boolean(),
  /** Candidate minus baseline; null when either has none. */
  tokensDelta: z.number().nullable(),
  costDelta: z.number().nullable(),
  verdict: ItemVerdict,
});
export type BatchItemComparison = z.infer<typeof BatchItemComparison>;

const Totals = z.object({ baseline: z.number(), candidate: z.number(), delta: z.number() });

/** Two batches over the same items compared item by item (by seq); totals over all items. */
export const BatchComparison = z.object({
  baselineId: z.number(),
  candidateId: z.number(),
  totals: z.object({
    items: z.number(),
    improved: z.number(),
    regressed: z.number(),
    unchanged: z.number(),
    pending: z.number(),
    /** Items both ended whose results differ. */
    outputsDiffer: z.number(),
    tokens: Totals,
    cost: Totals,
  }),
  items: z.array(BatchItemComparison),
  nextAfterSeq: z.number().nullable(),
});
export type BatchComparison = z.infer<typeof BatchComparison>;
