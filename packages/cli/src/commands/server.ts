/**
 * `kairos server`: starts a Kairos node as a child process running the server's own entry point
 * (the `kairos-server` bin of @kairos/server). The server owns its settings (flags, KAIROS_*
 * variables, a config file), so every argument goes to it unchanged. The CLI does not depend on
 * the server: it finds @kairos/server where it is installed beside the CLI, and says how to
 * install it when it is not, so that the other commands install without database drivers.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Command, CommandContext } from '../context.js';

const HELP = `Usage:
  kairos server [settings flags]

Starts a Kairos node: the REST API, the scheduler and the dispatcher. It needs the server package
(@kairos/server) installed beside the CLI (see docs/install.md); the CLI runs the server's own
entry point, kairos-server. It runs until SIGTERM or SIGINT (Ctrl-C), then stops taking new runs
and gives running ones a grace period. Every argument is handed to the server; the settings it
reads are listed below.

Examples:
  kairos server
  kairos server --config kairos.yaml
  KAIROS_CONFIG=kairos.yaml kairos server

Environment:
  Every setting below has a flag and an environment variable; flags win over the environment,
  which wins over the config file (--config / KAIROS_CONFIG). KAIROS_URL and KAIROS_TOKEN are
  the client commands' and play no part here.

Exit status: 0 stopped cleanly, 1 could not start (message on stderr) or the server package is
not installed.
`;

const NOT_INSTALLED = `kairos server needs the Kairos server package (@kairos/server), which is not installed beside the CLI.
Install it into the CLI's prefix with the server's tarball (docs/install.md), e.g.
  npm install --prefix ~/.local/kairos ./dist-packages/kairos-protocol-0.1.0.tgz ./dist-packages/kairos-time-0.1.0.tgz ./dist-packages/kairos-server-0.1.0.tgz
or start the server from a checkout of the repository with \`npm start\`.
`;

/** The path of the server's `kairos-server` bin, or undefined when @kairos/server is not installed. */
export function serverEntryPoint(): string | undefined {
  let manifestUrl: string;
  try {
    manifestUrl = import.meta.resolve('@kairos/server/package.json');
  } catch {
    return undefined;
  }
  const manifest = JSON.parse(readFileSync(new URL(manifestUrl), 'utf8')) as { bin?: Record<string, string> };
  const bin = manifest.bin?.['kairos-server'];
  return bin === undefined ? undefined : fileURLToPath(new URL(bin, manifestUrl));
}

/**
 * Runs the server's entry point with `args` and the CLI's environment; its output is copied to
 * the CLI's streams. SIGINT and SIGTERM are handed to the server, which stops gracefully; the
 * command ends with the server's exit code.
 */
function runServerProcess(entry: string, args: string[], ctx: CommandContext): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [entry, ...args], {
      env: ctx.io.env,
      stdio: ['inherit', 'pipe', 'pipe'],
    });
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => ctx.io.stdout.write(chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => ctx.io.stderr.write(chunk));
    const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
    const onInt = forward('SIGINT');
    const onTerm = forward('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}

export const serverCommand: Command = {
  name: 'server',
  summary: 'start a Kairos server (needs @kairos/server installed beside the CLI)',
  help: HELP,
  ownHelp: true,
  async run(args, ctx) {
    const help = args.includes('--help') || args.includes('-h');
    if (help) ctx.io.stdout.write(`${HELP}\n`);
    const entry = serverEntryPoint();
    if (entry === undefined) {
      ctx.io.stderr.write(NOT_INSTALLED);
      return 1;
    }
    // With --help the server prints its settings list and ends.
    return runServerProcess(entry, help ? ['--help'] : args, ctx);
  },
};
