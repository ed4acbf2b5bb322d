/** `kairos batches`: run a task once per item of a dataset, follow the batch, steer it, get results. */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Batch, BatchCreate, KairosClient } from '@kairos/protocol';
import { UsageError, idOrName, intFlag, jsonFlag, parseCommandArgs } from '../args.js';
import { dispatchSubcommand } from '../context.js';
import type { Command, CommandContext } from '../context.js';
import { keyValues, nextPageHint, table } from '../format.js';
import { commandHelp } from '../help.js';
import { readText } from '../load-file.js';
import { compare, replay, REPLAY_EXAMPLES, REPLAY_FLAGS, REPLAY_USAGE } from './batch-replay.js';

const HELP = commandHelp(`
Usage:
  kairos batches start --task ID (-f FILE | --url URL | --from-run RUN_ID [--path P] [--as NAME])
                       [--format jsonl|csv] [--concurrency N] [--name NAME] [--pool POOL]
                       [--input JSON] [--wait]
  kairos batches list [--task ID] [--status S1,S2] [--namespace NS] [--limit N] [--cursor C]
  kairos batches get <id>
  kairos batches pause|resume|cancel <id>
  kairos batches retry-failed <id>
  kairos batches results <id> [--format jsonl|csv] [--status S1,S2] [-o FILE]
${REPLAY_USAGE}

Flags:
  --task ID               the task run once per item
  -f FILE                 the dataset: JSON lines (one object of inputs a line) or CSV with a
                          header row naming the inputs (- for stdin); sent in the request
                          (at most 32 MiB)
  --format jsonl|csv      the dataset's format (default: from the file's extension, .csv: csv);
                          for results: the download's format (default jsonl)
  --url URL               the dataset at a URL, fetched by the server (its outbound rules apply)
  --from-run RUN_ID       the list in an earlier run's output: --path result.rows (default: the
                          output itself); elements that are not objects become {NAME: element}
                          (--as, default item)
  --concurrency N         items running at once (default 10)
  --input JSON            inputs shared by every item (an item's own win)
  --pool POOL             a provider pacing pool the runs share
  --wait                  print the progress until the batch has ended
  --status S1,S2          batches: running, paused, cancelled, completed;
                          results: pending, running, succeeded, failed, invalid, cancelled
  -o FILE                 write the results to FILE instead of stdout
${REPLAY_FLAGS}

Examples:
  kairos batches start --task 42 -f articles.csv --concurrency 20 --wait
  kairos batches start --task 42 --url https://example.com/rows.jsonl
  kairos batches start --task 42 --from-run 1001 --path body.rows --as city
  kairos batches get 7
  kairos batches retry-failed 7
  kairos batches results 7 --format csv -o results.csv
  kairos batches results 7 --status failed --json | jq .error.message
${REPLAY_EXAMPLES}
`);

const csvFlag = (value: string | undefined): string[] | undefined =>
  value
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);

function money(cost: number, currency: string | null): string {
  return `${cost.toFixed(cost >= 1 ? 2 : 6).replace(/\.?0+$/, '')}${currency ? ` ${currency}` : ''}`;
}

/** One line of progress: `running  120/1000 done, 3 failed, 2 invalid, 875 left, …`. */
export function progressOf(batch: Batch): string {
  const p = batch.progress;
  const parts = [
    `${p.done}/${p.total} done`,
    `${p.failed} failed`,
    ...(p.invalid > 0 ? [`${p.invalid} invalid`] : []),
    ...(p.cancelled > 0 ? [`${p.cancelled} cancelled`] : []),
    `${p.left} left`,
    `${p.tokens} tokens`,
    money(p.cost, p.currency),
    ...(p.estimatedFinishAt ? [`finish ~${p.estimatedFinishAt}`] : []),
  ];
  return `batch ${batch.id} ${batch.status}: ${parts.join(', ')}`;
}

