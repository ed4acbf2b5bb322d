/** `kairos calendars`: named sets of dates (holidays, workdays) that schedules include or exclude. */
import type { CalendarCreateInput, CalendarUpdateInput } from '@kairos/protocol';
import { UsageError, idOrName, intFlag, parseCommandArgs } from '../args.js';
import { dispatchSubcommand } from '../context.js';
import type { Command, CommandContext } from '../context.js';
import { calendarLines, calendarTable, nextPageHint } from '../format.js';
import { commandHelp } from '../help.js';
import { loadDocument } from '../load-file.js';

const HELP = commandHelp(`
Usage:
  kairos calendars list [--namespace NS] [--limit N] [--cursor C]
  kairos calendars get <id>
  kairos calendars create -f FILE
  kairos calendars update <id> -f FILE
  kairos calendars delete <id>

Flags:
  -f, --file FILE         the calendar (create) or the fields to change (update), as JSON or
                          YAML (by extension, else by content); "-" reads stdin
  --namespace NS          only this namespace
  --limit N, --cursor C   paging: at most N per page; the page after "--cursor C"

Examples:
  kairos calendars create -f cn-holidays-2026.yaml
  kairos calendars list
  kairos calendars get 2 --json
  kairos calendars delete 2

A calendar file (YAML):
  name: cn-holidays-2026
  timezone: Asia/Shanghai
  dates: [2026-01-01, 2026-10-01, 2026-10-02]
`);

function requireFile(file: string | undefined, sub: string): string {
  if (file === undefined)
    throw new UsageError(`calendars ${sub} needs -f FILE (a JSON or YAML file, or - for stdin)`);
  return file;
}

async function list(args: string[], ctx: CommandContext): Promise<number> {
  const { values, globals } = parseCommandArgs(args, {
    namespace: { type: 'string' },
    limit: { type: 'string' },
    cursor: { type: 'string' },
  });
  const limit = intFlag('limit', values.limit);
  const settings = ctx.settings(globals);
  const page = await ctx
    .client(settings)
    .calendars.list({ namespace: values.namespace, limit, cursor: values.cursor });
  if (settings.json) ctx.printJson(page);
  else if (page.items.length === 0) ctx.print('(no calendars)');
  else ctx.print(...calendarTable(page.items), ...nextPageHint(page.nextCursor));
  return 0;
}

async function get(args: string[], ctx: CommandContext): Promise<number> {
  const { positionals, globals } = parseCommandArgs(args, {}, ['id']);
  const settings = ctx.settings(globals);
  const calendar = await ctx.client(settings).calendars.get(idOrName(positionals[0] ?? ''));
  if (settings.json) ctx.printJson(calendar);
  else ctx.print(...calendarLines(calendar));
  return 0;
}

async function create(args: string[], ctx: CommandContext): Promise<number> {
  const { values, globals } = parseCommandArgs(args, { file: { type: 'string', short: 'f' } });
  const file = requireFile(values.file, 'create');
  const settings = ctx.settings(globals);
  const doc = await loadDocument(file, ctx.io);
  const calendar = await ctx.client(settings).calendars.create(doc as unknown as CalendarCreateInput);
  if (settings.json) ctx.printJson(calendar);
  else ctx.print(...calendarLines(calendar));
  return 0;
}

async function update(args: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals, globals } = parseCommandArgs(args, { file: { type: 'string', short: 'f' } }, [
    'id',
  ]);
  const file = requireFile(values.file, 'update');
  const settings = ctx.settings(globals);
  const patch = await loadDocument(file, ctx.io);
  const calendar = await ctx
    .client(settings)
    .calendars.update(idOrName(positionals[0] ?? ''), patch as CalendarUpdateInput);
  if (settings.json) ctx.printJson(calendar);
  else ctx.print(...calendarLines(calendar));
  return 0;
}

async function remove(args: string[], ctx: CommandContext): Promise<number> {
  const { positionals, globals } = parseCommandArgs(args, {}, ['id']);
  const settings = ctx.settings(globals);
  const id = positionals[0] ?? '';
  await ctx.client(settings).calendars.delete(idOrName(id));
  if (!settings.json) ctx.print(`calendar ${id} deleted`);
  return 0;
}

export const calendarsCommand: Command = {
  name: 'calendars',
  summary: 'list, show, create, update and delete calendars',
  help: HELP,
  run: (args, ctx) =>
    dispatchSubcommand('calendars', args, ctx, { list, get, create, update, delete: remove }),
};
