/**
 * POST /runs/batch: many triggers in one request. Items are checked one by one (an unknown task,
 * or one of another namespace, fails its item only); the valid ones are stored in one
 * transaction and answered in order. A task in a namespace the caller cannot see is unknown to
 * it; one where it may look but not run (below operator) fails its item with FORBIDDEN.
 */
import type { RunBatchResult } from '@kairos/protocol';
import type { z } from 'zod';
import type { RunBatchRequest } from '@kairos/protocol';
import type { TaskRecord } from '../../store/store.js';
import type { FastifyRequest } from 'fastify';
import type { ApiContext } from '../context.js';

type Item = RunBatchResult['items'][number];

export async function triggerBatch(
  ctx: ApiContext,
  body: z.output<typeof RunBatchRequest>,
  request: FastifyRequest,
): Promise<RunBatchResult> {
  if (body.namespace) ctx.access.require(request, body.namespace, 'operator');
  const namespaceId = body.namespace ? (await ctx.namespaces.resolve(body.namespace)).id : undefined;
  const ids = [...new Set(body.items.map((item) => item.taskId))];
  const tasks = new Map<number, TaskRecord | undefined>(
    await Promise.all(ids.map(async (id) => [id, await ctx.store.getTask(id)] as const)),
  );
  const may = new Map<number, 'run' | 'see' | 'none'>();
  for (const id of new Set([...tasks.values()].flatMap((t) => (t ? [t.namespaceId] : [])))) {
    may.set(
      id,
      (await ctx.access.holds(request, id, 'operator'))
        ? 'run'
        : (await ctx.access.holds(request, id))
          ? 'see'
          : 'none',
    );
  }
  const results: Item[] = [];
  const accepted: { index: number; task: TaskRecord; item: (typeof body.items)[number] }[] = [];
  body.items.forEach((item, index) => {
    const task = tasks.get(item.taskId);
    const field = `items.${index}.taskId`;
    const allowed = task ? may.get(task.namespaceId) : 'none';
    if (!task || allowed === 'none' || (namespaceId !== undefined && task.namespaceId !== namespaceId)) {
      const where = namespaceId !== undefined ? ` in namespace ${body.namespace}` : '';
      results[index] = {
        error: { code: 'TASK_NOT_FOUND', message: `task ${item.taskId} does not exist${where}`, field },
      };
    } else if (allowed === 'see') {
      results[index] = {
        error: {
          code: 'FORBIDDEN',
          message: `task ${item.taskId}: running it needs the operator role`,
          field,
        },
      };
    } else accepted.push({ index, task, item });
  });
  const runs = await ctx.engine.triggerMany(
    accepted.map(({ task, item }) => ({
      task,
      input: item.input,
      triggerType: task.schedule.type === 'api' ? 'api' : 'manual',
      idempotencyKey: item.idempotencyKey,
    })),
  );
  accepted.forEach(({ index }, i) => {
    const { run, created } = runs[i]!;
    results[index] = { runId: run.id, created };
  });
  return { items: results };
}
