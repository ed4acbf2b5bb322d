/** `kairos dead-letters`: runs whose retries are exhausted; list, redrive and discard them. */
import type { DeadLetterActionResult } from '@kairos/protocol';
import { UsageError, intFlag, parseCommandArgs } from '../args.js';
import { dispatchSubcommand } from '../context.js';
import type { Command, CommandContext } from '../context.js';
import { nextPageHint, table } from '../format.js';
import { commandHelp } from '../help.js';
import { instantFlag } from '../instant-flag.js';

const HELP = commandHelp(`
Usage:
  kairos dead-letters list [--task ID] [--status S1,S2] [--state open|redriven|discarded|all]
                           [--since WHEN] [--until WHEN] [--namespace NS] [--limit N] [--cursor C]
  kairos dead-letters redrive <run-id>...
  kairos dead-letters discard <run-id>...

A dead letter is a run whose retries are exhausted: a final failed, timed_out or lost run with
no retry after it. Redrive runs it again with the same input (a new run, trigger "redrive");
discard takes it off the open list. Both are kept (--state redriven, discarded, all).

Flags:
  --task ID               only the dead letters of this task
  --status S1,S2          failed, timed_out, lost
  --state STATE           open (default), redriven, discarded or all
  --since WHEN            finished at or after WHEN: an ISO instant, a date or time in the --tz
                          zone, or a duration back from now (15m, 6h, 2d)
  --until WHEN            finished before WHEN (same forms)
  --namespace NS          only this namespace
  --limit N, --cursor C   paging

Exit status: 0 when every run was redriven or discarded, 1 when any was refused.

Examples:
  kairos dead-letters list --since 1d
  kairos dead-letters redrive 1001 1002
  kairos dead-letters list --task 42 --json | jq '[.items[].run.id]'
  kairos dead-letters discard 1003
`);

async function list(args: string[], ctx: CommandContext): Promise<number> {
  const { values, globals } = parseCommandArgs(args, {
    task: { type: 'string' },
    status: { type: 'string' },
    state: { type: 'string' },
    since: { type: 'string' },
    until: { type: 'string' },
    namespace: { type: 'string' },
    limit: { type: 'string' },
    cursor: { type: 'string' },
  });
  const state = values.state;
  if (state !== undefined && !['open', 'redriven', 'discarded', 'all'].includes(state))
    throw new UsageError(`--state must be open, redriven, discarded or all, got '${state}'`);
  const settings = ctx.settings(globals);
  const zone = ctx.zone(globals);
  const now = Date.now();
  const page = await ctx.client(settings).deadLetters.list({
    taskId: intFlag('task', values.task),
    status: values.status?.split(',').filter(Boolean),
    state: state as 'open' | undefined,
    since: instantFlag('since', values.since, zone, now),
    until: instantFlag('until', values.until, zone, now),
    namespace: values.namespace,
    limit: intFlag('limit', values.limit),
    cursor: values.cursor,
  });
  if (settings.json) ctx.printJson(page);
  else if (page.items.length === 0) ctx.print('(no dead letters)');
  else {
    const at = ctx.times(globals);
    ctx.print(
      ...table(
        ['RUN', 'TASK', 'STATUS', 'ATTEMPT', 'FINISHED', 'ERROR', 'STATE'],
        page.items.map((d) => [
          d.run.id,
          `#${d.run.taskId} ${d.taskName}`,
          d.run.status,
          d.run.attempt,
          at(d.run.finishedAt),
          d.run.error ? `${d.run.error.type}: ${d.run.error.message}`.slice(0, 60) : '',
          d.state === 'redriven' ? `redriven → #${d.redriveRunId}` : d.state,
        ]),
      ),
      ...nextPageHint(page.nextCursor),
    );
  }
  return 0;
}

function runIds(positionals: string[]): number[] {
  if (positionals.length === 0) throw new UsageError('name at least one run id');
  return positionals.map((p) => {
    if (!/^\d+$/.test(p)) throw new UsageError(`a run id is a number, got '${p}'`);
    return Number(p);
  });
}

async function act(which: 'redrive' | 'discard', args: string[], ctx: CommandContext): Promise<number> {
  const { positionals, globals } = parseCommandArgs(args, {}, ['run-id...']);
  const settings = ctx.settings(globals);
  const client = ctx.client(settings);
  const ids = runIds(positionals);
  const answer: DeadLetterActionResult =
    which === 'redrive' ? await client.deadLetters.redrive(ids) : await client.deadLetters.discard(ids);
  let refused = 0;
  for (const item of answer.items) {
    if ('error' in item) {
      refused++;
      if (!settings.json) ctx.note(`run ${item.runId}: ${item.error.message}`);
    } else if (!settings.json)
      ctx.print(
        which === 'redrive'
          ? `run ${item.runId} redriven as run ${item.newRunId}`
          : `run ${item.runId} discarded`,
      );
  }
  if (settings.json) ctx.printJson(answer);
  return refused > 0 ? 1 : 0;
}

export const deadLettersCommand: Command = {
  name: 'dead-letters',
  summary: 'runs whose retries are exhausted: list, redrive (run again) or discard them',
  help: HELP,
  run: (args, ctx) =>
    dispatchSubcommand('dead-letters', args, ctx, {
      list,
      redrive: (rest, c) => act('redrive', rest, c),
      discard: (rest, c) => act('discard', rest, c),
    }),
};
