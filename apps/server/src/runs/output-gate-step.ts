/**
 * Between a job's success and the run's end: the task's output gate (gates/) is checked, the
 * judge run if any is awaited, the result stored as the run's `checks`, and a failing gate turns
 * the outcome into an ordinary failure (`error.type: "assertion"`, retryable), so the settlement
 * decides retries and alerts for it as for any failure. Runs of tasks without a gate pass
 * straight through: nothing is read or written for them.
 */
import type { OutputCheck, OutputChecks } from '@kairos/protocol';
import { judgeAnswer, judgeFailure, judgeInput } from '../gates/judge-answer.js';
import { checkOutputRules } from '../gates/output-rules.js';
import type { JobTypeRegistry } from '../job-types/registry.js';
import type { RunRecord, Store, TaskRecord } from '../store/store.js';
import type { JudgeRuns } from './judge-runs.js';
import type { RunOutcome } from './run-outcome.js';

export interface OutputGateDeps {
  store: Store;
  jobTypes: JobTypeRegistry;
  judges: JudgeRuns;
}

export class OutputGateStep {
  constructor(private readonly deps: OutputGateDeps) {}

  /** Whether a run of this task ends through the gate. */
  applies(task: TaskRecord, outcome: RunOutcome): boolean {
    return outcome.status === 'succeeded' && !!task.outputGate;
  }

  async apply(
    run: RunRecord,
    task: TaskRecord,
    outcome: RunOutcome,
    signal: AbortSignal,
  ): Promise<RunOutcome> {
    const gate = task.outputGate;
    if (!gate || outcome.status !== 'succeeded') return outcome;
    const result = this.resultOf(task.type, outcome.output);
    let checks: OutputCheck[];
    try {
      checks = checkOutputRules(gate, result);
    } catch (error) {
      checks = [{ rule: 'jsonSchema', path: null, passed: false, message: (error as Error).message }];
    }
    let judge: OutputChecks['judge'] = null;
    // A judge's own run is not judged again (a judge judging its judge would never end), and a
    // run failing its rules does not pay for a judge.
    if (gate.judge && run.triggerType !== 'judge' && checks.every((c) => c.passed)) {
      const judgeRun = await this.deps.judges.judge(
        gate.judge.taskId,
        run.id,
        judgeInput(result, run.input),
        signal,
      );
      const judgeTask = judgeRun ? await this.deps.store.getTask(judgeRun.taskId) : undefined;
      judge = judgeAnswer(
        gate.judge,
        judgeRun,
        judgeRun && judgeTask ? this.resultOf(judgeTask.type, judgeRun.output) : undefined,
      );
      checks.push({
        rule: 'judge',
        path: null,
        passed: judge.passed,
        message: judge.passed
          ? `verdict ${judge.verdict ?? '-'}, score ${judge.score ?? '-'}`
          : judgeFailure(judge),
      });
    }
    const recorded: OutputChecks = { passed: checks.every((c) => c.passed), checks, judge };
    await this.deps.store.setRunChecks(run.id, recorded);
    const failed = checks.find((c) => !c.passed);
    if (!failed) return outcome;
    return {
      ...outcome,
      status: 'failed',
      error: {
        type: 'assertion',
        rule: failed.rule,
        ...(failed.path !== null ? { path: failed.path } : {}),
        message: `output check ${failed.rule}${failed.path !== null ? ` (${failed.path})` : ''} failed: ${failed.message ?? ''}`,
      },
      retryable: true,
    };
  }

  private resultOf(type: string, output: unknown): unknown {
    const jobType = this.deps.jobTypes.get(type);
    return jobType?.result ? jobType.result(output) : output;
  }
}
