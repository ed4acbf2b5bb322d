/**
 * `kairos cron explain`: what a cron expression means and when it fires next, computed offline
 * with the server's own time module, so the answer is the scheduler's, not an approximation.
 */
import type { Schedule } from '@kairos/protocol';
import { CronSyntaxError, explainCron, isValidTimeZone, nextFires, scheduleWarnings } from '@kairos/time';
import { CliError, UsageError, intFlag, parseCommandArgs } from '../args.js';
import { dispatchSubcommand } from '../context.js';
import type { Command, CommandContext } from '../context.js';
import { keyValues, table } from '../format.js';
import { formatInZone } from '../time-format.js';

const DEFAULT_COUNT = 5;
const MAX_COUNT = 1000;

const HELP = `Usage:
  kairos cron explain "<expression>" [--tz ZONE] [--count N] [--from ISO]

Reads a Quartz cron expression (seconds first: sec min hour day-of-month month day-of-week
[year]) or a classic five-field one, says what it means and lists its next fires, both in UTC
and in the time zone, exactly as the scheduler computes them (DST gaps shift to the first
instant after the gap). Works offline: no server, no token.

Flags:
  --tz ZONE     the schedule's IANA time zone (default KAIROS_TZ, else UTC), e.g. Asia/Shanghai
  --count N     how many fires to list, 1-${MAX_COUNT} (default ${DEFAULT_COUNT})
  --from ISO    list the fires strictly after this instant (default: now)
  --json        print {expression, timezone, description, from, fires: [{utc, local}], warnings}

Warnings (on stderr) name a zone abbreviation such as CST or IST (read as one place, meant as
several) and a 5-field expression that reads like Quartz missing a field ("0 0 8 * *").
  -h, --help    show this help

Examples:
  kairos cron explain "0 0 8 * * ?" --tz Asia/Shanghai
  kairos cron explain "0 30 2 ? * MON-FRI" --tz Europe/Paris --count 10 --from 2026-03-27T00:00:00Z
  kairos cron explain "0 15 10 ? * 6L" --json

Environment:
  KAIROS_TZ     the zone when --tz is not given (KAIROS_URL and KAIROS_TOKEN are ignored).

Exit status: 0 done, 1 the expression or zone is invalid (message on stderr), 2 usage error.
`;

async function explain(args: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals, globals } = parseCommandArgs(
    args,
    { tz: { type: 'string' }, count: { type: 'string' }, from: { type: 'string' } },
    ['expression'],
    ' (quote the expression: kairos cron explain "0 0 8 * * ?")',
  );
  const expression = positionals[0] ?? '';
  const timezone = values.tz ?? ctx.zone(globals) ?? 'UTC';
  const count = intFlag('count', values.count) ?? DEFAULT_COUNT;
  if (count < 1 || count > MAX_COUNT)
    throw new UsageError(`--count must be between 1 and ${MAX_COUNT}, got ${count}`);
  const from = values.from === undefined ? Date.now() : Date.parse(values.from);
  if (Number.isNaN(from)) {
    throw new UsageError(
      `--from must be an ISO-8601 instant such as 2026-03-15T00:00:00Z, got '${values.from}'`,
    );
  }
  if (!isValidTimeZone(timezone)) {
    throw new CliError(
      'INVALID_TIMEZONE',
      `unknown time zone '${timezone}': use an IANA name such as Europe/Paris`,
    );
  }

  const schedule: Schedule = {
    type: 'cron',
    expression,
    timezone,
    dstGap: 'shift',
    misfire: { policy: 'skip', thresholdSeconds: 5, maxCatchUp: 100 },
  };
  let description: string;
  let fires: number[];
  try {
    description = explainCron(expression);
    fires = nextFires(schedule, from, count, { anchor: from });
  } catch (err) {
    if (err instanceof CronSyntaxError) {
      throw new CliError('INVALID_CRON', `invalid cron expression '${expression}': ${err.message}`);
    }
    throw err;
  }

  // Warnings go to stderr, so they never mix with --json (which carries them too).
  const warnings = scheduleWarnings(schedule);
  for (const warning of warnings) ctx.note(`warning: ${warning}`);
  const rows = fires.map((fire) => ({
    utc: new Date(fire).toISOString(),
    local: formatInZone(fire, timezone),
  }));
  if (ctx.json(globals)) {
    ctx.printJson({
      expression,
      timezone,
      description,
      from: new Date(from).toISOString(),
      fires: rows,
      warnings,
    });
    return 0;
  }
  ctx.print(
    ...keyValues([
      ['expression', expression],
      ['meaning', description],
      ['time zone', timezone],
      ['after', new Date(from).toISOString()],
    ]),
    '',
  );
  if (rows.length === 0) ctx.print('(no fires: the expression matches no later instant)');
  else
    ctx.print(
      ...table(
        ['UTC', `LOCAL (${timezone})`],
        rows.map((r) => [r.utc, r.local]),
      ),
    );
  return 0;
}

export const cronCommand: Command = {
  name: 'cron',
  summary: 'explain a cron expression and list its next fires (offline)',
  help: HELP,
  run: (args, ctx) => dispatchSubcommand('cron', args, ctx, { explain }),
};
