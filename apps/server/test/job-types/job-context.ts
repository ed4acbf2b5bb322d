/**
 * Builds a JobContext by hand for calling a job type directly: a real AbortController and a log
 * that collects lines and lets a test wait for one (instead of sleeping).
 */
import type { JobContext, JobLogger } from '../../src/job-types/job-type.js';

export interface LogLine {
  stream: 'stdout' | 'stderr' | 'system';
  text: string;
}

export interface TestRun<Config> {
  context: JobContext<Config>;
  controller: AbortController;
  logs: LogLine[];
  /** Resolves with the first line (already logged or to come) that matches. */
  waitForLog(match: (line: LogLine) => boolean): Promise<LogLine>;
}

export function makeRun<Config>(
  config: Config,
  options: { input?: unknown; attempt?: number } = {},
): TestRun<Config> {
  const controller = new AbortController();
  const logs: LogLine[] = [];
  const waiters: { match: (line: LogLine) => boolean; resolve: (line: LogLine) => void }[] = [];
  const log: JobLogger = (stream, text) => {
    const line = { stream, text };
    logs.push(line);
    for (const waiter of waiters.filter((w) => w.match(line))) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(line);
    }
  };
  return {
    context: {
      runId: 41,
      taskId: 7,
      appId: 1,
      namespaceId: 1,
      attempt: options.attempt ?? 1,
      config,
      input: options.input ?? null,
      signal: controller.signal,
      log,
      event: () => {},
      checkpoint: () => Promise.resolve(),
      effect: () => undefined,
    },
    controller,
    logs,
    waitForLog(match) {
      const seen = logs.find(match);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve) => waiters.push({ match, resolve }));
    },
  };
}
