/** Schedule literals with the defaults zod would fill in, so tests need not import the runtime schemas. */
import type { Schedule } from '@kairos/protocol';
import { nextFires, type FireContext } from '../src/index.js';

type Extra = Partial<Pick<Schedule, 'timezone' | 'dstGap'>>;

const common = {
  timezone: 'UTC',
  misfire: { policy: 'skip', thresholdSeconds: 5, maxCatchUp: 100 },
  dstGap: 'shift',
} as const;

export const cron = (expression: string, extra: Extra = {}): Schedule => ({
  type: 'cron',
  expression,
  ...common,
  ...extra,
});

export const fixedRate = (intervalSeconds: number, startAt?: string): Schedule => ({
  type: 'fixed_rate',
  intervalSeconds,
  ...(startAt === undefined ? {} : { startAt }),
  ...common,
});

export const fixedDelay = (delaySeconds: number): Schedule => ({
  type: 'fixed_delay',
  delaySeconds,
  ...common,
});

export const oneTime = (at: string): Schedule => ({ type: 'one_time', at, ...common });

export const api = (): Schedule => ({ type: 'api', ...common });

export const ms = (iso: string): number => {
  const instant = Date.parse(iso);
  if (Number.isNaN(instant)) throw new Error(`bad instant in test: ${iso}`);
  return instant;
};

export const iso = (instant: number): string => new Date(instant).toISOString().replace('.000Z', 'Z');

/** The next `count` fires after `from`, as ISO strings without zero milliseconds. */
export const fires = (
  schedule: Schedule,
  from: string,
  count: number,
  ctx: FireContext = { anchor: 0 },
): string[] => nextFires(schedule, ms(from), count, ctx).map(iso);
