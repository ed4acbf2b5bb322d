/**
 * `kairos server`: starts a Kairos node in this process. The server owns its settings (flags,
 * KAIROS_* variables, a config file), so every argument goes to it unchanged; the import is lazy
 * so that the other commands never load the server's dependencies (database drivers, HTTP).
 */
import type { Command } from '../context.js';

const HELP = `Usage:
  kairos server [settings flags]

Starts a Kairos node in this process: the REST API, the scheduler and the dispatcher. It runs
until SIGTERM or SIGINT (Ctrl-C), then stops taking new runs and gives running ones a grace period.
Every argument is handed to the server; the settings it reads are listed below.

Examples:
  kairos server
  kairos server --config kairos.yaml
  KAIROS_CONFIG=kairos.yaml kairos server

Environment:
  Every setting below has a flag and an environment variable; flags win over the environment,
  which wins over the config file (--config / KAIROS_CONFIG). KAIROS_URL and KAIROS_TOKEN are
  the client commands' and play no part here.

Exit status: 0 stopped cleanly, 1 could not start (message on stderr).
`;

export const serverCommand: Command = {
  name: 'server',
  summary: 'start a Kairos server in this process',
  help: HELP,
  ownHelp: true,
  async run(args, ctx) {
    const help = args.includes('--help') || args.includes('-h');
    if (help) ctx.io.stdout.write(`${HELP}\n`);
    const { runServer } = await import('@kairos/server');
    // With --help the server prints its settings list and returns.
    await runServer(help ? ['--help'] : args, ctx.io.env);
    // runServer reports a failure to start through process.exitCode (it is written for main.ts).
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  },
};
