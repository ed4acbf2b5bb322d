/**
 * `--since` / `--until`: an ISO instant (`2026-03-01T00:00:00Z`), a date or wall time read in the
 * display zone (`2026-03-01`, `2026-03-01T08:00`; `--tz` / KAIROS_TZ, else UTC), or a duration
 * back from now (`90s`, `15m`, `6h`, `2d`, `1w`). Answers the ISO instant the API filters on.
 */
import { instantsOfLocal } from '@kairos/time';
import { UsageError } from './args.js';

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

export function instantFlag(
  name: string,
  value: string | undefined,
  zone: string | undefined,
  now: number,
): string | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  const ago = /^(\d+)([smhdw])$/.exec(text);
  if (ago) return new Date(now - Number(ago[1]) * UNIT_MS[ago[2]!]!).toISOString();
  const wall = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(text);
  if (wall) {
    const [year, month, day, hour, minute, second] = wall.slice(1).map((p) => Number(p ?? 0)) as number[];
    const [instant] = instantsOfLocal(
      { year: year!, month: month!, day: day!, hour: hour!, minute: minute!, second: second! },
      zone ?? 'UTC',
    );
    if (instant === undefined) {
      throw new UsageError(`--${name} '${value}' does not exist in ${zone ?? 'UTC'} (the clocks skip it)`);
    }
    return new Date(instant).toISOString();
  }
  if (/^\d{4}-\d{2}-\d{2}T.*(Z|[+-]\d{2}:?\d{2})$/i.test(text) && !Number.isNaN(Date.parse(text))) {
    return text; // Already what the API takes.
  }
  throw new UsageError(
    `--${name} must be an ISO instant (2026-03-01T00:00:00Z), a date or time in the display zone ` +
      `(2026-03-01, 2026-03-01T08:00) or a duration back from now (15m, 6h, 2d), got '${value}'`,
  );
}
