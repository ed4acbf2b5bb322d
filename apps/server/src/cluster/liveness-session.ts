/**
 * This node's liveness signal on PostgreSQL: a session-level advisory lock keyed by the node's
 * lock key, held on a connection of its own for as long as the process lives. When the process
 * dies (kill -9, power loss, a network cut long enough for TCP to give up), PostgreSQL ends the
 * session and releases the lock at once: that is what the other nodes watch (node-liveness.ts),
 * rather than a heartbeat that must be missed for a while before anyone may act.
 *
 * The same connection answers the watcher's question "which nodes recorded live hold no lock",
 * so the check costs no pooled connection and still works while the pool is saturated.
 */
import type pg from 'pg';
import type { Logger } from 'pino';
import { LIVE_NODE_STATES } from '../store/node-store.js';

/** First key of the two-int advisory lock of a node (the admission locks use 0x4b5401/2). */
const NODE_LOCK_SPACE = 0x4b5403;

/** What the liveness watcher needs to find dead nodes (a fake in unit tests). */
export interface LivenessProbe {
  /**
   * Ids of nodes other than `selfId` recorded live whose lock nobody holds: they died. A node
   * still `starting` is judged only once its heartbeat is older than `startingBefore`, as it
   * takes its lock just after registering.
   */
  nodesWithoutLock(selfId: string, startingBefore: number): Promise<string[]>;
  /**
   * Makes sure this node holds its lock, reconnecting if the connection was lost. 'held': it
   * did all along; 'retaken': it had lost it (other nodes may have taken over its runs).
   */
  ensureHeld(): Promise<'held' | 'retaken'>;
}

export class LivenessSession implements LivenessProbe {
  private client: pg.Client | undefined;
  private lockKey: number | undefined;
  private lost = false;
  private closed = false;

  constructor(
    private readonly databaseUrl: string,
    private readonly logger: Logger,
  ) {}

  /**
   * Connects and takes the lock. False when another live session holds it: a process with the
   * same node id is running.
   */
  async hold(lockKey: number): Promise<boolean> {
    this.lockKey = lockKey;
    const client = await this.connect();
    const result = await client.query<{ held: boolean }>(
      `SELECT pg_try_advisory_lock(${NODE_LOCK_SPACE}, $1::int) AS held`,
      [lockKey],
    );
    if (result.rows[0]?.held !== true) {
      await this.close();
      return false;
    }
    return true;
  }

  async ensureHeld(): Promise<'held' | 'retaken'> {
    if (this.client !== undefined && !this.lost) return 'held';
    if (this.lockKey === undefined) throw new Error('LivenessSession.ensureHeld before hold');
    await this.dropClient();
    if (!(await this.hold(this.lockKey))) {
      throw new Error('this node lost its liveness lock and another session holds it now');
    }
    this.logger.warn('liveness connection to PostgreSQL re-established; lock held again');
    return 'retaken';
  }

  async nodesWithoutLock(selfId: string, startingBefore: number): Promise<string[]> {
    if (this.client === undefined || this.lost) return []; // ensureHeld reconnects first
    // pg_locks shows the advisory locks of this database's sessions; a two-int key appears as
    // (classid, objid) with objsubid 2. Read in one statement with the nodes rows.
    const result = await this.client.query<{ id: string }>(
      `SELECT n.id FROM nodes n
       WHERE n.state = ANY($1::text[]) AND n.id <> $2
         AND (n.state <> 'starting' OR n.last_heartbeat_at < $3)
         AND NOT EXISTS (
           SELECT 1 FROM pg_locks l
           WHERE l.locktype = 'advisory' AND l.granted
             AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
             AND l.classid = ${NODE_LOCK_SPACE}::oid AND l.objid = n.lock_key::oid AND l.objsubid = 2)`,
      [LIVE_NODE_STATES, selfId, startingBefore],
    );
    return result.rows.map((row) => row.id);
  }

  /** Ends the session, which releases the lock (at a clean stop, after the node says `stopped`). */
  async close(): Promise<void> {
    this.closed = true;
    await this.dropClient();
  }

  private async connect(): Promise<pg.Client> {
    // keepAlive: a half-open connection (a peer gone without a FIN) is noticed by TCP, not
    // only at the next query.
    // pg is loaded by the first connection: a node on SQLite never holds it.
    const { default: pg } = await import('pg');
    const client = new pg.Client({
      connectionString: this.databaseUrl,
      keepAlive: true,
      connectionTimeoutMillis: 10_000,
    });
    client.on('error', (error) => this.onLost(client, error));
    client.on('end', () => this.onLost(client, undefined));
    await client.connect();
    this.client = client;
    this.lost = false;
    this.closed = false;
    return client;
  }

  private onLost(client: pg.Client, error: Error | undefined): void {
    if (client !== this.client || this.closed || this.lost) return;
    this.lost = true;
    this.logger.error(
      { err: error },
      'liveness connection to PostgreSQL lost: other nodes will take over this node’s runs; reconnecting',
    );
  }

  private async dropClient(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client) await client.end().catch(() => undefined);
  }
}
