/** `kairos executors`: the registered executors and their state (GET /api/v1/executors). */
import type { Executor } from '@kairos/protocol';
import { parseCommandArgs } from '../args.js';
import type { Command, CommandContext } from '../context.js';
import { table } from '../format.js';
import { commandHelp } from '../help.js';
import type { TimeFormat } from '../time-format.js';

const HELP = commandHelp(`
Usage:
  kairos executors [--app ID|APPNAME] [--namespace NS]

Lists the executors registered under apps (XXL-JOB executors and SDK executors in push or pull
mode): app, address, mode, protocol (xxl: XXL-JOB 2.2-3.4, xxl35: 3.5, kairos: pull), state
(live: heartbeat within the dead timeout; dead; removed), last heartbeat, and how many of
their executions are open.

Flags:
  --app ID|APPNAME   only this app's executors
  --namespace NS     only this namespace

Examples:
  kairos executors
  kairos executors --app billing --tz Asia/Shanghai
  kairos executors --json
`);

function executorTable(executors: Executor[], at: TimeFormat): string[] {
  return table(
    ['APP', 'ADDRESS', 'MODE', 'PROTOCOL', 'STATE', 'LAST HEARTBEAT', 'RUNNING'],
    executors.map((e) => [
      e.appName,
      e.address,
      e.mode,
      e.protocol,
      e.status,
      at(e.lastHeartbeatAt),
      e.runningRuns,
    ]),
  );
}

async function run(args: string[], ctx: CommandContext): Promise<number> {
  const { values, globals } = parseCommandArgs(args, {
    app: { type: 'string' },
    namespace: { type: 'string' },
  });
  const settings = ctx.settings(globals);
  const page = await ctx.client(settings).executors.list({ app: values.app, namespace: values.namespace });
  if (settings.json) ctx.printJson(page);
  else if (page.items.length === 0) ctx.print("(no executors: start one with the app's appName and token)");
  else ctx.print(...executorTable(page.items, ctx.times(globals)));
  return 0;
}

export const executorsCommand: Command = {
  name: 'executors',
  summary: 'list the executors registered under apps, with their state',
  help: HELP,
  run,
};
