/**
 * Gives each running job its log function, and bounds what one run may write: past the cap, one
 * line says the log was truncated and the rest is dropped (a chatty job must not fill the disk).
 */
import type { Clock } from '../clock.js';
import type { JobLogger } from '../job-types/job-type.js';
import type { RunWriter } from './run-writer.js';

/** Per-run log budget, in characters. */
export const RUN_LOG_LIMIT = 1024 * 1024;

export class RunLogSink {
  private readonly written = new Map<number, number>();

  constructor(
    private readonly writer: RunWriter,
    private readonly clock: Clock,
  ) {}

  forRun(runId: number): JobLogger {
    return (stream, text) => {
      const used = this.written.get(runId) ?? 0;
      if (used >= RUN_LOG_LIMIT) return;
      const room = RUN_LOG_LIMIT - used;
      const at = this.clock.now();
      if (text.length <= room) {
        this.written.set(runId, used + text.length);
        this.writer.appendLog({ runId, at, stream, text });
        return;
      }
      this.written.set(runId, RUN_LOG_LIMIT);
      this.writer.appendLog({ runId, at, stream, text: text.slice(0, room) });
      this.writer.appendLog({
        runId,
        at,
        stream: 'system',
        text: `log truncated at ${RUN_LOG_LIMIT} characters`,
      });
    };
  }

  close(runId: number): void {
    this.written.delete(runId);
  }
}
