/**
 * POST /runs/batch: many triggers in one request. Items are checked one by one (an unknown task,
 * or one of another namespace, fails its item only); the valid ones are stored in one
 * transaction and answered in order.
 */
import type { RunBatchResult } from '@kairos/protocol';
import type { z } from 'zod';
import type { RunBatchRequest } from '@kairos/protocol';
import type { TaskRecord } from '../../store/store.js';
import type { ApiContext } from '../context.js';

type Item = RunBatchResult['items'][number];

export async function triggerBatch(
  ctx: ApiContext,
  body: z.output<typeof RunBatchRequest>,
): Promise<RunBatchResult> {
  const namespaceId = body.namespace ? (await ctx.namespaces.resolve(body.namespace)).id : undefined;
  const ids = [...new Set(body.items.map((item) => item.taskId))];
  const tasks = new Map<number, TaskRecord | undefined>(
    await Promise.all(ids.map(async (id) => [id, await ctx.store.getTask(id)] as const)),
  );
  const results: Item[] = [];
  const accepted: { index: number; task: TaskRecord; item: (typeof body.items)[number] }[] = [];
  body.items.forEach((item, index) => {
    const task = tasks.get(item.taskId);
    const field = `items.${index}.taskId`;
    if (!task || (namespaceId !== undefined && task.namespaceId !== namespaceId)) {
      const where = namespaceId !== undefined ? ` in namespace ${body.namespace}` : '';
      results[index] = {
        error: { code: 'TASK_NOT_FOUND', message: `task ${item.taskId} does not exist${where}`, field },
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
