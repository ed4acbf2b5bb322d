/** Answers shaped as the API's, for the recording server to send back. */
import type { App, Calendar, Run, Task } from '@kairos/protocol';

export const aTask = (over: Partial<Task> = {}): Task => ({
  id: 42,
  namespace: 'default',
  appId: 3,
  appName: 'invoicing',
  name: 'nightly-report',
  description: null,
  type: 'http',
  config: { url: 'https://example.com/report', method: 'POST', headers: { Authorization: 'Bearer s3cret' } },
  schedule: {
    type: 'cron',
    expression: '0 0 2 * * ?',
    timezone: 'Europe/Paris',
    dstGap: 'shift',
    misfire: { policy: 'skip', thresholdSeconds: 5, maxCatchUp: 100 },
  },
  timeoutSeconds: 300,
  retry: { maxAttempts: 3, backoff: 'exponential', delaySeconds: 10, maxDelaySeconds: 3600 },
  concurrency: { max: 1, overlap: 'skip' },
  enabled: true,
  outputGate: null,
  nextFireAt: '2026-03-16T01:00:00.000Z',
  createdAt: '2026-03-15T00:00:00.000Z',
  updatedAt: '2026-03-15T00:00:00.000Z',
  ...over,
});

export const aRun = (over: Partial<Run> = {}): Run => ({
  id: 7,
  taskId: 42,
  appId: 3,
  namespace: 'default',
  triggerType: 'manual',
  status: 'succeeded',
  scheduledAt: '2026-03-15T06:00:00.000Z',
  startedAt: '2026-03-15T06:00:00.010Z',
  effectAt: '2026-03-15T06:00:00.012Z',
  finishedAt: '2026-03-15T06:00:01.510Z',
  durationMs: 1500,
  attempt: 1,
  retryOf: null,
  replayOf: null,
  versionPin: null,
  checks: null,
  input: null,
  output: { ok: true },
  error: null,
  executor: null,
  usage: null,
  createdAt: '2026-03-15T06:00:00.000Z',
  ...over,
});

export const anApp = (over: Partial<App> = {}): App => ({
  id: 3,
  namespace: 'default',
  appName: 'invoicing',
  name: 'Invoicing jobs',
  description: null,
  maxConcurrency: 4,
  accessToken: 'kat_****1234',
  createdAt: '2026-03-15T00:00:00.000Z',
  updatedAt: '2026-03-15T00:00:00.000Z',
  ...over,
});

export const aCalendar = (over: Partial<Calendar> = {}): Calendar => ({
  id: 2,
  namespace: 'default',
  name: 'cn-holidays-2026',
  timezone: 'Asia/Shanghai',
  dates: ['2026-01-01', '2026-10-01', '2026-10-02'],
  createdAt: '2026-03-15T00:00:00.000Z',
  updatedAt: '2026-03-15T00:00:00.000Z',
  ...over,
});
