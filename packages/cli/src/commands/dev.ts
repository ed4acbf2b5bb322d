/**
 * `kairos dev dify-sim`: runs the Dify API simulator that ships with Kairos, for trying Dify
 * workflow tasks without a Dify (the README demo, the docs) and for tests. The import is lazy, as
 * in `kairos server`, so other commands never load the server.
 */
import { UsageError, intFlag, parseCommandArgs } from '../args.js';
import { dispatchSubcommand } from '../context.js';
import type { Command, CommandContext } from '../context.js';

const HELP = `Usage:
  kairos dev dify-sim [--port N] [--host HOST] [--step-ms N] [--ping-ms N] [--quiet]

Runs a Dify API simulator: a real HTTP server that answers the Dify workflow Service API calls
Kairos makes (run in streaming and blocking mode, stop, run detail, re-attach, /info,
/parameters) the way Dify does. The API key picks a scenario and optional faults:

  app-<scenario>[+<fault>...]     e.g. app-simple, app-iteration+slow, app-simple+drop-terminal

Scenarios: simple, ifelse, classifier, iteration, iteration-parallel, loop, loop-break, parallel,
failing, partial, retry, long, chunky. app-chat is a chat app (refused by Kairos); any other key
is rejected with 401. Faults: drop-terminal, drop-first, stall, cut, slow, no-reattach, garbage,
huge, error, http400, http404, http429, quota, http500, html, old-detail (docs/dify.md says what
each does). It runs until Ctrl-C (SIGINT) or SIGTERM.

Flags:
  --port N      port to listen on (default 5001; 0 picks a free one)
  --host HOST   interface to listen on (default 127.0.0.1)
  --step-ms N   pause between events of scenarios that set none (default 20)
  --ping-ms N   keep-alive ping interval (default 10000, as Dify)
  --quiet       do not print one line per request
  --json        print {url} as JSON when ready
  -h, --help    show this help

Examples:
  kairos dev dify-sim --port 5001
  kairos tasks create -f dify-task.yaml     # endpoint http://127.0.0.1:5001/v1, apiKey app-simple

Environment:
  none: dev dify-sim reads no environment variable.

Exit status: 0 stopped by a signal, 1 could not listen (message on stderr), 2 usage error.
`;

async function difySim(args: string[], ctx: CommandContext): Promise<number> {
  const { values, globals } = parseCommandArgs(args, {
    port: { type: 'string' },
    host: { type: 'string' },
    'step-ms': { type: 'string' },
    'ping-ms': { type: 'string' },
    quiet: { type: 'boolean' },
  });
  const port = intFlag('port', values.port) ?? 5001;
  if (port < 0 || port > 65535) throw new UsageError(`--port must be 0-65535, got ${port}`);
  const stepMs = intFlag('step-ms', values['step-ms']);
  const pingMs = intFlag('ping-ms', values['ping-ms']);
  if (pingMs !== undefined && pingMs < 10) throw new UsageError('--ping-ms must be at least 10');
  const { startDifySim } = await import('@kairos/dify-sim');
  const sim = await startDifySim({
    port,
    host: values.host ?? '127.0.0.1',
    ...(stepMs !== undefined ? { stepMs } : {}),
    ...(pingMs !== undefined ? { pingMs } : {}),
    ...(values.quiet ? {} : { log: (line: string) => ctx.io.stdout.write(`${line}\n`) }),
  });
  if (ctx.json(globals)) ctx.printJson({ url: sim.url });
  else {
    ctx.print(
      `Dify simulator listening on ${sim.url}`,
      `  endpoint: ${sim.url}/v1`,
      '  API keys: app-simple, app-iteration, app-loop, app-ifelse, … (kairos dev dify-sim --help)',
      'Press Ctrl-C to stop.',
    );
  }
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await sim.close();
  return 0;
}

export const devCommand: Command = {
  name: 'dev',
  summary: 'development tools: a Dify API simulator (dev dify-sim)',
  help: HELP,
  run: (args, ctx) => dispatchSubcommand('dev', args, ctx, { 'dify-sim': difySim }),
};
