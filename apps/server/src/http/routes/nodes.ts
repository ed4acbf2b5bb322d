import { NodeList } from '@kairos/protocol';
import type { NodeRecord } from '../../store/node-store.js';
import type { ApiContext } from '../context.js';
import { iso } from '../present.js';
import type { RouteTable } from '../route-table.js';

const present = (node: NodeRecord, self: string | undefined) => ({
  id: node.id,
  state: node.state,
  version: node.version,
  host: node.host,
  pid: node.pid,
  url: node.url,
  startedAt: iso(node.startedAt),
  lastHeartbeatAt: iso(node.lastHeartbeatAt),
  stoppedAt: node.stoppedAt === null ? null : iso(node.stoppedAt),
  self: node.id === self,
});

export function nodeRoutes(routes: RouteTable, ctx: ApiContext): void {
  routes.add(
    {
      method: 'GET',
      url: '/api/v1/nodes',
      summary: 'List the cluster nodes (live ones first)',
      tag: 'nodes',
      access: { role: 'viewer', namespace: 'server' },
      response: NodeList,
    },
    async () => ({ items: (await ctx.store.listNodes()).map((node) => present(node, ctx.nodeId)) }),
  );
}
