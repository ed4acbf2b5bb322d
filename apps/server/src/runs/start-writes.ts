/**
 * What a run's start writes besides the run: its job type's executions (JobType.executionsAtStart),
 * decided just before the start so that the store inserts them in the start's own transaction.
 * A type without the hook, a config that does not parse, or a hook that fails writes nothing
 * extra: the job then does its own writes, as before.
 */
import type { JobTypeRegistry } from '../job-types/registry.js';
import type { NewExecution } from '../store/executor-records.js';
import type { AdmissionCandidate } from './admission.js';
import type { JobConfigs } from './job-configs.js';

export type StartWrites = (candidate: AdmissionCandidate) => Promise<NewExecution[] | undefined>;

export function startWritesOf(jobTypes: JobTypeRegistry, configs: JobConfigs): StartWrites {
  return async ({ run, task }) => {
    const jobType = jobTypes.get(task.type);
    if (!jobType?.executionsAtStart) return undefined;
    try {
      return await jobType.executionsAtStart({
        runId: run.id,
        taskId: task.id,
        appId: task.appId,
        namespaceId: task.namespaceId,
        attempt: run.attempt,
        config: configs.configOf(jobType, task),
        input: run.input,
      });
    } catch {
      return undefined;
    }
  };
}
