/** `kairos alert-rules`: what raises an alert, and who hears of it; mute a rule for a while. */
import type { AlertRuleCreateInput, AlertRuleUpdateInput } from '@kairos/protocol';
import { UsageError, idOrName, intFlag, parseCommandArgs } from '../args.js';
import { dispatchSubcommand } from '../context.js';
import type { Command, CommandContext } from '../context.js';
import { nextPageHint } from '../format.js';
import { ruleLines, ruleTable } from '../format-alerts.js';
import { commandHelp } from '../help.js';
import { loadDocument } from '../load-file.js';

const HELP = commandHelp(`
Usage:
  kairos alert-rules list [--namespace NS] [--limit N] [--cursor C]
  kairos alert-rules get <id>
  kairos alert-rules create -f FILE
  kairos alert-rules update <id> -f FILE
  kairos alert-rules mute <id> --minutes N
  kairos alert-rules unmute <id>
  kairos alert-rules delete <id>

"on" is one of: failure (after the last attempt), failure_attempt, timeout, success, lost,
consecutive_failures, duration, failure_rate, no_success, executors_online, token_budget,
cost_budget. See docs/alerting.md.

Examples:
  kairos alert-rules create -f report-fails.yaml
  kairos alert-rules mute 5 --minutes 60

A rule file (YAML):
  name: report fails
  scope: { taskId: 42 }
  on: failure
  notify: { groups: [1], channels: [webhook, email] }
  silenceSeconds: 600
`);

async function list(args: string[], ctx: CommandContext): Promise<number> {
  const { values, globals } = parseCommandArgs(args, {
    namespace: { type: 'string' },
    limit: { type: 'string' },
    cursor: { type: 'string' },
  });
  const settings = ctx.settings(globals);
  const page = await ctx.client(settings).alertRules.list({
    namespace: values.namespace,
    limit: intFlag('limit', values.limit),
    cursor: values.cursor,
  });
  if (settings.json) ctx.printJson(page);
  else if (page.items.length === 0) ctx.print('(no alert rules)');
  else ctx.print(...ruleTable(page.items), ...nextPageHint(page.nextCursor));
  return 0;
}

async function get(args: string[], ctx: CommandContext): Promise<number> {
  const { positionals, globals } = parseCommandArgs(args, {}, ['id']);
  const settings = ctx.settings(globals);
  const rule = await ctx.client(settings).alertRules.get(idOrName(positionals[0] ?? ''));
  if (settings.json) ctx.printJson(rule);
  else ctx.print(...ruleLines(rule));
  return 0;
}

async function create(args: string[], ctx: CommandContext): Promise<number> {
  const { values, globals } = parseCommandArgs(args, { file: { type: 'string', short: 'f' } });
  if (values.file === undefined) throw new UsageError('alert-rules create needs -f FILE');
  const settings = ctx.settings(globals);
  const doc = await loadDocument(values.file, ctx.io);
  const rule = await ctx.client(settings).alertRules.create(doc as unknown as AlertRuleCreateInput);
  if (settings.json) ctx.printJson(rule);
  else ctx.print(...ruleLines(rule));
  return 0;
}

async function patchRule(
  ctx: CommandContext,
  patch: AlertRuleUpdateInput,
  id: string,
  globals: Parameters<CommandContext['settings']>[0],
): Promise<number> {
  const settings = ctx.settings(globals);
  const rule = await ctx.client(settings).alertRules.update(idOrName(id), patch);
  if (settings.json) ctx.printJson(rule);
  else ctx.print(...ruleLines(rule));
  return 0;
}

async function update(args: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals, globals } = parseCommandArgs(args, { file: { type: 'string', short: 'f' } }, [
    'id',
  ]);
  if (values.file === undefined) throw new UsageError('alert-rules update needs -f FILE');
  const patch = (await loadDocument(values.file, ctx.io)) as AlertRuleUpdateInput;
  return patchRule(ctx, patch, positionals[0] ?? '', globals);
}

async function mute(args: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals, globals } = parseCommandArgs(args, { minutes: { type: 'string' } }, ['id']);
  const minutes = intFlag('minutes', values.minutes);
  if (minutes === undefined || minutes < 1)
    throw new UsageError('alert-rules mute needs --minutes N (at least 1)');
  const until = new Date(Date.now() + minutes * 60_000).toISOString();
  return patchRule(ctx, { mutedUntil: until }, positionals[0] ?? '', globals);
}

async function unmute(args: string[], ctx: CommandContext): Promise<number> {
  const { positionals, globals } = parseCommandArgs(args, {}, ['id']);
  return patchRule(ctx, { mutedUntil: null }, positionals[0] ?? '', globals);
}

async function remove(args: string[], ctx: CommandContext): Promise<number> {
  const { positionals, globals } = parseCommandArgs(args, {}, ['id']);
  const settings = ctx.settings(globals);
  await ctx.client(settings).alertRules.delete(idOrName(positionals[0] ?? ''));
  if (!settings.json) ctx.print(`alert rule ${positionals[0]} deleted`);
  return 0;
}

export const alertRulesCommand: Command = {
  name: 'alert-rules',
  summary: 'what raises an alert and who hears of it: list, show, create, update, mute, delete',
  help: HELP,
  run: (args, ctx) =>
    dispatchSubcommand('alert-rules', args, ctx, { list, get, create, update, mute, unmute, delete: remove }),
};
