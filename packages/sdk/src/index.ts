/**
 * The Kairos executor SDK: define task handlers and serve them to Kairos from your own process,
 * in push mode (an XXL-JOB-compatible executor Kairos calls) or pull mode (it long-polls Kairos,
 * so it needs no inbound port). `@kairos/sdk/testing` runs a handler without a server.
 *
 * @example
 *   import { createExecutor, defineTask, NonRetryableError } from '@kairos/sdk';
 *
 *   const report = defineTask('daily-report', async ({ params, shardIndex, shardTotal, log }) => {
 *     if (params === '') throw new NonRetryableError('params must name a day');
 *     log(`shard ${shardIndex + 1} of ${shardTotal}`);
 *     return { rows: 42 };
 *   });
 *   await createExecutor({ server, appName: 'reports', accessToken, mode: 'pull', tasks: [report] }).start();
 */
export { defineTask } from './task.js';
export type { TaskContext, TaskDefinition, TaskHandler } from './task.js';
export { NonRetryableError } from './errors.js';
export { createExecutor } from './executor.js';
export type { Executor, ExecutorOptions } from './executor.js';
export { KairosRequestError } from './admin-client.js';
