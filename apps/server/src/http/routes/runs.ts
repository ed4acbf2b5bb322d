import {
  LogQuery,
  Run,
  RunBatchRequest,
  RunBatchResult,
  RunListQuery,
  RunLogEntry,
  listOf,
} from '@kairos/protocol';
import { KairosError } from '../../errors.js';
import type { ApiContext } from '../context.js';
import { presentLog, presentRun } from '../present.js';
import type { RouteTable } from '../route-table.js';
import { instant, parseId } from '../validation.js';
import { triggerBatch } from './run-batch.js';

export function runRoutes(routes: RouteTable, ctx: ApiContext): void {
  const getRun = async (id: number) => {
    const run = await ctx.store.getRun(id);
    if (!run) throw new KairosError('RUN_NOT_FOUND', `run ${id} does not exist`);
    return run;
  };

  routes.add(
    {
      method: 'GET',
      url: '/api/v1/runs',
      summary:
        'List runs, newest first, filtered by task, app, status, trigger type and scheduled time range',
      tag: 'runs',
      access: { role: 'viewer', namespace: 'query' },
      query: RunListQuery,
      response: listOf(Run),
    },
    async ({ query, request }) => {
      const namespaceId = await ctx.access.listScope(request, query.namespace);
      const page = await ctx.store.listRuns(
        {
          namespaceId,
          taskId: query.taskId,
          appId: query.appId,
          statuses: query.status,
          triggerTypes: query.triggerType,
          from: instant(query.from),
          to: instant(query.to),
        },
        { cursor: query.cursor, limit: query.limit },
      );
      const items = await Promise.all(
        page.items.map(async (r) => presentRun(r, await ctx.namespaces.nameOf(r.namespaceId))),
      );
      return { items, nextCursor: page.nextCursor };
    },
  );

  routes.add(
    {
      method: 'GET',
      url: '/api/v1/runs/:id',
      summary: 'Get a run',
      tag: 'runs',
      access: { role: 'viewer', namespace: { resource: 'run' } },
      response: Run,
    },
    async ({ params }) => {
      const run = await getRun(parseId(params.id, 'id'));
      const waiting = run.status === 'scheduled' ? (ctx.waitingOf?.(run.id) ?? null) : null;
      return { ...presentRun(run, await ctx.namespaces.nameOf(run.namespaceId)), waiting };
    },
  );

  routes.add(
    {
      method: 'GET',
      url: '/api/v1/runs/:id/logs',
      summary: "A run's log lines after `afterSeq` (pass the last seq you saw to follow a live run)",
      tag: 'runs',
      access: { role: 'viewer', namespace: { resource: 'run' } },
      query: LogQuery,
      response: listOf(RunLogEntry),
    },
    async ({ params, query }) => {
      const run = await getRun(parseId(params.id, 'id'));
      // Executor runs: copy what the executor's /log has that the run's log has not yet.
      await ctx.executors?.logs.refresh(run);
      const entries = await ctx.store.listRunLogs(run.id, query.afterSeq, query.limit);
      const last = entries.at(-1);
      return {
        items: entries.map(presentLog),
        nextCursor: entries.length === query.limit && last ? String(last.seq) : null,
      };
    },
  );

  routes.add(
    {
      method: 'POST',
      url: '/api/v1/runs/:id/cancel',
      summary: 'Cancel a scheduled, queued or running run',
      tag: 'runs',
      access: { role: 'operator', namespace: { resource: 'run' } },
      response: Run,
    },
    async ({ params }) => {
      const run = await ctx.engine.cancel(parseId(params.id, 'id'));
      return presentRun(run, await ctx.namespaces.nameOf(run.namespaceId));
    },
  );

  routes.add(
    {
      method: 'POST',
      url: '/api/v1/runs/batch',
      summary:
        'Trigger up to 1,000 runs in one request and one transaction; per-item results in order (an unknown task is an error of its item only)',
      tag: 'runs',
      access: { role: 'operator', namespace: 'any' },
      body: RunBatchRequest,
      response: RunBatchResult,
    },
    async ({ body, request }) => triggerBatch(ctx, body, request),
  );
}
