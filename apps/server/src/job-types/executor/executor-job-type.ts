/**
 * The `executor` job type: a handler (or a glue script) run by one of the app's executors,
 * XXL-JOB executors included. The config names the handler and how to pick the executor; the
 * dispatch itself (routing, triggers, callbacks, kill, sharding) is dispatcher.ts beside it.
 *
 *   { "handler": "demoJobHandler", "params": "a=1", "routeStrategy": "round", "blockStrategy": "serial" }
 *   { "glue": { "type": "shell", "source": "echo $1" }, "routeStrategy": "sharding_broadcast" }
 */
import { z } from 'zod';
import type { ExecutorDispatcher, ExecutorTaskConfig } from './dispatcher.js';
import { ROUTE_STRATEGIES } from './route-strategies.js';
import type { JobType } from '../job-type.js';

export const BLOCK_STRATEGIES = ['serial', 'discard_later', 'cover_early'] as const;
export const GLUE_TYPES = ['shell', 'python', 'nodejs'] as const;

/** The Java executor's request limit is 5 MiB and the source travels with every trigger (§1.1). */
const MAX_GLUE_BYTES = 1024 * 1024;

export const ExecutorConfig = z
  .strictObject({
    /** The executor's handler name (XXL-JOB: the @XxlJob value). Not used with glue. */
    handler: z.string().min(1, 'must name a handler').max(255, 'must be at most 255 characters').optional(),
    /** Passed to the handler as its params (XXL-JOB executorParams). A run's input replaces it. */
    params: z
      .string()
      .max(64 * 1024, 'must be at most 64 KiB')
      .default(''),
    routeStrategy: z
      .enum(ROUTE_STRATEGIES, { error: `must be one of ${ROUTE_STRATEGIES.join(', ')}` })
      .default('first'),
    blockStrategy: z
      .enum(BLOCK_STRATEGIES, { error: `must be one of ${BLOCK_STRATEGIES.join(', ')}` })
      .default('serial'),
    /** A script the executor runs instead of a handler (XXL-JOB GLUE_SHELL/PYTHON/NODEJS). */
    glue: z
      .strictObject({
        type: z.enum(GLUE_TYPES, { error: `must be one of ${GLUE_TYPES.join(', ')}` }),
        source: z
          .string()
          .min(1, 'must not be empty')
          .refine((s) => Buffer.byteLength(s) <= MAX_GLUE_BYTES, 'must be at most 1 MiB'),
      })
      .optional(),
  })
  .superRefine((config, ctx) => {
    if (config.handler === undefined && config.glue === undefined) {
      ctx.addIssue({ code: 'custom', path: ['handler'], message: 'is required (or give glue)' });
    }
    if (config.handler !== undefined && config.glue !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['glue'],
        message: 'cannot be combined with handler; give one of them',
      });
    }
  });
export type ExecutorConfig = z.output<typeof ExecutorConfig>;

export function executorJobType(dispatcher: ExecutorDispatcher): JobType<ExecutorConfig> {
  return {
    name: 'executor',
    configSchema: ExecutorConfig,
    executionsAtStart: (run) => dispatcher.executionsAtStart({ ...run, config: taskConfigOf(run.config) }),
    run: (context) => dispatcher.run({ ...context, config: taskConfigOf(context.config) }),
  };
}

function taskConfigOf(config: ExecutorConfig): ExecutorTaskConfig {
  return {
    handler: config.handler ?? '',
    params: config.params,
    routeStrategy: config.routeStrategy,
    blockStrategy: config.blockStrategy,
    glue: config.glue,
  };
}
