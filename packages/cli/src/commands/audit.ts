/** `kairos audit`: the audit log — changes, sign-ins and failed sign-ins, newest first. */
import type { AuditEntry } from '@kairos/protocol';
import { intFlag, parseCommandArgs } from '../args.js';
import type { Command, CommandContext } from '../context.js';
import { nextPageHint, table } from '../format.js';
import { commandHelp } from '../help.js';

const HELP = commandHelp(`
Usage:
  kairos audit [--actor NAME] [--action ACTION] [--resource TYPE[/ID]] [--namespace NS]
               [--since INSTANT] [--until INSTANT] [--limit N] [--cursor C]

Who changed what, when, from where, with the resource before and after (secrets masked); also
sign-ins (auth.sign-in) and failed ones (auth.failed). Needs the admin role: an admin of some
namespaces reads their entries. --json prints each entry's before and after in full.

Flags:
  --actor NAME            a token's or user's name
  --action ACTION         e.g. tasks.create, tasks.update, tokens.delete, auth.failed
  --resource TYPE[/ID]    e.g. tasks or tasks/42
  --namespace NS          only this namespace
  --since, --until        ISO-8601 instants (since inclusive, until exclusive)
  --limit N, --cursor C   paging

Examples:
  kairos audit --resource tasks/42
  kairos audit --action auth.failed --since 2026-03-15T00:00:00Z
`);

/** The "after" on one line, cut at 60 characters (--json has it whole). */
const brief = (value: unknown): string | undefined => {
  if (value === null || value === undefined) return undefined;
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 59)}…` : text;
};

const auditTable = (entries: AuditEntry[]): string[] =>
  table(
    ['AT', 'ACTOR', 'ACTION', 'RESOURCE', 'NAMESPACE', 'CLIENT', 'AFTER'],
    entries.map((e) => [
      e.at,
      e.actor?.name ?? '-',
      e.action,
      e.resource.id === null ? e.resource.type : `${e.resource.type}/${e.resource.id}`,
      e.namespace,
      e.client,
      brief(e.after),
    ]),
  );

async function run(args: string[], ctx: CommandContext): Promise<number> {
  const { values, globals } = parseCommandArgs(args, {
    actor: { type: 'string' },
    action: { type: 'string' },
    resource: { type: 'string' },
    namespace: { type: 'string' },
    since: { type: 'string' },
    until: { type: 'string' },
    limit: { type: 'string' },
    cursor: { type: 'string' },
  });
  const settings = ctx.settings(globals);
  const page = await ctx.client(settings).audit.list({
    actor: values.actor,
    action: values.action,
    resource: values.resource,
    namespace: values.namespace,
    since: values.since,
    until: values.until,
    limit: intFlag('limit', values.limit),
    cursor: values.cursor,
  });
  if (settings.json) ctx.printJson(page);
  else if (page.items.length === 0) ctx.print('(no entries)');
  else ctx.print(...auditTable(page.items), ...nextPageHint(page.nextCursor));
  return 0;
}

export const auditCommand: Command = {
  name: 'audit',
  summary: 'the audit log: changes and sign-ins, filtered',
  help: HELP,
  run,
};
