/** `kairos tasks`: create from a file, list, show, trigger, enable/disable, update, delete, preview fires. */
import type { TaskCreateInput, TaskUpdateInput, TaskWithWarnings } from '@kairos/protocol';
import { CliError, UsageError, idOrName, intFlag, jsonFlag, parseCommandArgs } from '../args.js';
import { dispatchSubcommand } from '../context.js';
import type { Command, CommandContext } from '../context.js';
import { nextPageHint, runLines, taskLines, taskTable } from '../format.js';
import type { TimeFormat } from '../time-format.js';
import { commandHelp } from '../help.js';
import { loadDocument } from '../load-file.js';
import { resolveAppId } from '../lookups.js';
import { waitForRun } from '../run-watch.js';

const HELP = commandHelp(`
Usage:
  kairos tasks create -f FILE
  kairos tasks list [--app ID|APPNAME] [--enabled true|false] [--namespace NS] [--limit N] [--cursor C]
  kairos tasks get <id>
  kairos tasks run <id> [--input JSON] [--idempotency-key KEY] [--wait]
  kairos tasks enable <id>
  kairos tasks disable <id>
  kairos tasks update <id> -f FILE
  kairos tasks delete <id>
  kairos tasks next-fires <id> [--count N] [--from ISO]

Flags:
  -f, --file FILE          the task (create) or the fields to change (update), as JSON or YAML
                           (by extension, else by content); "-" reads stdin
  --app ID|APPNAME         only the tasks of this app
  --enabled true|false     only enabled or only disabled tasks
  --namespace NS           only this namespace
  --limit N, --cursor C    paging: at most N per page; the page after "--cursor C"
  --input JSON             the run's input, e.g. '{"day":"2026-03-15"}'
  --idempotency-key KEY    a retried trigger with the same key makes no second run
  --wait                   wait for the run to finish; exit 1 unless it succeeded
  --count N                how many fires to show (default 10)
  --from ISO               fires after this instant (default: now)

Examples:
  kairos tasks create -f nightly-report.yaml
  cat task.json | kairos tasks create -f -
  kairos tasks list --app invoicing --enabled true
  kairos tasks run 42 --input '{"day":"2026-03-15"}' --idempotency-key report-2026-03-15 --wait
  kairos tasks next-fires 42 --count 5
  kairos tasks update 42 -f patch.yaml

A task file (YAML):
  name: nightly-report
  app: invoicing
  type: http
  config: { url: https://example.com/report, method: POST }
  schedule: { type: cron, expression: "0 0 2 * * ?", timezone: Europe/Paris }
`);

function requireFile(file: string | undefined, sub: string): string {
  if (file === undefined)
    throw new UsageError(`tasks ${sub} needs -f FILE (a JSON or YAML file, or - for stdin)`);
  return file;
}

async function create(args: string[], ctx: CommandContext): Promise<number> {
  const { values, globals } = parseCommandArgs(args, { file: { type: 'string', short: 'f' } });
  const file = requireFile(values.file, 'create');
  const settings = ctx.settings(globals);
  const client = ctx.client(settings);
  const doc = await loadDocument(file, ctx.io);
  // The server validates the task (a calendar by name included) and names the field at fault;
  // no second copy of its rules here.
  const task = await client.tasks.create(doc as unknown as TaskCreateInput);
  printSaved(ctx, settings.json, task, ctx.times(globals));
  return 0;
}

async function update(args: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals, globals } = parseCommandArgs(args, { file: { type: 'string', short: 'f' } }, [
    'id',
  ]);
  const file = requireFile(values.file, 'update');
  const settings = ctx.settings(globals);
  const client = ctx.client(settings);
  const id = idOrName(positionals[0] ?? '');
  const patch = await loadDocument(file, ctx.io);
  const task = await client.tasks.update(id, patch as TaskUpdateInput);
  printSaved(ctx, settings.json, task, ctx.times(globals));
  return 0;
}

/** A created or changed task; the server's warnings go to stderr so they never mix with --json. */
function printSaved(ctx: CommandContext, json: boolean, task: TaskWithWarnings, at: TimeFormat): void {
  if (json) ctx.printJson(task);
  else ctx.print(...taskLines(task, at));
  for (const warning of task.warnings ?? []) ctx.note(`warning: ${warning}`);
}

