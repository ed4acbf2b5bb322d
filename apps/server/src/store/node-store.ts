/**
 * The nodes part of the Store contract: which server processes share the database,
 * and the lease takeover of one known dead. Implemented by node-queries.ts for both dialects
 * (PostgreSQL's takeover by hand in postgres-takeover.ts); tested by test/store/contract/nodes.ts.
 */
export type NodeState = 'starting' | 'alive' | 'stopping' | 'stopped' | 'dead';

/** States of a node that may still hold runs: the liveness watcher checks these. */
export const LIVE_NODE_STATES: readonly NodeState[] = ['starting', 'alive', 'stopping'];

export interface NodeRecord {
  id: string;
  state: NodeState;
  version: string;
  host: string;
  pid: number;
  /** Where its API listens (null before it listens, or without HTTP). */
  url: string | null;
  /** The key of the advisory lock it holds while alive (PostgreSQL). */
  lockKey: number;
  startedAt: number;
  lastHeartbeatAt: number;
  /** When it stopped or was found dead. */
  stoppedAt: number | null;
}

export type NewNode = Omit<NodeRecord, 'state' | 'lastHeartbeatAt' | 'stoppedAt'>;

export interface NodeStore {
  /**
   * Records a node starting (state `starting`). A node id seen before (a fixed KAIROS_NODE_ID)
   * keeps its stored lock key, so a second live process with the same id cannot take it. Rows of
   * nodes stopped or dead for a week are deleted on the way.
   */
  registerNode(node: NewNode): Promise<NodeRecord>;
  /** Changes a node's state, URL or heartbeat; `stopped`/`dead` also set stoppedAt. */
  updateNode(
    id: string,
    patch: { state?: NodeState; url?: string | null; lastHeartbeatAt?: number; at?: number },
  ): Promise<void>;
  /** Every node, live ones first, then newest first. */
  listNodes(): Promise<NodeRecord[]>;
  /**
   * Marks a node `dead` if it is still recorded live. True when this call did: of several nodes
   * finding it dead at once, exactly one takes over its runs.
   */
  markNodeDead(id: string, at: number): Promise<boolean>;
  /**
   * Expires every lease `owner` holds on a run not finished yet (lease_expires_at = 0), so that
   * recovery (Store.recoverRuns) takes them over at once. Returns how many runs.
   */
  expireLeasesOf(owner: string): Promise<number>;
}
