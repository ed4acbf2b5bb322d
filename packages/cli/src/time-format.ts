/**
 * Times as a person in a zone reads them (`--tz` / KAIROS_TZ): the CLI shows the server's UTC ISO
 * instants unchanged unless a zone is asked for; then `2026-03-16 08:00:00 +08:00`.
 */

/** `2026-03-16 08:00:00 +08:00 Mon`: the wall time a person in `timeZone` sees. */
export function formatInZone(instant: number, timeZone: string, options: { weekday?: boolean } = {}): string {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
    weekday: 'short',
    timeZoneName: 'longOffset',
  }).formatToParts(instant);
  const part = (type: Intl.DateTimeFormatPartTypes): string =>
    parts.find((p) => p.type === type)?.value ?? '';
  // longOffset is "GMT+08:00", or plain "GMT" at offset zero.
  const offset = part('timeZoneName').replace(/^GMT$/, '+00:00').replace(/^GMT/, '');
  const text = `${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')}:${part('second')} ${offset}`;
  return options.weekday === false ? text : `${text} ${part('weekday')}`;
}

/** Shows an ISO instant from the API (null stays null). */
export type TimeFormat = (iso: string | null | undefined) => string | null | undefined;

/** The server's text as is. */
export const isoAsIs: TimeFormat = (iso) => iso;

/** A TimeFormat for `zone`, or the ISO text as is when no zone was asked for. */
export function timeFormat(zone: string | undefined): TimeFormat {
  if (zone === undefined) return isoAsIs;
  return (iso) => {
    if (iso === null || iso === undefined) return iso;
    const instant = Date.parse(iso);
    return Number.isNaN(instant) ? iso : formatInZone(instant, zone, { weekday: false });
  };
}
