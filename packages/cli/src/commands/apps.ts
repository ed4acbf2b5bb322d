/** `kairos apps`: list, show, create and delete apps; rotate an app's access token. */
import { idOrName, intFlag, parseCommandArgs } from '../args.js';
import { dispatchSubcommand } from '../context.js';
import type { Command, CommandContext } from '../context.js';
import { appLines, appTable, nextPageHint } from '../format.js';
import { commandHelp } from '../help.js';

const HELP = commandHelp(`
Usage:
  kairos apps list [--namespace NS] [--limit N] [--cursor C]
  kairos apps get <idOrAppName>
  kairos apps create --app-name NAME --name TITLE [--description TEXT] [--max-concurrency N] [--namespace NS]
  kairos apps delete <idOrAppName>
  kairos apps rotate-token <idOrAppName>

An app groups tasks and holds the access token its executors use. The token is shown once, in
the answer to create and rotate-token: store it then. Everywhere else it is masked or left out.

Flags:
  --namespace NS        the namespace (default: the server's default namespace)
  --limit N             at most N apps per page
  --cursor C            the page after the one that printed "--cursor C"
  --app-name NAME       the app's key, used by executors to register (letters, digits, "_", ".", "-")
  --name TITLE          a human name
  --description TEXT    what the app is for
  --max-concurrency N   at most N runs of the app's tasks at once (default: unlimited)

Examples:
  kairos apps create --app-name invoicing --name "Invoicing jobs" --max-concurrency 4
  kairos apps list --namespace billing
  kairos apps get invoicing --json
  kairos apps rotate-token invoicing
`);

async function list(args: string[], ctx: CommandContext): Promise<number> {
  const { values, globals } = parseCommandArgs(args, {
    namespace: { type: 'string' },
    limit: { type: 'string' },
    cursor: { type: 'string' },
  });
  const settings = ctx.settings(globals);
  const page = await ctx.client(settings).apps.list({
    namespace: values.namespace,
    limit: intFlag('limit', values.limit),
    cursor: values.cursor,
  });
  if (settings.json) ctx.printJson(page);
  else if (page.items.length === 0) ctx.print('(no apps)');
  else ctx.print(...appTable(page.items), ...nextPageHint(page.nextCursor));
  return 0;
}

async function get(args: string[], ctx: CommandContext): Promise<number> {
  const { positionals, globals } = parseCommandArgs(args, {}, ['idOrAppName']);
  const settings = ctx.settings(globals);
  const app = await ctx.client(settings).apps.get(idOrName(positionals[0] ?? ''));
  if (settings.json) ctx.printJson(app);
  else ctx.print(...appLines(app));
  return 0;
}

async function create(args: string[], ctx: CommandContext): Promise<number> {
  const { values, globals } = parseCommandArgs(args, {
    'app-name': { type: 'string' },
    name: { type: 'string' },
    description: { type: 'string' },
    'max-concurrency': { type: 'string' },
    namespace: { type: 'string' },
  });
  const settings = ctx.settings(globals);
  // Missing fields are the server's to refuse (it names the field); the CLI only maps flags.
  const app = await ctx.client(settings).apps.create({
    namespace: values.namespace,
    appName: values['app-name'] as string,
    name: values.name as string,
    description: values.description,
    maxConcurrency: intFlag('max-concurrency', values['max-concurrency']),
  });
  printWithToken(ctx, settings.json, app);
  return 0;
}

async function remove(args: string[], ctx: CommandContext): Promise<number> {
  const { positionals, globals } = parseCommandArgs(args, {}, ['idOrAppName']);
  const settings = ctx.settings(globals);
  const ref = positionals[0] ?? '';
  await ctx.client(settings).apps.delete(idOrName(ref));
  if (!settings.json) ctx.print(`app ${ref} deleted`);
  return 0;
}

async function rotateToken(args: string[], ctx: CommandContext): Promise<number> {
  const { positionals, globals } = parseCommandArgs(args, {}, ['idOrAppName']);
  const settings = ctx.settings(globals);
  const app = await ctx.client(settings).apps.rotateToken(idOrName(positionals[0] ?? ''));
  printWithToken(ctx, settings.json, app);
  return 0;
}

/** The one place an access token is printed: the answer to create and rotate-token. */
function printWithToken(ctx: CommandContext, json: boolean, app: Parameters<typeof appLines>[0]): void {
  if (json) {
    ctx.printJson(app);
    return;
  }
  ctx.print(...appLines(app, { showToken: true }));
  ctx.note('Store the access token now: Kairos keeps only its hash and will not show it again.');
}

export const appsCommand: Command = {
  name: 'apps',
  summary: 'list, show, create and delete apps; rotate access tokens',
  help: HELP,
  run: (args, ctx) =>
    dispatchSubcommand('apps', args, ctx, { list, get, create, delete: remove, 'rotate-token': rotateToken }),
};
