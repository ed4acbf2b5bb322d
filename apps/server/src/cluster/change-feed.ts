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
import type pg from 'pg';
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
  /** Changes published and not sent yet (see publish). */
  private unsent: { payload: string; sent: () => void }[] = [];
  private sending = false;

  constructor(private readonly deps: ChangeFeedDeps) {}

  /** Connects and listens; throws if PostgreSQL cannot be reached at start. */
  async start(): Promise<void> {
    await this.connect();
  }

  /**
   * Tells the other nodes (best effort: a lost notice is covered by the fallbacks above). The
   * connection runs one query at a time: changes published while one is sent wait and go in the
   * next query, all of them at once (a thousand tasks created together are a few queries).
   */
  publish(change: ClusterChange): Promise<void> {
    if (this.client === undefined || this.channel === undefined) return Promise.resolve();
    return new Promise((sent) => {
      this.unsent.push({ payload: JSON.stringify({ ...change, from: this.deps.nodeId }), sent });
      if (!this.sending) void this.sendUnsent();
    });
  }

  private async sendUnsent(): Promise<void> {
    this.sending = true;
    while (this.unsent.length > 0) {
      const batch = this.unsent.splice(0);
      const client = this.client;
      try {
        if (client !== undefined && this.channel !== undefined) {
          await client.query('SELECT pg_notify($1, payload) FROM unnest($2::text[]) AS payload', [
            this.channel,
            batch.map((c) => c.payload),
          ]);
        }
      } catch (error) {
        this.deps.logger.warn(
          { err: error, changes: batch.length },
          'could not tell the other nodes of a change',
        );
      }
      for (const c of batch) c.sent();
    }
    this.sending = false;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.reconnectTimer?.cancel();
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    // pg is loaded by the first connection: a node on SQLite never holds it.
    const { default: pg } = await import('pg');
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
