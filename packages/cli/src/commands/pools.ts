/**
 * `kairos pools`: provider pacing pools (requests and tokens per minute, concurrency) that tasks
 * name so that their runs wait, queued, rather than hit the provider's limit.
 */
import type { Pool } from '@kairos/protocol';
import { parseCommandArgs, intFlag } from '../args.js';
import { dispatchSubcommand } from '../context.js';
import type { Command, CommandContext } from '../context.js';
import { table } from '../format.js';
import { commandHelp } from '../help.js';

const HELP = commandHelp(`
Usage:
  kairos pools list [--namespace NS]
  kairos pools get <name> [--namespace NS]
  kairos pools create <name> [--rpm N] [--tpm N] [--concurrency N] [--description TEXT] [--namespace NS]
  kairos pools update <name> [--rpm N|none] [--tpm N|none] [--concurrency N|none] [--namespace NS]
  kairos pools delete <name> [--namespace NS]

Flags:
  --rpm N           requests (runs started) per minute, at most
  --tpm N           tokens per minute, at most (counted from the runs' usage)
  --concurrency N   runs of the pool running at once, at most
  --namespace NS    the pool's namespace (default: default)

A task names its pool with "pool": "<name>". Pacing is per node (see docs/llm-pacing.md).

Examples:
  kairos pools create openai --rpm 600 --tpm 90000 --concurrency 8
  kairos pools update openai --concurrency none
  kairos pools get openai --json
`);

const LIMIT_FLAGS = {
  rpm: { type: 'string' },
  tpm: { type: 'string' },
  concurrency: { type: 'string' },
  namespace: { type: 'string' },
  description: { type: 'string' },
} as const;

/** A limit flag: absent keeps, `none` removes, a number sets. */
const limit = (name: string, value: string | undefined): number | null | undefined =>
  value === 'none' ? null : intFlag(name, value);

const show = (ctx: CommandContext, p: Pool) =>
  ctx.print(
    `name:              ${p.name}`,
    `namespace:         ${p.namespace}`,
    `requestsPerMinute: ${p.requestsPerMinute ?? '-'}`,
    `tokensPerMinute:   ${p.tokensPerMinute ?? '-'}`,
    `concurrency:       ${p.concurrency ?? '-'}`,
    `queued here:       ${p.live.queued}`,
    `running here:      ${p.live.running}`,
    `backing off until: ${p.live.backoffUntil ?? '-'}`,
  );

async function list(args: string[], ctx: CommandContext): Promise<number> {
  const { values, globals } = parseCommandArgs(args, { namespace: { type: 'string' } });
  const settings = ctx.settings(globals);
  const page = await ctx.client(settings).pools.list({ namespace: values.namespace });
  if (settings.json) ctx.printJson(page);
  else if (page.items.length === 0) ctx.print('(no pools)');
  else
    ctx.print(
      ...table(
        ['NAME', 'RPM', 'TPM', 'CONCURRENCY', 'QUEUED', 'RUNNING', 'BACKOFF UNTIL'],
        page.items.map((p) => [
          p.name,
          String(p.requestsPerMinute ?? '-'),
          String(p.tokensPerMinute ?? '-'),
          String(p.concurrency ?? '-'),
          String(p.live.queued),
          String(p.live.running),
          p.live.backoffUntil ?? '',
        ]),
      ),
    );
  return 0;
}

async function get(args: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals, globals } = parseCommandArgs(args, { namespace: { type: 'string' } }, [
    'name',
  ]);
  const settings = ctx.settings(globals);
  const pool = await ctx.client(settings).pools.get(positionals[0] ?? '', { namespace: values.namespace });
  if (settings.json) ctx.printJson(pool);
  else show(ctx, pool);
  return 0;
}

async function create(args: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals, globals } = parseCommandArgs(args, LIMIT_FLAGS, ['name']);
  const settings = ctx.settings(globals);
  const pool = await ctx.client(settings).pools.create({
    name: positionals[0] ?? '',
    namespace: values.namespace,
    description: values.description,
    requestsPerMinute: limit('rpm', values.rpm),
    tokensPerMinute: limit('tpm', values.tpm),
    concurrency: limit('concurrency', values.concurrency),
  });
  if (settings.json) ctx.printJson(pool);
  else show(ctx, pool);
  return 0;
}

async function update(args: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals, globals } = parseCommandArgs(args, LIMIT_FLAGS, ['name']);
  const settings = ctx.settings(globals);
  const pool = await ctx.client(settings).pools.update(
    positionals[0] ?? '',
    {
      description: values.description,
      requestsPerMinute: limit('rpm', values.rpm),
      tokensPerMinute: limit('tpm', values.tpm),
      concurrency: limit('concurrency', values.concurrency),
    },
    { namespace: values.namespace },
  );
  if (settings.json) ctx.printJson(pool);
  else show(ctx, pool);
  return 0;
}

async function remove(args: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals, globals } = parseCommandArgs(args, { namespace: { type: 'string' } }, [
    'name',
  ]);
  const settings = ctx.settings(globals);
  const name = positionals[0] ?? '';
  await ctx.client(settings).pools.delete(name, { namespace: values.namespace });
  if (!settings.json) ctx.print(`pool ${name} deleted`);
  return 0;
}

export const poolsCommand: Command = {
  name: 'pools',
  summary: 'provider pacing pools: requests and tokens per minute, concurrency',
  help: HELP,
  run: (args, ctx) => dispatchSubcommand('pools', args, ctx, { list, get, create, update, delete: remove }),
};
