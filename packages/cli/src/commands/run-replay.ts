/** `kairos runs replay` and `kairos runs diff`: run a past run again, and compare two runs. */
import type { ComparedNodeSide, RunComparison } from '@kairos/protocol';
import { UsageError, parseCommandArgs } from '../args.js';
import type { CommandContext } from '../context.js';
import { formatDuration, runLines, table } from '../format.js';

const runId = (value: string | undefined, name: string): number => {
  if (value === undefined || !/^\d+$/.test(value))
    throw new UsageError(`${name} must be a run id, got '${value ?? ''}'`);
  return Number(value);
};

export async function replay(args: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals, globals } = parseCommandArgs(args, { pin: { type: 'boolean' } }, ['id']);
  const settings = ctx.settings(globals);
  const run = await ctx
    .client(settings)
    .runs.replay(runId(positionals[0], 'id'), { pin: values.pin === true });
  if (settings.json) ctx.printJson(run);
  else ctx.print(...runLines(run, ctx.times(globals)));
  return 0;
}

export async function diff(args: string[], ctx: CommandContext): Promise<number> {
  const { positionals, globals } = parseCommandArgs(args, {}, ['left', 'right']);
  const settings = ctx.settings(globals);
  const comparison = await ctx
    .client(settings)
    .runs.compare(runId(positionals[0], 'left'), runId(positionals[1], 'right'));
  if (settings.json) ctx.printJson(comparison);
  else ctx.print(...diffLines(comparison));
  return 0;
}

const mark = (same: boolean) => (same ? '=' : '≠');

const nodeCell = (side: ComparedNodeSide | null): string =>
  side === null
    ? '(not run)'
    : [side.status, formatDuration(side.elapsedMs), side.tokens === null ? undefined : `${side.tokens} tok`]
        .filter(Boolean)
        .join(' ');

/** The comparison as text: the run-level fields, then the nodes, `≠` where they differ. */
export function diffLines(c: RunComparison): string[] {
  const { left, right, same } = c;
  const runRows = table(
    ['', '', `LEFT #${left.id}`, `RIGHT #${right.id}`],
    [
      [mark(same.status), 'status', left.status, right.status],
      [
        mark(same.input),
        'input',
        same.input ? 'same' : JSON.stringify(left.input),
        same.input ? '' : JSON.stringify(right.input),
      ],
      [mark(same.output), 'output', same.output ? 'same' : 'differs', same.output ? '' : '(see --json)'],
      [mark(same.tokens), 'tokens', left.usage?.totalTokens, right.usage?.totalTokens],
      [mark(same.cost), 'cost', left.usage?.totalPrice, right.usage?.totalPrice],
      ['', 'duration', formatDuration(left.durationMs), formatDuration(right.durationMs)],
    ],
  );
  if (c.nodes.length === 0) return [...runRows, '', '(no node tracks: not Dify runs)'];
  const nodeRows = table(
    ['', 'NODE', 'TYPE', 'LEFT', 'RIGHT'],
    c.nodes.map((n) => [mark(n.same), n.title, n.nodeType, nodeCell(n.left), nodeCell(n.right)]),
  );
  return [...runRows, '', ...nodeRows];
}
