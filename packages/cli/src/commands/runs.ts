/** `kairos runs`: list and show runs, read or follow their logs, cancel them, trigger many. */
import {
  RUN_BATCH_MAX_ITEMS,
  type RunBatchRequest,
  type RunBatchResult,
  type KairosClient,
  type RunEvent,
} from '@kairos/protocol';
import { UsageError, idOrName, intFlag, parseCommandArgs } from '../args.js';
import { dispatchSubcommand } from '../context.js';
import type { Command, CommandContext } from '../context.js';
import { nextPageHint, runLines, runTable } from '../format.js';
import { commandHelp } from '../help.js';
import { loadJsonLines } from '../load-file.js';
import { instantFlag } from '../instant-flag.js';
import { resolveAppId, taskNamesOf } from '../lookups.js';
import { drainEvents, drainLogs, formatLogEntry, isTerminal } from '../run-watch.js';
import { progressLine, trackTree } from '../track-view.js';
import { diff, replay } from './run-replay.js';

const HELP = commandHelp(`
Usage:
  kairos runs list [--task ID] [--app ID|APPNAME] [--status S1,S2] [--trigger T1,T2]
                   [--since ISO] [--until ISO] [--namespace NS] [--limit N] [--cursor C]
  kairos runs get <id>
  kairos runs logs <id> [--follow]
  kairos runs track <id>
  kairos runs cancel <id>
  kairos runs trigger -f ITEMS.jsonl [--namespace NS]
  kairos runs replay <id> [--pin]
  kairos runs diff <left-id> <right-id>

Flags:
  --task ID               only the runs of this task
  --app ID|APPNAME        only the runs of this app's tasks
  --status S1,S2          scheduled, running, succeeded, failed, timed_out, cancelled, skipped, lost
  --trigger T1,T2         schedule, manual, api, retry, misfire, replay, redrive, judge
  --since WHEN            runs scheduled at or after WHEN: an ISO instant, a date or time in
                          the --tz zone (2026-03-01, 2026-03-01T08:00) or a duration back
                          from now (15m, 6h, 2d)
  --until WHEN            runs scheduled before WHEN (same forms)
  --namespace NS          only this namespace
  --limit N, --cursor C   paging: at most N per page; the page after "--cursor C"
  --follow                keep printing new log lines until the run has finished
                          (with --json: one JSON entry per line); a Dify run also
                          prints a line per node started and finished
  track                   a Dify run's node track as a tree: iterations and loops with
                          their rounds, branches taken, times, tokens, errors
  -f FILE                 trigger: JSON lines, one {"taskId", "input"?, "idempotencyKey"?} per
                          line (- for stdin); sent 1,000 a request, each request one transaction
  replay                  run a past run again with its input (a new run, replayOf the original);
                          --pin runs the workflow version it ran (Dify: its workflow_id)
  diff                    two runs side by side: status, input, output, tokens, cost, and node
                          by node (status, elapsed, tokens); = same, ≠ different

Examples:
  kairos runs list --task 42 --status failed,timed_out --since 2026-03-01T00:00:00Z
  kairos runs list --since 6h --tz Asia/Shanghai
  kairos runs get 1001
  kairos runs logs 1001 --follow
  kairos runs track 1001
  kairos runs cancel 1001
  kairos runs list --status failed --json | jq '.items[].id'
  kairos runs trigger -f reports.jsonl
  kairos runs replay 1001 --pin
  kairos runs diff 1001 1017
`);

const csvFlag = (value: string | undefined): string[] | undefined =>
  value === undefined
    ? undefined
    : value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);

async function list(args: string[], ctx: CommandContext): Promise<number> {
  const { values, globals } = parseCommandArgs(args, {
    task: { type: 'string' },
    app: { type: 'string' },
    status: { type: 'string' },
    trigger: { type: 'string' },
    since: { type: 'string' },
    until: { type: 'string' },
    namespace: { type: 'string' },
    limit: { type: 'string' },
    cursor: { type: 'string' },
  });
  const limit = intFlag('limit', values.limit);
  const taskId = intFlag('task', values.task);
  const settings = ctx.settings(globals);
  const zone = ctx.zone(globals);
  const now = Date.now();
  const client = ctx.client(settings);
  const page = await client.runs.list({
    taskId,
    appId: await resolveAppId(client, values.app),
    status: csvFlag(values.status),
    triggerType: csvFlag(values.trigger),
    from: instantFlag('since', values.since, zone, now),
    to: instantFlag('until', values.until, zone, now),
    namespace: values.namespace,
    limit,
    cursor: values.cursor,
  });
  if (settings.json) ctx.printJson(page);
  else if (page.items.length === 0) ctx.print('(no runs)');
  else {
    const names = await taskNamesOf(
      client,
      page.items.map((r) => r.taskId),
    );
    ctx.print(...runTable(page.items, ctx.times(globals), names), ...nextPageHint(page.nextCursor));
  }
  return 0;
}

