/**
 * A cluster-wide lock held by one node at a time: a PostgreSQL session advisory lock on a
 * connection kept for it. PostgreSQL releases it when the connection ends, so a node that dies
 * loses it within the server's notice of the dead connection and another node takes it at its
 * next try. One key per schema, like the migration lock.
 */
import type pg from 'pg';

export class PostgresSessionLock {
  #client: pg.PoolClient | undefined;
  #trying: Promise<boolean> | undefined;

  constructor(
    private readonly pool: pg.Pool,
    private readonly name: string,
  ) {}

  /** True when this node holds the lock (taking it now if it is free). */
  hold(): Promise<boolean> {
    if (this.#client) return Promise.resolve(true);
    this.#trying ??= this.#try().finally(() => (this.#trying = undefined));
    return this.#trying;
  }

  async #try(): Promise<boolean> {
    const client = await this.pool.connect();
    try {
      const { rows } = await client.query<{ held: boolean }>(
        `SELECT pg_try_advisory_lock(hashtext($1 || coalesce(current_schema(), ''))) AS held`,
        [this.name],
      );
      if (rows[0]?.held !== true) {
        client.release();
        return false;
      }
    } catch (error) {
      client.release(true);
      throw error;
    }
    // A broken connection has lost the lock with it: forget it, take it again at the next try.
    client.on('error', () => {
      if (this.#client === client) this.#client = undefined;
      client.release(true);
    });
    this.#client = client;
    return true;
  }

  /** Gives the lock up (closing the connection that holds it). */
  release(): void {
    const client = this.#client;
    this.#client = undefined;
    client?.release(true);
  }
}
