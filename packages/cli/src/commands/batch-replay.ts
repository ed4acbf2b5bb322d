/**
 * `kairos batches replay` and `kairos batches compare`: run a finished batch's items again (pinned
 * to a workflow version) and compare two batches item by item, a regression check.
 */
import type { Batch, BatchComparison, KairosClient } from '@kairos/protocol';
import { idOrName, intFlag, parseCommandArgs } from '../args.js';
import type { CommandContext } from '../context.js';
import { table } from '../format.js';

export const REPLAY_USAGE = `  kairos batches replay <id> [--workflow-id UUID] [--concurrency N] [--name NAME] [--pool POOL]
                          [--wait]
  kairos batches compare <baseline-id> <candidate-id> [--all] [--limit N] [--after SEQ]`;

export const REPLAY_FLAGS = `  --workflow-id UUID      replay: the Dify workflow version the runs are pinned to (default: the
                          version the task runs now)
  --all                   compare: list every item, not only those that changed
  --after SEQ             compare: items after this seq (the next page)`;

export const REPLAY_EXAMPLES = `  kairos batches replay 7 --workflow-id 7f1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d --wait
  kairos batches compare 7 9`;

export async function replay(
  args: string[],
  ctx: CommandContext,
  follow: (client: KairosClient, batch: Batch, json: boolean) => Promise<Batch>,
  line: (batch: Batch) => string,
): Promise<number> {
  const { values, positionals, globals } = parseCommandArgs(
    args,
    {
      'workflow-id': { type: 'string' },
      concurrency: { type: 'string' },
      name: { type: 'string' },
      pool: { type: 'string' },
      wait: { type: 'boolean' },
    },
    ['id'],
  );
  const settings = ctx.settings(globals);
  const client = ctx.client(settings);
  const started = await client.batches.replay(idOrName(positionals[0] ?? ''), {
    ...(values['workflow-id'] !== undefined ? { workflowId: values['workflow-id'] } : {}),
    ...(values.concurrency !== undefined ? { concurrency: intFlag('concurrency', values.concurrency) } : {}),
    ...(values.name !== undefined ? { name: values.name } : {}),
    ...(values.pool !== undefined ? { pool: values.pool } : {}),
  });
  if (settings.json) ctx.printJson(started);
  else ctx.print(line(started));
  if (!values.wait) return 0;
  const ended = await follow(client, started, settings.json);
  if (!settings.json) ctx.note(`compare: kairos batches compare ${positionals[0]} ${ended.id}`);
  return ended.progress.failed > 0 ? 1 : 0;
}

/** The totals in one line: `4 items: 1 improved, 2 regressed, 1 unchanged, …`. */
export function totalsLine(c: BatchComparison): string {
  const t = c.totals;
  const signed = (n: number) => (n > 0 ? `+${n}` : String(n));
  return [
    `${t.items} items: ${t.improved} improved, ${t.regressed} regressed, ${t.unchanged} unchanged`,
    ...(t.pending > 0 ? [`${t.pending} pending`] : []),
    `${t.outputsDiffer} output(s) differ`,
    `tokens ${t.tokens.baseline} → ${t.tokens.candidate} (${signed(t.tokens.delta)})`,
    `cost ${t.cost.baseline} → ${t.cost.candidate} (${signed(t.cost.delta)})`,
  ].join(', ');
}

export async function compare(args: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals, globals } = parseCommandArgs(
    args,
    { all: { type: 'boolean' }, limit: { type: 'string' }, after: { type: 'string' } },
    ['baseline-id', 'candidate-id'],
  );
  const settings = ctx.settings(globals);
  const comparison = await ctx
    .client(settings)
    .batches.compare(idOrName(positionals[0] ?? ''), idOrName(positionals[1] ?? ''), {
      afterSeq: intFlag('after', values.after),
      limit: intFlag('limit', values.limit),
    });
  if (settings.json) {
    ctx.printJson(comparison);
    return comparison.totals.regressed > 0 ? 1 : 0;
  }
  ctx.print(`batch ${comparison.baselineId} → batch ${comparison.candidateId}: ${totalsLine(comparison)}`);
  const shown = comparison.items.filter((i) => values.all || i.verdict !== 'unchanged' || !i.outputEqual);
  if (shown.length > 0) {
    ctx.print(
      ...table(
        ['SEQ', 'VERDICT', 'BASELINE', 'CANDIDATE', 'OUTPUT', 'TOKENS Δ', 'COST Δ'],
        shown.map((i) => [
          i.seq,
          i.verdict,
          i.baseline.status,
          i.candidate.status,
          i.outputEqual ? 'same' : 'differs',
          i.tokensDelta,
          i.costDelta,
        ]),
      ),
    );
  }
  if (comparison.nextAfterSeq !== null)
    ctx.note(
      `more items: kairos batches compare ${positionals[0]} ${positionals[1]} --after ${comparison.nextAfterSeq}`,
    );
  // A regression fails the command, for scripts and CI.
  return comparison.totals.regressed > 0 ? 1 : 0;
}
