/** Instants in the viewer's zone (UTC on hover) or in a given zone, and durations in words. */
import { Tooltip } from '@mantine/core';

const local = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

export function formatInZone(iso: string, timeZone: string): string {
  return new Intl.DateTimeFormat(undefined, {
    dateStyle: 'medium',
    timeStyle: 'medium',
    timeZone,
  }).format(new Date(iso));
}

/** The zone's UTC offset at an instant, e.g. "GMT+02:00". */
export function offsetIn(iso: string, timeZone: string): string {
  const part = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' })
    .formatToParts(new Date(iso))
    .find((p) => p.type === 'timeZoneName');
  return part?.value ?? '';
}

/** An instant in the viewer's zone; hovering shows it in UTC. */
export function Time({ iso }: { iso: string | null | undefined }) {
  if (!iso) return <span>—</span>;
  return (
    <Tooltip label={`${iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z')} UTC`} withArrow>
      <time dateTime={iso}>{local.format(new Date(iso))}</time>
    </Tooltip>
  );
}

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return minutes < 60 ? `${minutes} min ${seconds} s` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

export const formatCost = (cost: number | null | undefined, currency = 'USD'): string =>
  cost === null || cost === undefined ? '—' : `${cost.toFixed(cost < 0.01 ? 6 : 4)} ${currency}`;