function enabledFlag(value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new UsageError(`--enabled must be true or false, got '${value}'`);
}

async function list(args: string[], ctx: CommandContext): Promise<number> {
  const { values, globals } = parseCommandArgs(args, {
    app: { type: 'string' },
    enabled: { type: 'string' },
    namespace: { type: 'string' },
    limit: { type: 'string' },
    cursor: { type: 'string' },
  });
  const enabled = enabledFlag(values.enabled);
  const limit = intFlag('limit', values.limit);
  const settings = ctx.settings(globals);
  const client = ctx.client(settings);
  const page = await client.tasks.list({
    appId: await resolveAppId(client, values.app),
    enabled,
    namespace: values.namespace,
    limit,
    cursor: values.cursor,
  });
  if (settings.json) ctx.printJson(page);
  else if (page.items.length === 0) ctx.print('(no tasks)');
  else ctx.print(...taskTable(page.items, ctx.times(globals)), ...nextPageHint(page.nextCursor));
  return 0;
}

/** get, enable and disable: one id in, the task out. */
function showTask(action: 'get' | 'enable' | 'disable') {
  return async (args: string[], ctx: CommandContext): Promise<number> => {
    const { positionals, globals } = parseCommandArgs(args, {}, ['id']);
    const settings = ctx.settings(globals);
    const task = await ctx.client(settings).tasks[action](idOrName(positionals[0] ?? ''));
    if (settings.json) ctx.printJson(task);
    else ctx.print(...taskLines(task, ctx.times(globals)));
    return 0;
  };
}

async function remove(args: string[], ctx: CommandContext): Promise<number> {
  const { positionals, globals } = parseCommandArgs(args, {}, ['id']);
  const settings = ctx.settings(globals);
  const id = positionals[0] ?? '';
  await ctx.client(settings).tasks.delete(idOrName(id));
  if (!settings.json) ctx.print(`task ${id} deleted`);
  return 0;
}

async function run(args: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals, globals } = parseCommandArgs(
    args,
    { input: { type: 'string' }, 'idempotency-key': { type: 'string' }, wait: { type: 'boolean' } },
    ['id'],
  );
  const input = jsonFlag('input', values.input);
  const settings = ctx.settings(globals);
  const client = ctx.client(settings);
  const accepted = await client.tasks.run(
    idOrName(positionals[0] ?? ''),
    input === undefined ? {} : { input },
    { idempotencyKey: values['idempotency-key'] },
  );
  if (!values.wait) {
    if (settings.json) ctx.printJson(accepted);
    else ctx.print(`run ${accepted.runId} accepted (kairos runs get ${accepted.runId})`);
    return 0;
  }

  if (!settings.json) ctx.note(`run ${accepted.runId} accepted; waiting for it to finish…`);
  const finished = await waitForRun(client, accepted.runId, ctx);
  if (settings.json) ctx.printJson(finished);
  else ctx.print(...runLines(finished, ctx.times(globals)));
  if (finished.status === 'succeeded') return 0;
  const reason = finished.error ? `: ${finished.error.message}` : '';
  throw new CliError(
    `RUN_${finished.status.toUpperCase()}`,
    `run ${finished.id} ended ${finished.status}${reason}`,
  );
}

async function nextFires(args: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals, globals } = parseCommandArgs(
    args,
    { count: { type: 'string' }, from: { type: 'string' } },
    ['id'],
  );
  const count = intFlag('count', values.count);
  const settings = ctx.settings(globals);
  const answer = await ctx
    .client(settings)
    .tasks.nextFires(idOrName(positionals[0] ?? ''), { count, from: values.from });
  if (settings.json) ctx.printJson(answer);
  else if (answer.fires.length === 0) ctx.print('(no more fires)');
  else ctx.print(...answer.fires);
  return 0;
}

export const tasksCommand: Command = {
  name: 'tasks',
  summary: 'create, list, show, run, enable/disable, update and delete tasks',
  help: HELP,
  run: (args, ctx) =>
    dispatchSubcommand('tasks', args, ctx, {
      create,
      list,
      get: showTask('get'),
      run,
      enable: showTask('enable'),
      disable: showTask('disable'),
      update,
      delete: remove,
      'next-fires': nextFires,
    }),
};
