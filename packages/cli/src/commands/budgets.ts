/**
 * `kairos budgets`: where each token and cost budget of a namespace stands (used, left, when it
 * resets), and a namespace's own budget set or removed (a task's and an app's are set with the
 * task and the app: `budget` in their definition).
 */
import type { BudgetState } from '@kairos/protocol';
import { parseCommandArgs, intFlag, jsonFlag } from '../args.js';
import { dispatchSubcommand } from '../context.js';
import type { Command, CommandContext } from '../context.js';
import { table } from '../format.js';
import { commandHelp } from '../help.js';

const HELP = commandHelp(`
Usage:
  kairos budgets [list] [--namespace NS] [--task ID] [--app ID]
  kairos budgets set-namespace <namespace> <budget JSON | none>

Flags:
  --namespace NS   the namespace (default: default)
  --task ID        only the budget of this task
  --app ID         only the budget of this app (its id)

A budget is {tokens?, cost?, currency?, period: hour|day|month, timezone?, onExceeded: skip|hold,
stopWhenExceeded?}; runs due once it is used up are skipped (or held until the next period).

Examples:
  kairos budgets
  kairos budgets --task 42 --json
  kairos budgets set-namespace default '{"cost": 50, "currency": "USD", "period": "month"}'
  kairos budgets set-namespace default none
`);

const limitOf = (b: BudgetState): string =>
  [
    b.budget.tokens !== undefined ? `${b.used.tokens}/${b.budget.tokens} tokens` : '',
    b.budget.cost !== undefined ? `${b.used.cost}/${b.budget.cost} ${b.budget.currency ?? ''}`.trim() : '',
  ]
    .filter(Boolean)
    .join(', ');

async function list(args: string[], ctx: CommandContext): Promise<number> {
  const { values, globals } = parseCommandArgs(args, {
    namespace: { type: 'string' },
    task: { type: 'string' },
    app: { type: 'string' },
  });
  const settings = ctx.settings(globals);
  const page = await ctx.client(settings).budgets.list({
    namespace: values.namespace,
    taskId: intFlag('task', values.task),
    appId: intFlag('app', values.app),
  });
  if (settings.json) ctx.printJson(page);
  else if (page.items.length === 0) ctx.print('(no budgets)');
  else
    ctx.print(
      ...table(
        ['SCOPE', 'NAME', 'PERIOD', 'USED', 'PERCENT', 'ON EXCEEDED', 'RESETS AT'],
        page.items.map((b) => [
          `${b.scope.kind} ${b.scope.id}`,
          b.scope.name,
          b.budget.period,
          limitOf(b),
          `${Math.round(b.fraction * 100)} %${b.exceeded ? ' (exceeded)' : ''}`,
          b.budget.onExceeded + (b.budget.stopWhenExceeded ? ', stop running' : ''),
          b.resetsAt,
        ]),
      ),
    );
  return 0;
}

async function setNamespace(args: string[], ctx: CommandContext): Promise<number> {
  const { positionals, globals } = parseCommandArgs(args, {}, ['namespace', 'budget']);
  const settings = ctx.settings(globals);
  const [namespace = '', raw = ''] = positionals;
  const budget =
    raw === 'none'
      ? null
      : (jsonFlag('budget', raw) as Parameters<
          ReturnType<CommandContext['client']>['budgets']['setNamespace']
        >[1]);
  const result = await ctx.client(settings).budgets.setNamespace(namespace, budget);
  if (settings.json) ctx.printJson(result);
  else if (result.budget === null) ctx.print(`namespace ${namespace}: budget removed`);
  else ctx.print(`namespace ${namespace}: ${limitOf(result.budget)} per ${result.budget.budget.period}`);
  return 0;
}

export const budgetsCommand: Command = {
  name: 'budgets',
  summary: 'token and cost budgets: used, left and when they reset',
  help: HELP,
  run: (args, ctx) =>
    args.length === 0 || args[0]!.startsWith('-')
      ? list(args, ctx)
      : dispatchSubcommand('budgets', args, ctx, { list, 'set-namespace': setNamespace }),
};
