/**
 * The `workflow` job type: the runs of a workflow's hidden driver task are its scheduled fires
 * (planned by the scheduler like any task's: one per slot, misfire, calendars, time zones), and
 * running one starts one workflow run (workflows/workflow-service.ts). The fire ends as soon as
 * the workflow run is started; its output names it. A second start of the same fire (after a
 * crash) finds the workflow run the first one started.
 */
import { z } from 'zod';
import { JobFailure, type JobType } from './job-type.js';

/** Starts the workflow run of a fire (WorkflowService.fire). */
export interface WorkflowFirer {
  fire(runId: number, taskId: number): Promise<{ workflowRunId: number | null; skipped?: string }>;
}

export function workflowFireJobType(firer: WorkflowFirer): JobType<Record<string, never>> {
  return {
    name: 'workflow',
    configSchema: z.strictObject({}) as unknown as z.ZodType<Record<string, never>>,
    async run({ runId, taskId, effect }) {
      effect();
      try {
        const started = await firer.fire(runId, taskId);
        return { output: started };
      } catch (error) {
        throw new JobFailure(
          { type: 'workflow', message: error instanceof Error ? error.message : String(error) },
          { retryable: false },
        );
      }
    },
  };
}
