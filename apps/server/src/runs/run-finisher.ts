/**
 * How a run's end is recorded: the outcome becomes the run's terminal record, written behind
 * (after the run's last log lines and events) and announced on the event bus only once it is
 * stored and only by whoever actually finished it (a cancel recorded first wins).
 */
import type { Clock } from '../clock.js';
import type { EventBus } from '../events.js';
import type { RunRecord, TaskRecord } from '../store/records.js';
import type { RunLogSink } from './run-log-sink.js';
import type { RunOutcome } from './run-outcome.js';
import type { RunWriter } from './run-writer.js';

export class RunFinisher {
  constructor(
    private readonly deps: { clock: Clock; events: EventBus; writer: RunWriter; logs: RunLogSink },
  ) {}

  /** Records the run's end; announces it when this call finished it. */
  async finish(
    run: RunRecord,
    outcome: RunOutcome & { usage?: unknown },
    startedAt: number | null,
    task: TaskRecord,
  ): Promise<void> {
    const finishedAt = this.deps.clock.now();
    const record: RunRecord = {
      ...run,
      status: outcome.status,
      finishedAt,
      durationMs: startedAt === null ? null : finishedAt - startedAt,
      output: outcome.output ?? null,
      error: outcome.error,
      usage: (outcome.usage as RunRecord['usage']) ?? null,
      executor: outcome.executor ?? run.executor,
    };
    this.deps.logs.close(run.id);
    const finished = await this.deps.writer.finish({
      runId: run.id,
      status: record.status as never,
      finishedAt,
      durationMs: record.durationMs,
      output: record.output,
      error: record.error,
      usage: record.usage,
      ...(outcome.executor !== undefined ? { executor: outcome.executor } : {}),
    });
    if (finished) this.announce(record, outcome.retryable, task);
  }

  /** Tells the bus a run finished (stored already: by finish(), a cancel or recovery). */
  announce(run: RunRecord, retryable: boolean, task?: TaskRecord): void {
    this.deps.events.emit('run:finished', task ? { run, retryable, task } : { run, retryable });
    this.deps.events.emit(`run:${run.status as 'succeeded'}`, { run });
  }
}