async function get(args: string[], ctx: CommandContext): Promise<number> {
  const { positionals, globals } = parseCommandArgs(args, {}, ['id']);
  const settings = ctx.settings(globals);
  const client = ctx.client(settings);
  const run = await client.runs.get(idOrName(positionals[0] ?? ''));
  if (settings.json) ctx.printJson(run);
  else ctx.print(...runLines(run, ctx.times(globals), await taskNamesOf(client, [run.taskId])));
  return 0;
}

async function cancel(args: string[], ctx: CommandContext): Promise<number> {
  const { positionals, globals } = parseCommandArgs(args, {}, ['id']);
  const settings = ctx.settings(globals);
  const run = await ctx.client(settings).runs.cancel(idOrName(positionals[0] ?? ''));
  if (settings.json) ctx.printJson(run);
  else ctx.print(...runLines(run));
  return 0;
}

async function trigger(args: string[], ctx: CommandContext): Promise<number> {
  const { values, globals } = parseCommandArgs(args, {
    file: { type: 'string', short: 'f' },
    namespace: { type: 'string' },
  });
  if (values.file === undefined)
    throw new UsageError('runs trigger needs -f FILE (JSON lines, or - for stdin)');
  const settings = ctx.settings(globals);
  const client = ctx.client(settings);
  const lines = await loadJsonLines(values.file, ctx.io);
  let failed = 0;
  const results: { line: number; result: RunBatchResult['items'][number] }[] = [];
  for (let from = 0; from < lines.length; from += RUN_BATCH_MAX_ITEMS) {
    const chunk = lines.slice(from, from + RUN_BATCH_MAX_ITEMS);
    const answer = await client.runs.triggerBatch({
      ...(values.namespace ? { namespace: values.namespace } : {}),
      items: chunk.map(({ value }) => value as RunBatchRequest['items'][number]),
    });
    answer.items.forEach((result, i) => results.push({ line: chunk[i]!.line, result }));
  }
  for (const { line, result } of results) {
    if ('error' in result) failed++;
    if (settings.json) ctx.printJsonLine({ line, ...result });
    else if ('error' in result) ctx.print(`line ${line}: ${result.error.code}: ${result.error.message}`);
    else
      ctx.print(
        `line ${line}: run ${result.runId}${result.created ? '' : ' (existing: same idempotency key)'}`,
      );
  }
  if (!settings.json) ctx.note(`${results.length - failed} triggered, ${failed} refused`);
  return failed > 0 ? 1 : 0;
}

async function logs(args: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals, globals } = parseCommandArgs(args, { follow: { type: 'boolean' } }, ['id']);
  const settings = ctx.settings(globals);
  const client = ctx.client(settings);
  const id = idOrName(positionals[0] ?? '');

  if (!values.follow) {
    if (settings.json) {
      // The raw answer of one request; a script pages on with afterSeq.
      ctx.printJson(await client.runs.logs(id));
      return 0;
    }
    const last = await drainLogs(client, id, 0, (entry) => ctx.print(formatLogEntry(entry)));
    if (last === 0) ctx.note('(no log lines yet)');
    return 0;
  }

  const print = settings.json
    ? (entry: Parameters<typeof formatLogEntry>[0]) => ctx.printJsonLine(entry)
    : (entry: Parameters<typeof formatLogEntry>[0]) => ctx.print(formatLogEntry(entry));
  // A Dify run's progress is in its events (one per node), not its log: follow both.
  let dify: boolean | undefined;
  const progress = (event: RunEvent) => {
    const line = progressLine(event);
    if (line) ctx.print(line);
  };
  let seq = 0;
  let eventSeq = 0;
  for (;;) {
    seq = await drainLogs(client, id, seq, print);
    if (dify) eventSeq = await drainEvents(client, id, eventSeq, progress);
    const run = await client.runs.get(id);
    dify ??= !settings.json && (await isDifyTask(client, run.taskId));
    if (isTerminal(run)) {
      // Lines written between the last read and the terminal status.
      await drainLogs(client, id, seq, print);
      if (dify) await drainEvents(client, id, eventSeq, progress);
      if (!settings.json) ctx.note(`run ${run.id} ${run.status}`);
      return 0;
    }
    await ctx.sleep(ctx.pollIntervalMs);
  }
}

/** Whether a run's task is a Dify workflow (a deleted task: no). */
async function isDifyTask(client: KairosClient, taskId: number): Promise<boolean> {
  const task = await client.tasks.get(taskId).catch(() => undefined);
  return task?.type === 'dify_workflow';
}

async function track(args: string[], ctx: CommandContext): Promise<number> {
  const { positionals, globals } = parseCommandArgs(args, {}, ['id']);
  const settings = ctx.settings(globals);
  const answer = await ctx.client(settings).runs.track(idOrName(positionals[0] ?? ''));
  if (settings.json) ctx.printJson(answer);
  else if (answer.nodes.length === 0) ctx.print('(no nodes: not a Dify run, or it has not started)');
  else ctx.print(...trackTree(answer.nodes));
  return 0;
}

export const runsCommand: Command = {
  name: 'runs',
  summary: 'list and show runs, print or follow their logs, cancel, trigger many, replay, diff',
  help: HELP,
  run: (args, ctx) =>
    dispatchSubcommand('runs', args, ctx, { list, get, logs, track, cancel, trigger, replay, diff }),
};