function batchLines(batch: Batch): string[] {
  return keyValues([
    ['id', batch.id],
    ['name', batch.name],
    ['namespace', batch.namespace],
    ['task', batch.taskId],
    ['status', batch.status],
    ['concurrency', batch.concurrency],
    ['pool', batch.pool],
    ['source', JSON.stringify(batch.source)],
    ['progress', progressOf(batch).replace(/^batch \d+ \w+: /, '')],
    ['created', batch.createdAt],
    ['finished', batch.finishedAt],
  ]);
}

async function start(args: string[], ctx: CommandContext): Promise<number> {
  const { values, globals } = parseCommandArgs(args, {
    task: { type: 'string' },
    file: { type: 'string', short: 'f' },
    url: { type: 'string' },
    'from-run': { type: 'string' },
    path: { type: 'string' },
    as: { type: 'string' },
    format: { type: 'string' },
    concurrency: { type: 'string' },
    name: { type: 'string' },
    pool: { type: 'string' },
    input: { type: 'string' },
    wait: { type: 'boolean' },
  });
  const taskId = intFlag('task', values.task);
  if (taskId === undefined) throw new UsageError('batches start needs --task ID');
  const given = [values.file, values.url, values['from-run']].filter((v) => v !== undefined);
  if (given.length !== 1)
    throw new UsageError('batches start needs one of -f FILE, --url URL, --from-run RUN_ID');
  const format = values.format;
  if (format !== undefined && format !== 'jsonl' && format !== 'csv')
    throw new UsageError('--format must be jsonl or csv');
  let source: BatchCreate['source'];
  if (values.file !== undefined) {
    const { text } = await readText(values.file, ctx.io);
    source = {
      type: 'upload',
      format: format ?? (values.file.toLowerCase().endsWith('.csv') ? 'csv' : 'jsonl'),
      content: text,
      ...(values.file === '-' ? {} : { filename: values.file.split('/').pop() }),
    };
  } else if (values.url !== undefined) {
    source = { type: 'url', url: values.url, ...(format ? { format } : {}) };
  } else {
    source = {
      type: 'run',
      runId: intFlag('from-run', values['from-run'])!,
      ...(values.path !== undefined ? { path: values.path } : {}),
      ...(values.as !== undefined ? { as: values.as } : {}),
    };
  }
  const input = jsonFlag('input', values.input) as Record<string, unknown> | undefined;
  const settings = ctx.settings(globals);
  const client = ctx.client(settings);
  const started = await client.batches.start({
    taskId,
    source,
    ...(values.concurrency !== undefined ? { concurrency: intFlag('concurrency', values.concurrency) } : {}),
    ...(values.name !== undefined ? { name: values.name } : {}),
    ...(values.pool !== undefined ? { pool: values.pool } : {}),
    ...(input !== undefined ? { input } : {}),
  });
  if (settings.json) ctx.printJson(started);
  else {
    ctx.print(progressOf(started));
    for (const e of started.itemErrors) ctx.print(`item ${e.seq}: ${e.message}`);
    if (started.progress.invalid > started.itemErrors.length)
      ctx.note(`all invalid items: kairos batches results ${started.id} --status invalid`);
  }
  if (!values.wait) return 0;
  const ended = await follow(client, started, ctx, settings.json);
  return ended.progress.failed > 0 ? 1 : 0;
}

/** Polls until the batch has ended, printing its progress when it changed. */
async function follow(
  client: KairosClient,
  first: Batch,
  ctx: CommandContext,
  json: boolean,
): Promise<Batch> {
  let last = progressOf(first);
  let batch = first;
  while (batch.status === 'running' || batch.status === 'paused') {
    await ctx.sleep(ctx.pollIntervalMs);
    batch = await client.batches.get(batch.id);
    const line = progressOf(batch);
    if (line !== last && !json) ctx.print(line);
    last = line;
  }
  if (json) ctx.printJsonLine(batch);
  return batch;
}

