/**
 * /api/v1/batches: start a batch of a task over a dataset, follow it, pause, resume, cancel,
 * retry its failed items, read or download its results, replay it (against another workflow
 * version) and compare two batches item by item (batches/).
 */
import {
  BATCH_BODY_LIMIT_BYTES,
  Batch,
  BatchCompareQuery,
  BatchComparison,
  BatchReplay,
  BatchCreate,
  BatchItemsPage,
  BatchItemsQuery,
  BatchListQuery,
  BatchResultsQuery,
  BatchRetried,
  BatchStarted,
  listOf,
} from '@kairos/protocol';
import { KairosError } from '../../errors.js';
import type { BatchService } from '../../batches/batch-service.js';
import { presentBatch, presentItem } from '../../batches/batch-present.js';
import { batchResults } from '../../batches/batch-results.js';
import { compareBatches } from '../../batches/batch-comparison.js';
import type { BatchRecord } from '../../store/batch-store.js';
import type { ApiContext } from '../context.js';
import type { RouteTable } from '../route-table.js';
import { parseId } from '../validation.js';

export function batchRoutes(routes: RouteTable, ctx: ApiContext, batches: BatchService): void {
  const present = async (batch: BatchRecord) =>
    presentBatch(
      batch,
      await ctx.namespaces.nameOf(batch.namespaceId),
      await ctx.store.countItems(batch.id, 'running'),
      ctx.clock.now(),
    );
  const idOf = (params: Record<string, string>) => parseId(params.id, 'id');

  routes.add(
    {
      method: 'POST',
      url: '/api/v1/batches',
      summary:
        "Start a batch: one run of the task per item of a dataset (uploaded JSONL or CSV, a URL, or a run's output list)",
      tag: 'batches',
      access: { role: 'operator', namespace: 'any' },
      body: BatchCreate,
      response: BatchStarted,
      status: 201,
      bodyLimit: BATCH_BODY_LIMIT_BYTES,
    },
    async ({ body, request }) => {
      const task = await ctx.store.getTask(body.taskId);
      if (!task || !(await ctx.access.holds(request, task.namespaceId))) {
        throw new KairosError('VALIDATION_ERROR', `taskId: task ${body.taskId} does not exist`, {
          field: 'taskId',
        });
      }
      if (!(await ctx.access.holds(request, task.namespaceId, 'operator'))) {
        throw new KairosError('FORBIDDEN', `task ${task.id}: starting a batch of it needs the operator role`);
      }
      const { batch, itemErrors } = await batches.start(task, body, ctx.access.principal(request).name);
      return { ...(await present(batch)), itemErrors };
    },
  );

  routes.add(
    {
      method: 'GET',
      url: '/api/v1/batches',
      summary: 'List batches, newest first, filtered by task and status',
      tag: 'batches',
      access: { role: 'viewer', namespace: 'query' },
      query: BatchListQuery,
      response: listOf(Batch),
    },
    async ({ query, request }) => {
      const namespaceId = await ctx.access.listScope(request, query.namespace);
      const page = await ctx.store.listBatches(
        { namespaceId, taskId: query.taskId, statuses: query.status },
        { cursor: query.cursor, limit: query.limit },
      );
      return { items: await Promise.all(page.items.map(present)), nextCursor: page.nextCursor };
    },
  );

  routes.add(
    {
      method: 'GET',
      url: '/api/v1/batches/:id',
      summary: 'A batch and its progress (done, failed, left, tokens, cost, estimated finish)',
      tag: 'batches',
      access: { role: 'viewer', namespace: { resource: 'batch' } },
      response: Batch,
    },
    async ({ params }) => present(await batches.get(idOf(params))),
  );

  const action = (verb: 'pause' | 'resume' | 'cancel', summary: string) =>
    routes.add(
      {
        method: 'POST',
        url: `/api/v1/batches/:id/${verb}`,
        summary,
        tag: 'batches',
        access: { role: 'operator', namespace: { resource: 'batch' } },
        response: Batch,
      },
      async ({ params }) => present(await batches[verb](idOf(params))),
    );
  action('pause', 'Pause a batch: no new item starts; running ones finish');
  action('resume', 'Resume a paused batch');
  action('cancel', 'Cancel a batch: pending items are cancelled and running runs are cancelled');

  routes.add(
    {
      method: 'POST',
      url: '/api/v1/batches/:id/retry-failed',
      summary: 'Run the failed items of a batch again (a new attempt each); the others are left alone',
      tag: 'batches',
      access: { role: 'operator', namespace: { resource: 'batch' } },
      response: BatchRetried,
    },
    async ({ params }) => {
      const { retried, batch } = await batches.retryFailed(idOf(params));
      return { retried, batch: await present(batch) };
    },
  );

  routes.add(
    {
      method: 'GET',
      url: '/api/v1/batches/:id/items',
      summary: "A batch's items in order, optionally of some statuses (`status=failed,invalid`)",
      tag: 'batches',
      access: { role: 'viewer', namespace: { resource: 'batch' } },
      query: BatchItemsQuery,
      response: BatchItemsPage,
    },
    async ({ params, query }) => {
      const batch = await batches.get(idOf(params));
      const items = await ctx.store.listBatchItems(batch.id, {
        statuses: query.status,
        afterSeq: query.afterSeq,
        limit: query.limit,
      });
      const last = items[items.length - 1];
      return {
        items: items.map(presentItem),
        nextAfterSeq: items.length === query.limit && last ? last.seq : null,
      };
    },
  );

  routes.add(
    {
      method: 'GET',
      url: '/api/v1/batches/:id/results',
      summary: "Download a batch's results, one line per item: `format=jsonl` (default) or `format=csv`",
      tag: 'batches',
      access: { role: 'viewer', namespace: { resource: 'batch' } },
      query: BatchResultsQuery,
    },
    async ({ params, query, reply }) => {
      const batch = await batches.get(idOf(params));
      const csv = query.format === 'csv';
      reply.hijack();
      reply.raw.writeHead(200, {
        'content-type': csv ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
        'content-disposition': `attachment; filename="batch-${batch.id}.${query.format}"`,
      });
      try {
        for await (const chunk of batchResults(ctx.store, batch.id, query.format, query.status)) {
          if (!reply.raw.write(chunk)) await new Promise((resolve) => reply.raw.once('drain', resolve));
        }
      } finally {
        reply.raw.end();
      }
    },
  );

  routes.add(
    {
      method: 'POST',
      url: '/api/v1/batches/:id/replay',
      summary:
        "Replay a finished batch: its items (same inputs) as a new batch of the task, pinned to a workflow version (`workflowId`) or the task's current one",
      tag: 'batches',
      access: { role: 'operator', namespace: { resource: 'batch' } },
      body: BatchReplay,
      response: Batch,
      status: 201,
    },
    async ({ params, body, request }) =>
      present(await batches.replay(idOf(params), body, ctx.access.principal(request).name)),
  );

  routes.add(
    {
      method: 'GET',
      url: '/api/v1/batches/:id/compare/:otherId',
      summary:
        'Compare two batches of a task item by item (the first is the baseline): per item status, output equal or not, tokens and cost deltas; totals improved, regressed, unchanged',
      tag: 'batches',
      access: { role: 'viewer', namespace: { resource: 'batch' } },
      query: BatchCompareQuery,
      response: BatchComparison,
    },
    async ({ params, query, request }) => {
      const baseline = await batches.get(idOf(params));
      const otherId = parseId(params.otherId, 'otherId');
      const candidate = await ctx.store.getBatch(otherId);
      if (
        !candidate ||
        candidate.status === 'preparing' ||
        !(await ctx.access.holds(request, candidate.namespaceId))
      ) {
        throw new KairosError('BATCH_NOT_FOUND', `otherId: batch ${otherId} does not exist`, {
          field: 'otherId',
        });
      }
      if (candidate.taskId !== baseline.taskId) {
        throw new KairosError(
          'VALIDATION_ERROR',
          `otherId: batch ${otherId} is of task ${candidate.taskId}, batch ${baseline.id} of task ${baseline.taskId}; compare batches of one task`,
          { field: 'otherId' },
        );
      }
      const task = await ctx.store.getTask(baseline.taskId);
      const result = task ? ctx.jobTypes?.get(task.type)?.result : undefined;
      return compareBatches(ctx.store, baseline.id, candidate.id, query, (output) =>
        result && output !== null ? result(output) : output,
      );
    },
  );
}
