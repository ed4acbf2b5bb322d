/** `kairos alerts`: the alert history, with every delivery's channel, status, attempts and error. */
import { idOrName, intFlag, parseCommandArgs } from '../args.js';
import { dispatchSubcommand } from '../context.js';
import type { Command, CommandContext } from '../context.js';
import { nextPageHint } from '../format.js';
import { alertLines, alertTable } from '../format-alerts.js';
import { commandHelp } from '../help.js';

const HELP = commandHelp(`
Usage:
  kairos alerts list [--rule ID] [--namespace NS] [--limit N] [--cursor C]
  kairos alerts get <id>

Examples:
  kairos alerts list --rule 5
  kairos alerts get 77 --json
`);

async function list(args: string[], ctx: CommandContext): Promise<number> {
  const { values, globals } = parseCommandArgs(args, {
    rule: { type: 'string' },
    namespace: { type: 'string' },
    limit: { type: 'string' },
    cursor: { type: 'string' },
  });
  const settings = ctx.settings(globals);
  const page = await ctx.client(settings).alerts.list({
    ruleId: intFlag('rule', values.rule),
    namespace: values.namespace,
    limit: intFlag('limit', values.limit),
    cursor: values.cursor,
  });
  if (settings.json) ctx.printJson(page);
  else if (page.items.length === 0) ctx.print('(no alerts)');
  else ctx.print(...alertTable(page.items), ...nextPageHint(page.nextCursor));
  return 0;
}

async function get(args: string[], ctx: CommandContext): Promise<number> {
  const { positionals, globals } = parseCommandArgs(args, {}, ['id']);
  const settings = ctx.settings(globals);
  const alert = await ctx.client(settings).alerts.get(idOrName(positionals[0] ?? ''));
  if (settings.json) ctx.printJson(alert);
  else ctx.print(...alertLines(alert));
  return 0;
}

export const alertsCommand: Command = {
  name: 'alerts',
  summary: 'alert history with deliveries: list, show',
  help: HELP,
  run: (args, ctx) => dispatchSubcommand('alerts', args, ctx, { list, get }),
};
