/**
 * Run events and checkpoints through Kysely: the batched insert the run writer
 * calls, the paged read the API serves, and the take-over of resumable runs recovery calls.
 * Each method is one statement (see kysely-store-base.ts for why no Kysely transactions).
 */
import type { Kysely } from 'kysely';
import type { Database } from './db-schema.js';
import type { ResumableRun, RunEventRecord } from './records.js';
import { toDbBool, toJson, toRunRecord } from './row-mapping.js';

/** Rows per INSERT: 6 parameters a row, well under SQLite's 32766 and PostgreSQL's 65535. */
const EVENT_CHUNK = 1000;

export class RunEventQueries {
  constructor(private readonly db: Kysely<Database>) {}

  async appendRunEvents(entries: RunEventRecord[]): Promise<void> {
    for (let start = 0; start < entries.length; start += EVENT_CHUNK) {
      const chunk = entries.slice(start, start + EVENT_CHUNK);
      // DO NOTHING on (run_id, seq): the writer retries a whole batch after a failure, and a
      // chunk that had committed must not fail the retry.
      await this.db
        .insertInto('run_events')
        .values(
          chunk.map((e) => ({
            run_id: e.runId,
            seq: e.seq,
            at: e.at,
            kind: e.kind,
            data: e.data,
            truncated: toDbBool(e.truncated),
          })),
        )
        .onConflict((oc) => oc.columns(['run_id', 'seq']).doNothing())
        .execute();
    }
  }

  async listRunEvents(runId: number, afterSeq: number, limit: number): Promise<RunEventRecord[]> {
    const rows = await this.db
      .selectFrom('run_events')
      .selectAll()
      .where('run_id', '=', runId)
      .where('seq', '>', afterSeq)
      .orderBy('seq')
      .limit(limit)
      .execute();
    return rows.map((row) => ({
      runId: Number(row.run_id),
      seq: Number(row.seq),
      at: Number(row.at),
      kind: row.kind,
      data: row.data,
      truncated: row.truncated === true || row.truncated === 1,
    }));
  }

  async lastRunEventSeq(runId: number): Promise<number> {
    const row = await this.db
      .selectFrom('run_events')
      .select((eb) => eb.fn.max('seq').as('seq'))
      .where('run_id', '=', runId)
      .executeTakeFirst();
    return row?.seq == null ? 0 : Number(row.seq);
  }

  async setRunCheckpoint(runId: number, checkpoint: unknown): Promise<void> {
    await this.db
      .updateTable('runs')
      .set({ checkpoint: toJson(checkpoint) })
      .where('id', '=', runId)
      // Not only `running`: the start of a run is written behind (run-writer.ts) and may still be
      // queued when its first event arrives. A terminal run keeps no checkpoint.
      .where('status', 'in', ['scheduled', 'running'])
      .execute();
  }

  /**
   * One UPDATE takes the lease of `running` runs that hold a checkpoint and whose owner's lease
   * expired (or, with includeLive, any run not leased to `owner`: SQLite at start). Safe beside
   * recoverRuns on another node: whichever locks the row first wins; the other re-reads it and
   * finds it either leased again or no longer `running`. Call it before recoverRuns, which would
   * finish these runs `lost`.
   */
  async adoptResumableRuns(options: {
    owner: string;
    now: number;
    leaseExpiresAt: number;
    includeLive: boolean;
  }): Promise<ResumableRun[]> {
    const rows = await this.db
      .updateTable('runs')
      .set({ lease_owner: options.owner, lease_expires_at: options.leaseExpiresAt })
      .where('status', '=', 'running')
      .where('checkpoint', 'is not', null)
      .where((eb) =>
        eb.or([
          eb('lease_expires_at', 'is', null),
          eb('lease_expires_at', '<', options.now),
          ...(options.includeLive
            ? [eb('lease_owner', 'is', null), eb('lease_owner', '!=', options.owner)]
            : []),
        ]),
      )
      .returningAll()
      .execute();
    return rows.map((row) => ({
      run: toRunRecord(row),
      checkpoint: row.checkpoint == null ? null : (JSON.parse(row.checkpoint) as unknown),
    }));
  }
}
