/** `kairos tokens`: API tokens — list, create (the secret printed once), revoke. */
import type { ApiToken, Role } from '@kairos/protocol';
import { ROLES } from '@kairos/protocol';
import { UsageError, intFlag, parseCommandArgs } from '../args.js';
import { dispatchSubcommand } from '../context.js';
import type { Command, CommandContext } from '../context.js';
import { keyValues, nextPageHint, table } from '../format.js';
import { commandHelp } from '../help.js';

const HELP = commandHelp(`
Usage:
  kairos tokens list [--limit N] [--cursor C]
  kairos tokens create --name NAME --role ROLE --namespaces NS[,NS…]|* [--expires-at INSTANT]
  kairos tokens revoke <id>

A token acts with one role in the namespaces it names, or in every namespace with "*":
viewer (read), operator (also run, cancel, enable, disable), editor (also create and change
tasks, calendars, contacts and alert rules), admin (also apps and their tokens, tokens,
script tasks). Its secret is printed once, at creation; only a hash is kept. Revoking takes
effect at once on every node. The last admin token for every namespace cannot be revoked.

Flags:
  --name NAME             what the token is for (shown in lists and the audit log)
  --role ROLE             viewer, operator, editor or admin
  --namespaces LIST       comma-separated namespace names, or * for every namespace
  --expires-at INSTANT    ISO-8601, e.g. 2027-01-01T00:00:00Z (default: never)
  --limit N, --cursor C   paging

Examples:
  kairos tokens create --name ci --role operator --namespaces billing
  kairos tokens create --name auditor --role viewer --namespaces '*' --expires-at 2027-01-01T00:00:00Z
  kairos tokens revoke 7
`);

const tokenTable = (tokens: ApiToken[]): string[] =>
  table(
    ['ID', 'NAME', 'ROLE', 'NAMESPACES', 'TOKEN', 'EXPIRES', 'LAST USED', 'REVOKED'],
    tokens.map((t) => [
      t.id,
      t.name,
      t.role,
      t.namespaces === '*' ? '*' : t.namespaces.join(','),
      t.token,
      t.expiresAt,
      t.lastUsedAt,
      t.revokedAt,
    ]),
  );

const tokenLines = (t: ApiToken): string[] =>
  keyValues([
    ['id', t.id],
    ['name', t.name],
    ['role', t.role],
    ['namespaces', t.namespaces === '*' ? '*' : t.namespaces.join(', ')],
    ['token', t.token],
    ['expires', t.expiresAt],
    ['revoked', t.revokedAt],
  ]);

async function list(args: string[], ctx: CommandContext): Promise<number> {
  const { values, globals } = parseCommandArgs(args, {
    limit: { type: 'string' },
    cursor: { type: 'string' },
  });
  const settings = ctx.settings(globals);
  const page = await ctx
    .client(settings)
    .tokens.list({ limit: intFlag('limit', values.limit), cursor: values.cursor });
  if (settings.json) ctx.printJson(page);
  else if (page.items.length === 0) ctx.print('(no tokens)');
  else ctx.print(...tokenTable(page.items), ...nextPageHint(page.nextCursor));
  return 0;
}

async function create(args: string[], ctx: CommandContext): Promise<number> {
  const { values, globals } = parseCommandArgs(args, {
    name: { type: 'string' },
    role: { type: 'string' },
    namespaces: { type: 'string' },
    'expires-at': { type: 'string' },
  });
  if (values.name === undefined) throw new UsageError('tokens create needs --name NAME');
  if (values.role === undefined || !(ROLES as readonly string[]).includes(values.role)) {
    throw new UsageError(`tokens create needs --role, one of ${ROLES.join(', ')}`);
  }
  if (values.namespaces === undefined) throw new UsageError('tokens create needs --namespaces NS[,NS…] or *');
  const namespaces =
    values.namespaces.trim() === '*' ? ('*' as const) : values.namespaces.split(',').map((ns) => ns.trim());
  const settings = ctx.settings(globals);
  const token = await ctx.client(settings).tokens.create({
    name: values.name,
    role: values.role as Role,
    namespaces,
    ...(values['expires-at'] !== undefined ? { expiresAt: values['expires-at'] } : {}),
  });
  if (settings.json) ctx.printJson(token);
  else ctx.print(...tokenLines(token), '', 'Keep the token now: it is not shown again.');
  return 0;
}

async function revoke(args: string[], ctx: CommandContext): Promise<number> {
  const { positionals, globals } = parseCommandArgs(args, {}, ['id']);
  const id = intFlag('id', positionals[0]);
  if (id === undefined) throw new UsageError('tokens revoke needs the token id');
  const settings = ctx.settings(globals);
  const token = await ctx.client(settings).tokens.revoke(id);
  if (settings.json) ctx.printJson(token);
  else ctx.print(`token ${token.id} (${token.name}) revoked`);
  return 0;
}

export const tokensCommand: Command = {
  name: 'tokens',
  summary: 'API tokens: list, create, revoke',
  help: HELP,
  run: (args, ctx) => dispatchSubcommand('tokens', args, ctx, { list, create, revoke }),
};
