/**
 * The `kairos` dispatcher: global flags, the command, its `--help`, and the one place where a
 * failure becomes a message on stderr and an exit code (1 failed, 2 usage). Runs in-process with
 * injected streams and environment, so tests drive it without spawning anything.
 */
import { readFileSync } from 'node:fs';
import { KairosApiError } from '@kairos/protocol';
import { CliError, UsageError, splitCommand, wantsHelp } from './args.js';
import { CommandContext } from './context.js';
import type { CliIo, Command } from './context.js';
import { appsCommand } from './commands/apps.js';
import { backupCommand } from './commands/backup.js';
import { calendarsCommand } from './commands/calendars.js';
import { workflowsCommand } from './commands/workflows.js';
import { cronCommand } from './commands/cron.js';
import { devCommand } from './commands/dev.js';
import { executorsCommand } from './commands/executors.js';
import { exportCommand } from './commands/export.js';
import { importCommand } from './commands/import.js';
import { nodesCommand } from './commands/nodes.js';
import { runsCommand } from './commands/runs.js';
import { serverCommand } from './commands/server.js';
import { tasksCommand } from './commands/tasks.js';
import { alertRulesCommand } from './commands/alert-rules.js';
import { alertsCommand } from './commands/alerts.js';
import { contactGroupsCommand } from './commands/contact-groups.js';
import { contactsCommand } from './commands/contacts.js';
import { secretsCommand } from './commands/secrets.js';
import { tokensCommand } from './commands/tokens.js';
import { auditCommand } from './commands/audit.js';
import { ENV_HELP, EXIT_HELP, GLOBAL_FLAGS_HELP } from './help.js';

export type { CliIo } from './context.js';

const COMMANDS: readonly Command[] = [
  serverCommand,
  appsCommand,
  tasksCommand,
  runsCommand,
  calendarsCommand,
  workflowsCommand,
  nodesCommand,
  executorsCommand,
  contactsCommand,
  contactGroupsCommand,
  alertRulesCommand,
  alertsCommand,
  secretsCommand,
  tokensCommand,
  auditCommand,
  cronCommand,
  importCommand,
  exportCommand,
  backupCommand,
  devCommand,
];

const findCommand = (name: string): Command | undefined => COMMANDS.find((c) => c.name === name);

export const TOP_HELP = `kairos: the Kairos distributed task scheduler, from the command line

Usage:
  kairos [global flags] <command> <subcommand> [arguments] [flags]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(14)} ${c.summary}`).join('\n')}
  ${'help'.padEnd(14)} show the help of a command: kairos help tasks

Run 'kairos <command> --help' for its subcommands, flags and examples.

Examples:
  kairos server
  export KAIROS_URL=http://127.0.0.1:8080 KAIROS_TOKEN=<admin token printed by the server>
  kairos apps create --app-name demo --name "Demo"
  kairos tasks create -f task.yaml
  kairos tasks run 1 --wait
  kairos runs list --status failed --json
  kairos cron explain "0 0 8 * * ?" --tz Asia/Shanghai
  kairos --version

${GLOBAL_FLAGS_HELP}

${ENV_HELP}

${EXIT_HELP}
`;

/**
 * Runs one `kairos` invocation and answers its exit code.
 *
 * @example
 * ```ts
 * const code = await runCli(['tasks', 'list', '--json'], { env: process.env, stdout: process.stdout, stderr: process.stderr });
 * ```
 */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let command: Command | undefined;
  let ctx: CommandContext | undefined;
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
    io.stdout.write(`kairos ${cliVersion()}\n`);
    return 0;
  }
  try {
    const split = splitCommand(argv);
    if (split.command === undefined) {
      if (split.globals.help) {
        io.stdout.write(TOP_HELP);
        return 0;
      }
      io.stderr.write(TOP_HELP);
      return 2;
    }
    if (split.command === 'help') {
      const topic = split.rest[0];
      const target = topic === undefined ? undefined : findCommand(topic);
      if (topic !== undefined && !target) throw new UsageError(`unknown command '${topic}'`);
      io.stdout.write(target ? target.help : TOP_HELP);
      return 0;
    }
    command = findCommand(split.command);
    if (!command) {
      throw new UsageError(
        `unknown command '${split.command}' (one of: ${COMMANDS.map((c) => c.name).join(', ')})`,
      );
    }
    if (!command.ownHelp && (split.globals.help || wantsHelp(split.rest))) {
      io.stdout.write(command.help);
      return 0;
    }
    ctx = new CommandContext(io, split.globals);
    return await command.run(split.rest, ctx);
  } catch (err) {
    return report(err, io, command, ctx);
  }
}

/** This package's version, from its package.json (next to src/ and dist/ alike). */
export function cliVersion(): string {
  const text = readFileSync(new URL('../package.json', import.meta.url), 'utf8');
  return (JSON.parse(text) as { version: string }).version;
}

function report(
  err: unknown,
  io: CliIo,
  command: Command | undefined,
  ctx: CommandContext | undefined,
): number {
  if (err instanceof UsageError) {
    const helpFor = command ? `kairos ${command.name} --help` : 'kairos --help';
    io.stderr.write(`error: ${err.message}\nRun '${helpFor}' for usage.\n`);
    return 2;
  }
  if (err instanceof KairosApiError || err instanceof CliError) {
    const where = err.field ? `, field ${err.field}` : '';
    io.stderr.write(`error: ${err.message} (${err.code}${where})\n`);
    if (err instanceof KairosApiError) {
      const hint = hintFor(err, ctx);
      if (hint) io.stderr.write(`hint: ${hint}\n`);
    }
    return 1;
  }
  const message = err instanceof Error ? err.message : String(err);
  io.stderr.write(`error: ${message}\n`);
  return 1;
}

function hintFor(err: KairosApiError, ctx: CommandContext | undefined): string | undefined {
  const settings = ctx?.lastSettings;
  if ((err.status === 401 || err.code === 'UNAUTHORIZED') && !settings?.token) {
    return 'no token was sent: set KAIROS_TOKEN (or pass --token)';
  }
  if (err.code === 'NETWORK') {
    return `is a Kairos server running at ${settings?.url ?? 'the URL'}? Set KAIROS_URL or pass --url`;
  }
  return undefined;
}
