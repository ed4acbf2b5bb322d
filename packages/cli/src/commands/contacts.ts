/** `kairos contacts`: who alerts go to (email, phone, webhook), and "send a test". */
import type { Channel, ContactCreateInput, ContactUpdateInput } from '@kairos/protocol';
import { UsageError, idOrName, intFlag, parseCommandArgs } from '../args.js';
import { dispatchSubcommand } from '../context.js';
import type { Command, CommandContext } from '../context.js';
import { nextPageHint } from '../format.js';
import { contactLines, contactTable } from '../format-alerts.js';
import { commandHelp } from '../help.js';
import { loadDocument } from '../load-file.js';

const HELP = commandHelp(`
Usage:
  kairos contacts list [--namespace NS] [--limit N] [--cursor C]
  kairos contacts get <id>
  kairos contacts create -f FILE
  kairos contacts update <id> -f FILE
  kairos contacts delete <id>
  kairos contacts test <id> [--channels webhook,email,sms,phone]

Flags:
  -f, --file FILE         the contact (create) or the fields to change (update), JSON or YAML; "-" reads stdin
  --channels LIST         test: the channels to try (default: webhook, email, sms)
  --namespace NS          only this namespace
  --limit N, --cursor C   paging

Examples:
  kairos contacts create -f ops.yaml
  kairos contacts test 3 --channels email
  kairos alerts get 77        # the test alert's deliveries

A contact file (YAML):
  name: ops
  email: ops@example.com
  phone: "+8613800138000"
  webhook: { url: "https://oapi.dingtalk.com/robot/send?access_token=…", kind: dingtalk, secret: SEC… }
`);

function requireFile(file: string | undefined, sub: string): string {
  if (file === undefined)
    throw new UsageError(`contacts ${sub} needs -f FILE (a JSON or YAML file, or - for stdin)`);
  return file;
}

async function list(args: string[], ctx: CommandContext): Promise<number> {
  const { values, globals } = parseCommandArgs(args, {
    namespace: { type: 'string' },
    limit: { type: 'string' },
    cursor: { type: 'string' },
  });
  const settings = ctx.settings(globals);
  const page = await ctx.client(settings).contacts.list({
    namespace: values.namespace,
    limit: intFlag('limit', values.limit),
    cursor: values.cursor,
  });
  if (settings.json) ctx.printJson(page);
  else if (page.items.length === 0) ctx.print('(no contacts)');
  else ctx.print(...contactTable(page.items), ...nextPageHint(page.nextCursor));
  return 0;
}

async function get(args: string[], ctx: CommandContext): Promise<number> {
  const { positionals, globals } = parseCommandArgs(args, {}, ['id']);
  const settings = ctx.settings(globals);
  const contact = await ctx.client(settings).contacts.get(idOrName(positionals[0] ?? ''));
  if (settings.json) ctx.printJson(contact);
  else ctx.print(...contactLines(contact));
  return 0;
}

async function create(args: string[], ctx: CommandContext): Promise<number> {
  const { values, globals } = parseCommandArgs(args, { file: { type: 'string', short: 'f' } });
  const settings = ctx.settings(globals);
  const doc = await loadDocument(requireFile(values.file, 'create'), ctx.io);
  const contact = await ctx.client(settings).contacts.create(doc as unknown as ContactCreateInput);
  if (settings.json) ctx.printJson(contact);
  else ctx.print(...contactLines(contact));
  return 0;
}

async function update(args: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals, globals } = parseCommandArgs(args, { file: { type: 'string', short: 'f' } }, [
    'id',
  ]);
  const settings = ctx.settings(globals);
  const patch = await loadDocument(requireFile(values.file, 'update'), ctx.io);
  const contact = await ctx
    .client(settings)
    .contacts.update(idOrName(positionals[0] ?? ''), patch as ContactUpdateInput);
  if (settings.json) ctx.printJson(contact);
  else ctx.print(...contactLines(contact));
  return 0;
}

async function remove(args: string[], ctx: CommandContext): Promise<number> {
  const { positionals, globals } = parseCommandArgs(args, {}, ['id']);
  const settings = ctx.settings(globals);
  await ctx.client(settings).contacts.delete(idOrName(positionals[0] ?? ''));
  if (!settings.json) ctx.print(`contact ${positionals[0]} deleted`);
  return 0;
}

async function test(args: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals, globals } = parseCommandArgs(args, { channels: { type: 'string' } }, ['id']);
  const settings = ctx.settings(globals);
  const channels = values.channels?.split(',').map((c) => c.trim()) as Channel[] | undefined;
  const answer = await ctx
    .client(settings)
    .contacts.test(idOrName(positionals[0] ?? ''), channels ? { channels } : {});
  if (settings.json) ctx.printJson(answer);
  else ctx.print(`test alert ${answer.alertId} queued; see: kairos alerts get ${answer.alertId}`);
  return 0;
}

export const contactsCommand: Command = {
  name: 'contacts',
  summary: 'who alerts go to: list, show, create, update, delete, send a test',
  help: HELP,
  run: (args, ctx) =>
    dispatchSubcommand('contacts', args, ctx, { list, get, create, update, delete: remove, test }),
};