async function list(args: string[], ctx: CommandContext): Promise<number> {
  const { values, globals } = parseCommandArgs(args, {
    task: { type: 'string' },
    status: { type: 'string' },
    namespace: { type: 'string' },
    limit: { type: 'string' },
    cursor: { type: 'string' },
  });
  const settings = ctx.settings(globals);
  const page = await ctx.client(settings).batches.list({
    taskId: intFlag('task', values.task),
    status: csvFlag(values.status),
    namespace: values.namespace,
    limit: intFlag('limit', values.limit),
    cursor: values.cursor,
  });
  if (settings.json) ctx.printJson(page);
  else if (page.items.length === 0) ctx.print('(no batches)');
  else
    ctx.print(
      ...table(
        ['ID', 'NAME', 'TASK', 'STATUS', 'DONE', 'FAILED', 'LEFT', 'TOKENS', 'CREATED'],
        page.items.map((b) => [
          b.id,
          b.name,
          b.taskId,
          b.status,
          `${b.progress.done}/${b.progress.total}`,
          b.progress.failed,
          b.progress.left,
          b.progress.tokens,
          b.createdAt,
        ]),
      ),
      ...nextPageHint(page.nextCursor),
    );
  return 0;
}

const one =
  (act: (client: KairosClient, id: number | string) => Promise<Batch>) =>
  async (args: string[], ctx: CommandContext): Promise<number> => {
    const { positionals, globals } = parseCommandArgs(args, {}, ['id']);
    const settings = ctx.settings(globals);
    const batch = await act(ctx.client(settings), idOrName(positionals[0] ?? ''));
    if (settings.json) ctx.printJson(batch);
    else ctx.print(...batchLines(batch));
    return 0;
  };

async function retryFailed(args: string[], ctx: CommandContext): Promise<number> {
  const { positionals, globals } = parseCommandArgs(args, {}, ['id']);
  const settings = ctx.settings(globals);
  const answer = await ctx.client(settings).batches.retryFailed(idOrName(positionals[0] ?? ''));
  if (settings.json) ctx.printJson(answer);
  else ctx.print(`${answer.retried} failed item(s) run again`, progressOf(answer.batch));
  return 0;
}

async function results(args: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals, globals } = parseCommandArgs(
    args,
    { format: { type: 'string' }, status: { type: 'string' }, output: { type: 'string', short: 'o' } },
    ['id'],
  );
  const format = values.format ?? 'jsonl';
  if (format !== 'jsonl' && format !== 'csv') throw new UsageError('--format must be jsonl or csv');
  const settings = ctx.settings(globals);
  const response = await ctx.client(settings).batches.results(idOrName(positionals[0] ?? ''), {
    format,
    ...(values.status ? { status: csvFlag(values.status) ?? [] } : {}),
  });
  const text = await response.text();
  if (values.output !== undefined) {
    await writeFile(resolve(ctx.io.cwd ?? process.cwd(), values.output), text);
    ctx.note(
      `${text.split('\n').filter(Boolean).length - (format === 'csv' ? 1 : 0)} item(s) written to ${values.output}`,
    );
  } else ctx.io.stdout.write(text);
  return 0;
}

export const batchesCommand: Command = {
  name: 'batches',
  summary: 'run a task once per item of a dataset (JSONL, CSV, URL, a run output); follow, steer, download',
  help: HELP,
  run: (args, ctx) =>
    dispatchSubcommand('batches', args, ctx, {
      start,
      list,
      get: one((client, id) => client.batches.get(id)),
      pause: one((client, id) => client.batches.pause(id)),
      resume: one((client, id) => client.batches.resume(id)),
      cancel: one((client, id) => client.batches.cancel(id)),
      'retry-failed': retryFailed,
      results,
      replay: (a, c) => replay(a, c, (client, batch, json) => follow(client, batch, c, json), progressOf),
      compare,
    }),
};
