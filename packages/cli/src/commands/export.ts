/**
 * `kairos export`: a namespace's apps, calendars, tasks, contact groups, alert rules and workflows as YAML, read through
 * the API (see export-definitions.ts for the shape: names instead of ids, no secrets).
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { List } from '@kairos/protocol';
import { stringify } from 'yaml';
import { parseCommandArgs } from '../args.js';
import type { Command, CommandContext } from '../context.js';
import { definitionsDocument } from '../export-definitions.js';
import { commandHelp } from '../help.js';

const HELP = commandHelp(`
Usage:
  kairos export [--namespace NS] [-o FILE]

Writes the namespace's apps (with their manual executor addresses), calendars, tasks, contact
groups, alert rules and workflows as one YAML document, to stdout or FILE. They refer to one
another by name: a task's app by appName, a schedule's calendar as {name, mode}, a group's members
and a rule's task, contacts and groups by name, a workflow's app by appName and each node's task
by name (task: nightly) or inline ({type, config, …}). Contacts are not written (they hold people's addresses): they
must exist where the file is applied. Nothing secret is written: app access tokens are never read, and a config value under a secret-looking
key (password, token, apiKey, Authorization…) is written as {secretRef: <where it is>}, the value
staying in Kairos. With --json, the same document as JSON.

Flags:
  --namespace NS   the namespace to export (default: default)
  -o FILE          write to FILE instead of stdout

Examples:
  kairos export > kairos.yaml
  kairos export --namespace billing -o billing.yaml
`);

async function all<T>(page: (cursor: string | undefined) => Promise<List<T>>): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const next = await page(cursor);
    items.push(...next.items);
    cursor = next.nextCursor ?? undefined;
  } while (cursor);
  return items;
}

async function run(args: string[], ctx: CommandContext): Promise<number> {
  const { values, globals } = parseCommandArgs(args, {
    namespace: { type: 'string' },
    output: { type: 'string', short: 'o' },
  });
  const settings = ctx.settings(globals);
  const client = ctx.client(settings);
  // Always one namespace: without ?namespace= the lists answer every namespace the caller sees.
  const namespace = values.namespace ?? 'default';
  const options = (cursor: string | undefined) => ({ namespace, cursor, limit: 500 });
  const apps = await all((c) => client.apps.list(options(c)));
  const addresses = new Map(
    await Promise.all(
      apps.map(async (a) => [a.id, (await client.executors.addresses(a.id)).addresses] as const),
    ),
  );
  const tasks = await all((c) => client.tasks.list(options(c)));
  const workflows = await all((c) => client.workflows.list(options(c)));
  const document = definitionsDocument({
    namespace,
    apps,
    addresses,
    calendars: await all((c) => client.calendars.list(options(c))),
    tasks,
    alertRules: await all((c) => client.alertRules.list(options(c))),
    contacts: await all((c) => client.contacts.list(options(c))),
    groups: await all((c) => client.contactGroups.list(options(c))),
    workflows,
  });
  const text = settings.json
    ? `${JSON.stringify(document, null, 2)}\n`
    : stringify(document, { lineWidth: 0 });
  if (values.output === undefined) {
    ctx.io.stdout.write(text);
    return 0;
  }
  const file = resolve(ctx.io.cwd ?? process.cwd(), values.output);
  await writeFile(file, text);
  ctx.note(`exported ${apps.length} apps, ${tasks.length} tasks, ${workflows.length} workflows to ${file}`);
  return 0;
}

export const exportCommand: Command = {
  name: 'export',
  summary: 'write apps, calendars, tasks, contact groups, alert rules and workflows as YAML',
  help: HELP,
  run,
};
