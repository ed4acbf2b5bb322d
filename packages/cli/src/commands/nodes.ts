/** `kairos nodes`: the cluster's nodes, live ones first (GET /api/v1/nodes). */
import type { ClusterNode } from '@kairos/protocol';
import { parseCommandArgs } from '../args.js';
import type { Command, CommandContext } from '../context.js';
import { table } from '../format.js';
import { commandHelp } from '../help.js';

const HELP = commandHelp(`
Usage:
  kairos nodes [--all]

Lists the server processes sharing the database: id, state, version, where they run and their
last heartbeat. States: alive, stopping (draining after SIGTERM), stopped (clean stop), dead
(found gone by another node; its runs were taken over), starting. The node that answered is
marked with "*". Without --all, nodes stopped or dead are left out.

Flags:
  --all   also the nodes that stopped or died (kept for a week)

Examples:
  kairos nodes
  kairos nodes --all --json
`);

function nodeTable(nodes: ClusterNode[]): string[] {
  return table(
    ['ID', 'STATE', 'VERSION', 'HOST', 'PID', 'URL', 'STARTED', 'LAST HEARTBEAT'],
    nodes.map((n) => [
      `${n.id}${n.self ? ' *' : ''}`,
      n.state,
      n.version,
      n.host,
      n.pid,
      n.url,
      n.startedAt,
      n.lastHeartbeatAt,
    ]),
  );
}

async function run(args: string[], ctx: CommandContext): Promise<number> {
  const { values, globals } = parseCommandArgs(args, { all: { type: 'boolean' } });
  const settings = ctx.settings(globals);
  const { items } = await ctx.client(settings).nodes.list();
  const shown = values.all ? items : items.filter((n) => n.state !== 'stopped' && n.state !== 'dead');
  if (settings.json) ctx.printJson({ items: shown });
  else if (shown.length === 0) ctx.print('(no nodes)');
  else ctx.print(...nodeTable(shown));
  return 0;
}

export const nodesCommand: Command = {
  name: 'nodes',
  summary: 'list the cluster nodes and their state',
  help: HELP,
  run,
};
