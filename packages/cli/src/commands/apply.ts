/**
 * `kairos apply -f <file or dir>`: definitions as code (apps, calendars, tasks, contact groups, alert rules). Sends the documents (the shape `kairos
 * export` writes) to `POST /api/v1/apply` as a dry run, shows the plan, and after confirmation
 * applies it; the server checks and stores all of it in one transaction, or nothing.
 */
import { KairosApiError } from '@kairos/protocol';
import type { DefinitionsDocumentInput } from '@kairos/protocol';
import { CliError, parseCommandArgs, UsageError } from '../args.js';
import type { Command, CommandContext } from '../context.js';
import { loadDefinitionFiles, locateField, type DefinitionFile } from '../definition-files.js';
import { formatPlan, planCounts } from '../format-plan.js';
import { commandHelp } from '../help.js';

const HELP = commandHelp(`
Usage:
  kairos apply -f FILE|DIR|- [-f …] [--prune] [--dry-run] [--yes]

Creates and updates apps, calendars, tasks, contact groups and alert rules from YAML (or JSON) files in the shape
\`kairos export\` writes: one or more documents per file (\`---\` between them), a directory
standing for its .yaml, .yml and .json files. Shows the plan first (+ create, ~ change with the
fields that change, = unchanged, - delete) and applies it once you confirm. The server checks
everything and stores all of it in one transaction, or nothing: an unknown field, a task whose
app or calendar is neither in the files nor on the server, or any other refusal is shown at its
file, line and field. Applying the same files twice changes nothing.

Secrets by reference only: a config value written {"$secret": NAME} uses a named secret
(kairos secrets), and {secretRef: …}, as export writes it, keeps the value this server stores
for that task. New apps get an access token that is never shown: \`kairos apps rotate-token\`.
Contact groups and alert rules name their contacts, which must exist on the server (export
does not write them: they hold people's addresses); a rule's groups may come from the files.

Flags:
  -f, --file PATH  a file or a directory (repeatable); - reads stdin
  --prune          also delete what the files do not define, only in the namespaces they name
                   and only the kinds they list (a document without \`calendars:\` prunes none)
  --dry-run        show the plan and change nothing
  -y, --yes        apply without asking (needed when stdin is not a terminal)

Examples:
  kairos export -o kairos.yaml && $EDITOR kairos.yaml && kairos apply -f kairos.yaml
  kairos apply -f definitions/ --prune --dry-run
`);

async function run(args: string[], ctx: CommandContext): Promise<number> {
  const { values, globals } = parseCommandArgs(args, {
    file: { type: 'string', short: 'f', multiple: true },
    prune: { type: 'boolean' },
    'dry-run': { type: 'boolean' },
    yes: { type: 'boolean', short: 'y' },
  });
  const paths = (values.file ?? []) as string[];
  if (paths.length === 0) throw new UsageError('give the definitions with -f FILE or -f DIR');
  const settings = ctx.settings(globals);
  const client = ctx.client(settings);
  const files = await loadDefinitionFiles(paths, ctx.io.cwd ?? process.cwd(), ctx.io.stdin);
  // What the documents must hold is the server's to judge (and to show at its line).
  const documents = files.map((f) => f.value as DefinitionsDocumentInput);
  const request = { documents, prune: values.prune === true };
  const dryRun = values['dry-run'] === true;

  const plan = await located(files, () => client.apply({ ...request, dryRun: true }));
  const counts = planCounts(plan);
  if (settings.json && (dryRun || counts.changing === 0)) {
    ctx.printJson(plan);
    return 0;
  }
  const place = (field: string) => {
    const found = locateField(files, field, '');
    return found ? `${found.where}: ${found.field}` : field;
  };
  if (!settings.json) ctx.print(...formatPlan(plan, place));
  if (counts.changing === 0 || dryRun) return 0;
  if (values.yes !== true && paths.includes('-')) {
    throw new UsageError(
      'the definitions came from stdin (-f -), which cannot confirm too: pass --yes or --dry-run',
    );
  }
  if (values.yes !== true && !(await confirm(ctx))) {
    ctx.note('nothing applied');
    return 1;
  }
  const applied = await located(files, () => client.apply({ ...request, dryRun: false }));
  if (settings.json) ctx.printJson(applied);
  else {
    const done = planCounts(applied);
    ctx.print(`Applied: ${done.create} created, ${done.update} changed, ${done.delete} deleted.`);
  }
  return 0;
}

/** The API's refusal of a document's field, shown at its file, line and field. */
async function located<T>(files: DefinitionFile[], call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof KairosApiError && err.field) {
      const found = locateField(files, err.field, err.message);
      if (found)
        throw new CliError(err.code, `${found.where}: ${found.field}: ${found.message}`, found.field);
    }
    throw err;
  }
}

/** Asks on stderr, reads one line of stdin; no stdin is a refusal that says to pass --yes. */
async function confirm(ctx: CommandContext): Promise<boolean> {
  const stdin = ctx.io.stdin;
  if (!stdin) throw new CliError('NOT_CONFIRMED', 'no input to confirm on: pass --yes to apply');
  ctx.io.stderr.write('Apply these changes? [y/N] ');
  const decoder = new TextDecoder();
  let line = '';
  for await (const chunk of stdin) {
    line += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    if (line.includes('\n')) break;
  }
  return /^\s*y(es)?\s*$/i.test(line.split('\n')[0] ?? '');
}

export const applyCommand: Command = {
  name: 'apply',
  summary: 'create and update apps, calendars, tasks, groups and alert rules from YAML files (plan first)',
  help: HELP,
  run,
};
