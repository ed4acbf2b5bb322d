/** `kairos contact-groups`: named lists of contacts that alert rules notify. */
import type { ContactGroupCreateInput, ContactGroupUpdateInput } from '@kairos/protocol';
import { UsageError, idOrName, intFlag, parseCommandArgs } from '../args.js';
import { dispatchSubcommand } from '../context.js';
import type { Command, CommandContext } from '../context.js';
import { nextPageHint } from '../format.js';
import { groupLines, groupTable } from '../format-alerts.js';
import { commandHelp } from '../help.js';
import { loadDocument } from '../load-file.js';

const HELP = commandHelp(`
Usage:
  kairos contact-groups list [--namespace NS] [--limit N] [--cursor C]
  kairos contact-groups get <id>
  kairos contact-groups create --name NAME --contacts 3,4 [--namespace NS]
  kairos contact-groups update <id> -f FILE
  kairos contact-groups delete <id>

Examples:
  kairos contact-groups create --name oncall --contacts 3,4
  kairos contact-groups update 1 -f - <<< '{"contacts":[3]}'
`);

const ids = (value: string): number[] =>
  value
    .split(',')
    .filter((s) => s.trim() !== '')
    .map((s) => {
      if (!/^\d+$/.test(s.trim()))
        throw new UsageError(`--contacts must be ids separated by commas, got '${value}'`);
      return Number(s.trim());
    });

async function list(args: string[], ctx: CommandContext): Promise<number> {
  const { values, globals } = parseCommandArgs(args, {
    namespace: { type: 'string' },
    limit: { type: 'string' },
    cursor: { type: 'string' },
  });
  const settings = ctx.settings(globals);
  const page = await ctx.client(settings).contactGroups.list({
    namespace: values.namespace,
    limit: intFlag('limit', values.limit),
    cursor: values.cursor,
  });
  if (settings.json) ctx.printJson(page);
  else if (page.items.length === 0) ctx.print('(no contact groups)');
  else ctx.print(...groupTable(page.items), ...nextPageHint(page.nextCursor));
  return 0;
}

async function get(args: string[], ctx: CommandContext): Promise<number> {
  const { positionals, globals } = parseCommandArgs(args, {}, ['id']);
  const settings = ctx.settings(globals);
  const group = await ctx.client(settings).contactGroups.get(idOrName(positionals[0] ?? ''));
  if (settings.json) ctx.printJson(group);
  else ctx.print(...groupLines(group));
  return 0;
}

async function create(args: string[], ctx: CommandContext): Promise<number> {
  const { values, globals } = parseCommandArgs(args, {
    name: { type: 'string' },
    contacts: { type: 'string' },
    namespace: { type: 'string' },
  });
  if (values.name === undefined) throw new UsageError('contact-groups create needs --name NAME');
  const input: ContactGroupCreateInput = {
    name: values.name,
    contacts: ids(values.contacts ?? ''),
    ...(values.namespace ? { namespace: values.namespace } : {}),
  };
  const settings = ctx.settings(globals);
  const group = await ctx.client(settings).contactGroups.create(input);
  if (settings.json) ctx.printJson(group);
  else ctx.print(...groupLines(group));
  return 0;
}

async function update(args: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals, globals } = parseCommandArgs(args, { file: { type: 'string', short: 'f' } }, [
    'id',
  ]);
  if (values.file === undefined) throw new UsageError('contact-groups update needs -f FILE');
  const settings = ctx.settings(globals);
  const patch = await loadDocument(values.file, ctx.io);
  const group = await ctx
    .client(settings)
    .contactGroups.update(idOrName(positionals[0] ?? ''), patch as ContactGroupUpdateInput);
  if (settings.json) ctx.printJson(group);
  else ctx.print(...groupLines(group));
  return 0;
}

async function remove(args: string[], ctx: CommandContext): Promise<number> {
  const { positionals, globals } = parseCommandArgs(args, {}, ['id']);
  const settings = ctx.settings(globals);
  await ctx.client(settings).contactGroups.delete(idOrName(positionals[0] ?? ''));
  if (!settings.json) ctx.print(`contact group ${positionals[0]} deleted`);
  return 0;
}

export const contactGroupsCommand: Command = {
  name: 'contact-groups',
  summary: 'named lists of contacts: list, show, create, update, delete',
  help: HELP,
  run: (args, ctx) =>
    dispatchSubcommand('contact-groups', args, ctx, { list, get, create, update, delete: remove }),
};
