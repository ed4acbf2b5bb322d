/**
 * The execution of one run (or one shard of it) on one executor, as it is stored before the
 * trigger leaves: XXL-JOB's trigger body (handler or glue, params, block strategy, shard) and
 * where it goes. Its `logId` and `logDateTime` come from the stored row.
 */
import type { XxlBlockStrategy, XxlTriggerParam } from '@kairos/protocol';
import type { NewExecution } from '../../store/executor-records.js';
import type { RouteStrategy } from './route-strategies.js';
import type { ExecutorTarget } from './executor-registry.js';

export type BlockStrategy = 'serial' | 'discard_later' | 'cover_early';
export type GlueType = 'shell' | 'python' | 'nodejs';

export interface ExecutorTaskConfig {
  handler: string;
  params: string;
  routeStrategy: RouteStrategy;
  blockStrategy: BlockStrategy;
  glue?: { type: GlueType; source: string } | undefined;
}

const BLOCK: Record<BlockStrategy, XxlBlockStrategy> = {
  serial: 'SERIAL_EXECUTION',
  discard_later: 'DISCARD_LATER',
  cover_early: 'COVER_EARLY',
};
const GLUE: Record<GlueType, string> = { shell: 'GLUE_SHELL', python: 'GLUE_PYTHON', nodejs: 'GLUE_NODEJS' };

export interface ExecutionOf {
  runId: number;
  taskId: number;
  appId: number;
  config: ExecutorTaskConfig;
  /** The run's input: it replaces the task's params. */
  input: unknown;
  target: ExecutorTarget;
  shardIndex: number;
  shardTotal: number;
  createdAt: number;
}

/** The execution to store: pull executors find it `queued`, push executors are sent it (`dispatched`). */
export function newExecution(of: ExecutionOf): NewExecution {
  const { config } = of;
  const trigger: Omit<XxlTriggerParam, 'logId' | 'logDateTime'> = {
    jobId: of.taskId,
    executorHandler: config.glue ? '' : config.handler,
    executorParams: paramsOf(config, of.input),
    executorBlockStrategy: BLOCK[config.blockStrategy],
    executorTimeout: 0,
    glueType: config.glue ? GLUE[config.glue.type] : 'BEAN',
    glueSource: config.glue?.source ?? '',
    glueUpdatetime: config.glue ? glueVersion(config.glue.source) : 0,
    broadcastIndex: of.shardIndex,
    broadcastTotal: of.shardTotal,
  };
  return {
    runId: of.runId,
    taskId: of.taskId,
    appId: of.appId,
    shardIndex: of.shardIndex,
    shardTotal: of.shardTotal,
    executorAddress: of.target.address,
    status: of.target.mode === 'pull' ? 'queued' : 'dispatched',
    trigger,
    createdAt: of.createdAt,
  };
}

/** The task's params, or the trigger's input when one was given (a string as is, else JSON). */
function paramsOf(config: ExecutorTaskConfig, input: unknown): string {
  if (input === null || input === undefined) return config.params;
  return typeof input === 'string' ? input : JSON.stringify(input);
}

/** The executor caches compiled glue while glueUpdatetime is unchanged: derive it from the source. */
function glueVersion(source: string): number {
  let hash = 0;
  for (let i = 0; i < source.length; i++) hash = (Math.imul(hash, 31) + source.charCodeAt(i)) >>> 0;
  return 1_000_000_000_000 + hash;
}
