/**
 * The nodes table through Kysely, for both dialects (node-store.ts). One statement per method, as
 * in run-queries.ts. "Who takes over a dead node" is the conditional UPDATE of markNodeDead:
 * whichever node's UPDATE matches the still-live row wins; the others get no row back.
 */
import type { Kysely, Selectable, Updateable } from 'kysely';
import type { Database, NodesTable } from './db-schema.js';
import { activeRun } from './active-runs.js';
import { LIVE_NODE_STATES } from './node-store.js';
import type { NewNode, NodeRecord, NodeState, NodeStore } from './node-store.js';

/** Rows of nodes stopped or dead for longer than this are deleted when a node registers. */
const KEEP_GONE_NODES_MS = 7 * 24 * 3600_000;

function toNodeRecord(row: Selectable<NodesTable>): NodeRecord {
  return {
    id: row.id,
    state: row.state as NodeState,
    version: row.version,
    host: row.host,
    pid: row.pid,
    url: row.url,
    lockKey: row.lock_key,
    startedAt: row.started_at,
    lastHeartbeatAt: row.last_heartbeat_at,
    stoppedAt: row.stopped_at,
  };
}

export class NodeQueries implements NodeStore {
  readonly #db: Kysely<Database>;

  constructor(
    db: Kysely<Database>,
    private readonly now: () => number,
  ) {
    this.#db = db;
  }

  async registerNode(node: NewNode): Promise<NodeRecord> {
    await this.#db
      .deleteFrom('nodes')
      .where('state', 'in', ['stopped', 'dead'])
      .where('stopped_at', '<', this.now() - KEEP_GONE_NODES_MS)
      .execute();
    const row = await this.#db
      .insertInto('nodes')
      .values({
        id: node.id,
        state: 'starting',
        version: node.version,
        host: node.host,
        pid: node.pid,
        url: node.url,
        lock_key: node.lockKey,
        started_at: node.startedAt,
        last_heartbeat_at: node.startedAt,
        stopped_at: null,
      })
      // The lock key is kept: see NodeStore.registerNode.
      .onConflict((oc) =>
        oc.column('id').doUpdateSet((eb) => ({
          state: eb.ref('excluded.state'),
          version: eb.ref('excluded.version'),
          host: eb.ref('excluded.host'),
          pid: eb.ref('excluded.pid'),
          url: eb.ref('excluded.url'),
          started_at: eb.ref('excluded.started_at'),
          last_heartbeat_at: eb.ref('excluded.last_heartbeat_at'),
          stopped_at: null,
        })),
      )
      .returningAll()
      .executeTakeFirstOrThrow();
    return toNodeRecord(row);
  }

  async updateNode(
    id: string,
    patch: { state?: NodeState; url?: string | null; lastHeartbeatAt?: number; at?: number },
  ): Promise<void> {
    const set: Updateable<NodesTable> = {};
    if (patch.state !== undefined) set.state = patch.state;
    if (patch.url !== undefined) set.url = patch.url;
    if (patch.lastHeartbeatAt !== undefined) set.last_heartbeat_at = patch.lastHeartbeatAt;
    if (patch.state === 'stopped' || patch.state === 'dead') set.stopped_at = patch.at ?? this.now();
    if (Object.keys(set).length === 0) return;
    await this.#db.updateTable('nodes').set(set).where('id', '=', id).execute();
  }

  async listNodes(): Promise<NodeRecord[]> {
    const rows = await this.#db.selectFrom('nodes').selectAll().orderBy('started_at', 'desc').execute();
    const live = (r: NodeRecord) => (LIVE_NODE_STATES.includes(r.state) ? 0 : 1);
    return rows.map(toNodeRecord).sort((a, b) => live(a) - live(b));
  }

  async markNodeDead(id: string, at: number): Promise<boolean> {
    const rows = await this.#db
      .updateTable('nodes')
      .set({ state: 'dead', stopped_at: at })
      .where('id', '=', id)
      .where('state', 'in', [...LIVE_NODE_STATES])
      .returning('id')
      .execute();
    return rows.length > 0;
  }

  /** The plain version: on SQLite one writer, nothing to deadlock with (PostgreSQL: postgres-takeover.ts). */
  async expireLeasesOf(owner: string): Promise<number> {
    const result = await this.#db
      .updateTable('runs')
      .set({ lease_expires_at: 0 })
      .where('lease_owner', '=', owner)
      .where(activeRun)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }
}

/** The node operations of a Kysely store, with a dialect's own lease takeover where it has one. */
export function nodeOperations(parts: {
  db: Kysely<Database>;
  now: () => number;
  expireLeasesOf?: NodeStore['expireLeasesOf'] | undefined;
}): NodeStore {
  const nodes = new NodeQueries(parts.db, parts.now);
  return {
    registerNode: (node) => nodes.registerNode(node),
    updateNode: (id, patch) => nodes.updateNode(id, patch),
    listNodes: () => nodes.listNodes(),
    markNodeDead: (id, at) => nodes.markNodeDead(id, at),
    expireLeasesOf: parts.expireLeasesOf ?? ((owner) => nodes.expireLeasesOf(owner)),
  };
}
