import { describe, expect, it } from 'vitest';
import { kairos } from './harness.js';

describe('kairos cron explain (offline)', () => {
  it('warns on stderr about a zone abbreviation and a Quartz expression missing a field', async () => {
    const r = await kairos(['cron', 'explain', '0 0 8 * *', '--tz', 'CST', '--count', '1']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: schedule.timezone "CST" is an abbreviation, read as America\/Chicago/);
    expect(r.stderr).toMatch(/warning: schedule.expression "0 0 8 \* \*" has 5 fields.*"0 0 8 \* \* \?"/);
    expect(r.stdout).toContain('meaning:');
  });

  it('lists the next fires in UTC and in the zone', async () => {
    const r = await kairos([
      'cron',
      'explain',
      '0 0 8 * * ?',
      '--tz',
      'Asia/Shanghai',
      '--from',
      '2026-03-15T00:00:00Z',
      '--count',
      '3',
    ]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    // 08:00 in Shanghai on the 15th is exactly `from`; fires are strictly after it.
    expect(r.stdout).toBe(
      [
        'expression: 0 0 8 * * ?',
        'meaning:    at 08:00:00 every day',
        'time zone:  Asia/Shanghai',
        'after:      2026-03-15T00:00:00.000Z',
        '',
        'UTC                       LOCAL (Asia/Shanghai)',
        '2026-03-16T00:00:00.000Z  2026-03-16 08:00:00 +08:00 Mon',
        '2026-03-17T00:00:00.000Z  2026-03-17 08:00:00 +08:00 Tue',
        '2026-03-18T00:00:00.000Z  2026-03-18 08:00:00 +08:00 Wed',
        '',
      ].join('\n'),
    );
  });

  it('prints JSON with --json, and shifts a fire out of a DST gap', async () => {
    // Paris springs forward on 2026-03-29 at 02:00 -> 03:00: 02:30 does not exist that day.
    const r = await kairos([
      'cron',
      'explain',
      '0 30 2 * * ?',
      '--tz',
      'Europe/Paris',
      '--from',
      '2026-03-28T00:00:00Z',
      '--count',
      '3',
      '--json',
    ]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      expression: '0 30 2 * * ?',
      timezone: 'Europe/Paris',
      description: 'at 02:30:00 every day',
      from: '2026-03-28T00:00:00.000Z',
      fires: [
        { utc: '2026-03-28T01:30:00.000Z', local: '2026-03-28 02:30:00 +01:00 Sat' },
        { utc: '2026-03-29T01:00:00.000Z', local: '2026-03-29 03:00:00 +02:00 Sun' },
        { utc: '2026-03-30T00:30:00.000Z', local: '2026-03-30 02:30:00 +02:00 Mon' },
      ],
      warnings: [],
    });
  });

  it('defaults to UTC and five fires', async () => {
    const r = await kairos(['--json', 'cron', 'explain', '0 0/15 * * * ?', '--from', '2026-01-01T00:00:00Z']);
    expect(r.code).toBe(0);
    const answer = JSON.parse(r.stdout) as { timezone: string; fires: { utc: string; local: string }[] };
    expect(answer.timezone).toBe('UTC');
    expect(answer.fires).toEqual([
      { utc: '2026-01-01T00:15:00.000Z', local: '2026-01-01 00:15:00 +00:00 Thu' },
      { utc: '2026-01-01T00:30:00.000Z', local: '2026-01-01 00:30:00 +00:00 Thu' },
      { utc: '2026-01-01T00:45:00.000Z', local: '2026-01-01 00:45:00 +00:00 Thu' },
      { utc: '2026-01-01T01:00:00.000Z', local: '2026-01-01 01:00:00 +00:00 Thu' },
      { utc: '2026-01-01T01:15:00.000Z', local: '2026-01-01 01:15:00 +00:00 Thu' },
    ]);
  });

  it('needs no server: a bad KAIROS_URL does not matter', async () => {
    const r = await kairos(['cron', 'explain', '0 0 8 * * ?'], { env: { KAIROS_URL: 'nonsense' } });
    expect(r.code).toBe(0);
  });

  it('reports a bad expression with the field at fault, exit 1', async () => {
    const r = await kairos(['cron', 'explain', '0 0 25 * * ?']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      "error: invalid cron expression '0 0 25 * * ?': hour: 25 is out of range 0-23 (INVALID_CRON)\n",
    );
  });

  it('reports an unknown zone, exit 1', async () => {
    const r = await kairos(['cron', 'explain', '0 0 8 * * ?', '--tz', 'Mars/Olympus']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("unknown time zone 'Mars/Olympus'");
    expect(r.stderr).toContain('(INVALID_TIMEZONE)');
  });

  it('asks for quotes when the shell split the expression', async () => {
    const r = await kairos(['cron', 'explain', '0', '0', '8']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('quote the expression');
  });

  it.each([
    [['--count', '0'], '--count must be between 1 and 1000, got 0'],
    [['--count', '1001'], '--count must be between 1 and 1000, got 1001'],
    [
      ['--from', 'yesterday'],
      "--from must be an ISO-8601 instant such as 2026-03-15T00:00:00Z, got 'yesterday'",
    ],
  ])('refuses %j with exit 2', async (flags, message) => {
    const r = await kairos(['cron', 'explain', '0 0 8 * * ?', ...flags]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`error: ${message}`);
  });
});
