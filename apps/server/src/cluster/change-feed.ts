/**
 * Changes reach every node at once on PostgreSQL, through LISTEN/NOTIFY on a connection
 * of its own: a cancel asked of one node reaches the node running the run; a task changed,
 * disabled or deleted and a calendar changed reach every node's scheduler and planned runs.
 * Without it, other nodes learnt of a cancel only on their lease tick and never of a disabled
 * task's slots they had planned already.
 *
 * A notice is sent after the change is committed (the event bus publishes after the store), so a
 * receiver reads the new state. NOTIFY is not durable: a notice sent while a node's connection
 * is down is lost to it, so after reconnecting the node re-reads what it caches (`onResync`), and
 * the lease tick still delivers cancels. The channel is named after the schema, so clusters in
 * several schemas of one database do not hear each other.
 */
import pg from 'pg';
import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../clock.js';

export type ClusterChange =
  | { kind: 'cancel'; runId: number }
  | { kind: 'task'; taskId: number; rescheduled: boolean }
  | { kind: 'task_deleted'; taskId: number }
  | { kind: 'calendar'; calendarId: number }
  | { kind: 'alert_rule'; ruleId: number }
  | { kind: 'credentials' };

export interface ChangeFeedDeps {
  databaseUrl: string;
  clock: Clock;
  logger: Logger;
  nodeId: string;
  /** A change made on another node. */
  onChange: (change: ClusterChange, fromNode: string) => void;
  /** The connection was lost and is back: notices may have been missed. */
  onResync: () => void;
}

const RECONNECT_MIN_MS = 250;
const RECONNECT_MAX_MS = 10_000;

export class ChangeFeed {
  private client: pg.Client | undefined;
  private channel: string | undefined;
  private stopped = false;
  private reconnectMs = RECONNECT_MIN_MS;
  private reconnectTimer: TimerHandle | undefined;

  constructor(private readonly deps: ChangeFeedDeps) {}

  /** Connects and listens; throws if PostgreSQL cannot be reached at start. */
  async start(): Promise<void> {
    await this.connect();
  }

  /** Tells the other nodes (best effort: a lost notice is covered by the fallbacks above). */
  async publish(change: ClusterChange): Promise<void> {
    const client = this.client;
    if (client === undefined || this.channel === undefined) return;
    try {
      await client.query('SELECT pg_notify($1, $2)', [
        this.channel,
        JSON.stringify({ ...change, from: this.deps.nodeId }),
      ]);
    } catch (error) {
      this.deps.logger.warn({ err: error, change }, 'could not tell the other nodes of a change');
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.reconnectTimer?.cancel();
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.deps.databaseUrl, keepAlive: true });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, undefined));
    client.on('notification', (message) => this.receive(message));
    try {
      await client.connect();
      const schema = await client.query<{ schema: string | null }>('SELECT current_schema() AS schema');
      // A channel is an identifier: at most 63 bytes.
      const channel = `kairos:${schema.rows[0]?.schema ?? ''}`.slice(0, 63);
      await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
      this.channel = channel;
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
  }

  private receive(message: pg.Notification): void {
    if (message.channel !== this.channel || message.payload === undefined) return;
    let parsed: ClusterChange & { from?: unknown };
    try {
      parsed = JSON.parse(message.payload) as ClusterChange & { from?: unknown };
    } catch {
      return;
    }
    if (typeof parsed.from !== 'string' || parsed.from === this.deps.nodeId) return;
    const { from, ...change } = parsed;
    try {
      this.deps.onChange(change as ClusterChange, from);
    } catch (error) {
      this.deps.logger.error({ err: error, change }, 'reacting to another node’s change failed');
    }
  }

  private lost(client: pg.Client, error: Error | undefined): void {
    if (client !== this.client || this.stopped) return;
    this.client = undefined;
    void client.end().catch(() => undefined);
    this.deps.logger.warn({ err: error }, 'change feed connection lost; reconnecting');
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    this.reconnectTimer = this.deps.clock.setTimer(() => {
      this.connect().then(
        () => {
          this.reconnectMs = RECONNECT_MIN_MS;
          if (this.stopped) return;
          this.deps.logger.info('change feed reconnected');
          this.deps.onResync();
        },
        (error: unknown) => {
          this.deps.logger.warn({ err: error }, 'change feed reconnect failed; retrying');
          this.reconnectMs = Math.min(RECONNECT_MAX_MS, this.reconnectMs * 2);
          this.scheduleReconnect();
        },
      );
    }, this.reconnectMs);
  }
}
