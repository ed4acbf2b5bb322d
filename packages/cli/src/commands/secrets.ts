/**
 * `kairos secrets`: named secrets that task configs refer to as {"$secret": "<name>"}. The value
 * is read from stdin (never from the command line, where other users of the machine can see it
 * in the process list) and never shown again.
 */
import { CliError, UsageError, parseCommandArgs } from '../args.js';
import { dispatchSubcommand } from '../context.js';
import type { Command, CommandContext } from '../context.js';
import { table } from '../format.js';
import { commandHelp } from '../help.js';
import { readAll } from '../load-file.js';

const HELP = commandHelp(`
Usage:
  kairos secrets list [--namespace NS]
  kairos secrets get <name> [--namespace NS]
  kairos secrets create <name> [--description TEXT] [--namespace NS]   (value on stdin)
  kairos secrets rotate <name> [--namespace NS]                        (new value on stdin)
  kairos secrets delete <name> [--namespace NS]

Flags:
  --namespace NS          the secret's namespace (default: default)
  --description TEXT      what the secret is for

The value is read from stdin, one trailing newline dropped; it is stored encrypted and never
shown again. Refer to it in a task config as {"$secret": "<name>"}, e.g. an http header:
  headers: { authorization: { $secret: reports-token } }

Examples:
  printf '%s' "$REPORTS_TOKEN" | kairos secrets create reports-token --description "reports API"
  kairos secrets rotate reports-token < new-token.txt
  kairos secrets list --json
`);

async function valueFromStdin(ctx: CommandContext): Promise<string> {
  if (!ctx.io.stdin) throw new CliError('NO_INPUT', 'the secret value is read from stdin, and there is none');
  const value = (await readAll(ctx.io.stdin)).replace(/\r?\n$/, '');
  if (value === '') throw new UsageError('the secret value (stdin) is empty');
  return value;
}

async function list(args: string[], ctx: CommandContext): Promise<number> {
  const { values, globals } = parseCommandArgs(args, { namespace: { type: 'string' } });
  const settings = ctx.settings(globals);
  const page = await ctx.client(settings).secrets.list({ namespace: values.namespace });
  if (settings.json) ctx.printJson(page);
  else if (page.items.length === 0) ctx.print('(no secrets)');
  else
    ctx.print(
      ...table(
        ['NAME', 'NAMESPACE', 'DESCRIPTION', 'UPDATED'],
        page.items.map((s) => [s.name, s.namespace, s.description ?? '', s.updatedAt]),
      ),
    );
  return 0;
}

async function get(args: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals, globals } = parseCommandArgs(args, { namespace: { type: 'string' } }, [
    'name',
  ]);
  const settings = ctx.settings(globals);
  const secret = await ctx
    .client(settings)
    .secrets.get(positionals[0] ?? '', { namespace: values.namespace });
  if (settings.json) ctx.printJson(secret);
  else
    ctx.print(
      `name:        ${secret.name}`,
      `namespace:   ${secret.namespace}`,
      `description: ${secret.description ?? ''}`,
      `updated:     ${secret.updatedAt}`,
    );
  return 0;
}

async function create(args: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals, globals } = parseCommandArgs(
    args,
    { namespace: { type: 'string' }, description: { type: 'string' } },
    ['name'],
  );
  const settings = ctx.settings(globals);
  const secret = await ctx.client(settings).secrets.create({
    name: positionals[0] ?? '',
    value: await valueFromStdin(ctx),
    ...(values.description !== undefined ? { description: values.description } : {}),
    ...(values.namespace !== undefined ? { namespace: values.namespace } : {}),
  });
  if (settings.json) ctx.printJson(secret);
  else ctx.print(`secret ${secret.name} created in ${secret.namespace}`);
  return 0;
}

async function rotate(args: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals, globals } = parseCommandArgs(args, { namespace: { type: 'string' } }, [
    'name',
  ]);
  const settings = ctx.settings(globals);
  const secret = await ctx
    .client(settings)
    .secrets.rotate(
      positionals[0] ?? '',
      { value: await valueFromStdin(ctx) },
      { namespace: values.namespace },
    );
  if (settings.json) ctx.printJson(secret);
  else ctx.print(`secret ${secret.name} rotated: runs that start from now on use the new value`);
  return 0;
}

async function remove(args: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals, globals } = parseCommandArgs(args, { namespace: { type: 'string' } }, [
    'name',
  ]);
  const settings = ctx.settings(globals);
  const name = positionals[0] ?? '';
  await ctx.client(settings).secrets.delete(name, { namespace: values.namespace });
  if (!settings.json) ctx.print(`secret ${name} deleted`);
  return 0;
}

export const secretsCommand: Command = {
  name: 'secrets',
  summary: 'named secrets that task configs refer to (values read from stdin, never shown)',
  help: HELP,
  run: (args, ctx) => dispatchSubcommand('secrets', args, ctx, { list, get, create, rotate, delete: remove }),
};
