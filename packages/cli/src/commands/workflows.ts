/** `kairos workflows`: DAGs of tasks (definitions, versions) and their runs. */
import type { WorkflowCreateInput, WorkflowUpdateInput } from '@kairos/protocol';
import { UsageError, intFlag, parseCommandArgs } from '../args.js';
import { dispatchSubcommand } from '../context.js';
import type { Command, CommandContext } from '../context.js';
import { nextPageHint } from '../format.js';
import { workflowLines, workflowRunLines, workflowRunTable, workflowTable } from '../format-workflows.js';
import { commandHelp } from '../help.js';
import { loadDocument } from '../load-file.js';

const HELP = commandHelp(`
Usage:
  kairos workflows list [--namespace NS] [--limit N] [--cursor C]
  kairos workflows get <id>
  kairos workflows create -f FILE
  kairos workflows update <id> -f FILE
  kairos workflows run <id> [--input JSON]
  kairos workflows runs [--workflow ID] [--status S] [--limit N] [--cursor C]
  kairos workflows run-get <run-id>
  kairos workflows resume <run-id>
  kairos workflows cancel <run-id>

Flags:
  -f, --file FILE         the workflow (create) or the fields to change (update), as JSON or
                          YAML (by extension, else by content); "-" reads stdin
  --input JSON            the workflow run's input (an object)
  --workflow ID           only runs of this workflow
  --status S              only runs with this status (running, succeeded, failed, cancelled, timed_out)
  --namespace NS          only this namespace
  --limit N, --cursor C   paging: at most N per page; the page after "--cursor C"

Examples:
  kairos workflows create -f tickets.yaml
  kairos workflows run 3 --input '{"day": "2026-03-15"}'
  kairos workflows runs --workflow 3 --status failed
  kairos workflows resume 12

A workflow file (YAML):
  name: tickets
  app: support
  schedule: { type: cron, expression: "0 0 18 * * ?", timezone: Asia/Shanghai }
  nodes:
    - key: summarise
      taskId: 7
    - key: post
      task: { type: http, config: { url: "https://chat.example.com/hook", method: POST } }
      input: '{ "text": nodes.summarise.output.outputs.summary }'
  edges:
    - { from: summarise, to: post }
`);

function requireFile(file: string | undefined, sub: string): string {
  if (file === undefined)
    throw new UsageError(`workflows ${sub} needs -f FILE (a JSON or YAML file, or - for stdin)`);
  return file;
}

function idOf(value: string | undefined, what: string): number {
  if (value === undefined || !/^[1-9]\d*$/.test(value))
    throw new UsageError(`${what}: must be a positive integer`);
  return Number(value);
}

async function list(args: string[], ctx: CommandContext): Promise<number> {
  const { values, globals } = parseCommandArgs(args, {
    namespace: { type: 'string' },
    limit: { type: 'string' },
    cursor: { type: 'string' },
  });
  const settings = ctx.settings(globals);
  const page = await ctx
    .client(settings)
    .workflows.list({
      namespace: values.namespace,
      limit: intFlag('limit', values.limit),
      cursor: values.cursor,
    });
  if (settings.json) ctx.printJson(page);
  else if (page.items.length === 0) ctx.print('(no workflows)');
  else ctx.print(...workflowTable(page.items), ...nextPageHint(page.nextCursor));
  return 0;
}

async function get(args: string[], ctx: CommandContext): Promise<number> {
  const { positionals, globals } = parseCommandArgs(args, {}, ['id']);
  const settings = ctx.settings(globals);
  const workflow = await ctx.client(settings).workflows.get(idOf(positionals[0], 'id'));
  if (settings.json) ctx.printJson(workflow);
  else ctx.print(...workflowLines(workflow));
  return 0;
}

async function create(args: string[], ctx: CommandContext): Promise<number> {
  const { values, globals } = parseCommandArgs(args, { file: { type: 'string', short: 'f' } });
  const file = requireFile(values.file, 'create');
  const settings = ctx.settings(globals);
  const doc = await loadDocument(file, ctx.io);
  const workflow = await ctx.client(settings).workflows.create(doc as unknown as WorkflowCreateInput);
  if (settings.json) ctx.printJson(workflow);
  else ctx.print(...workflowLines(workflow));
  return 0;
}

async function update(args: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals, globals } = parseCommandArgs(args, { file: { type: 'string', short: 'f' } }, [
    'id',
  ]);
  const file = requireFile(values.file, 'update');
  const settings = ctx.settings(globals);
  const patch = await loadDocument(file, ctx.io);
  const workflow = await ctx
    .client(settings)
    .workflows.update(idOf(positionals[0], 'id'), patch as unknown as WorkflowUpdateInput);
  if (settings.json) ctx.printJson(workflow);
  else ctx.print(...workflowLines(workflow));
  return 0;
}

async function run(args: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals, globals } = parseCommandArgs(args, { input: { type: 'string' } }, ['id']);
  let input: Record<string, unknown> | undefined;
  if (values.input !== undefined) {
    try {
      input = JSON.parse(values.input) as Record<string, unknown>;
    } catch {
      throw new UsageError('--input: must be a JSON object, e.g. \'{"day": "2026-03-15"}\'');
    }
  }
  const settings = ctx.settings(globals);
  const started = await ctx.client(settings).workflows.run(idOf(positionals[0], 'id'), { input });
  if (settings.json) ctx.printJson(started);
  else ctx.print(...workflowRunLines(started));
  return 0;
}

async function runs(args: string[], ctx: CommandContext): Promise<number> {
  const { values, globals } = parseCommandArgs(args, {
    workflow: { type: 'string' },
    status: { type: 'string' },
    limit: { type: 'string' },
    cursor: { type: 'string' },
  });
  const settings = ctx.settings(globals);
  const page = await ctx.client(settings).workflowRuns.list({
    workflowId: values.workflow === undefined ? undefined : idOf(values.workflow, '--workflow'),
    status: values.status as 'failed' | undefined,
    limit: intFlag('limit', values.limit),
    cursor: values.cursor,
  });
  if (settings.json) ctx.printJson(page);
  else if (page.items.length === 0) ctx.print('(no workflow runs)');
  else ctx.print(...workflowRunTable(page.items), ...nextPageHint(page.nextCursor));
  return 0;
}

function onRun(action: 'get' | 'resume' | 'cancel') {
  return async (args: string[], ctx: CommandContext): Promise<number> => {
    const { positionals, globals } = parseCommandArgs(args, {}, ['run-id']);
    const settings = ctx.settings(globals);
    const id = idOf(positionals[0], 'run-id');
    const result = await ctx.client(settings).workflowRuns[action](id);
    if (settings.json) ctx.printJson(result);
    else ctx.print(...workflowRunLines(result));
    return 0;
  };
}

export const workflowsCommand: Command = {
  name: 'workflows',
  summary: 'list, show, create, update and run workflows; list, resume and cancel their runs',
  help: HELP,
  run: (args, ctx) =>
    dispatchSubcommand('workflows', args, ctx, {
      list,
      get,
      create,
      update,
      run,
      runs,
      'run-get': onRun('get'),
      resume: onRun('resume'),
      cancel: onRun('cancel'),
    }),
};
