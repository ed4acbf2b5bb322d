/**
 * The nodes of a cluster (`GET /api/v1/nodes`): every server process that started on
 * the database, with its state and heartbeat.
 */
import { z } from 'zod';

export const NodeState = z.enum(['starting', 'alive', 'stopping', 'stopped', 'dead']);
export type NodeState = z.infer<typeof NodeState>;

export const ClusterNode = z.object({
  /** KAIROS_NODE_ID, or host-pid-random; the owner named in runs' leases. */
  id: z.string(),
  /**
   * `alive` while it runs; `stopping` during a SIGTERM drain; `stopped` after a clean stop;
   * `dead` when another node found it gone (PostgreSQL released its liveness lock) or, on
   * SQLite, when the next start found it had crashed.
   */
  state: NodeState,
  version: z.string(),
  host: z.string(),
  pid: z.number(),
  /** Where its API listens. */
  url: z.string().nullable(),
  startedAt: z.string(),
  /** Every second on PostgreSQL, every 5 s on SQLite, while it runs. */
  lastHeartbeatAt: z.string(),
  /** When it stopped or was found dead. */
  stoppedAt: z.string().nullable(),
  /** True for the node that answered this request. */
  self: z.boolean(),
});
export type ClusterNode = z.infer<typeof ClusterNode>;

export const NodeList = z.object({ items: z.array(ClusterNode) });
export type NodeList = z.infer<typeof NodeList>;

export interface NodesClient {
  /**
   * The cluster's nodes, live ones first.
   * @example `const { items } = await client.nodes.list(); const alive = items.filter((n) => n.state === 'alive');`
   */
  list(): Promise<NodeList>;
}
