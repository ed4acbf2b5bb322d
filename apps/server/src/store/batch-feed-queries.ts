/**
 * A batch's feeding on a cluster and its replay: the lease that lets one node at a time feed a
 * batch (one UPDATE per look, see BatchStore.claimBatchFeeds), and the copy of a batch's items into
 * its replay (one INSERT … SELECT, whatever their number). Both dialects.
 */
import { sql, type Kysely } from 'kysely';
import type { BatchStore } from './batch-store.js';
import type { Database } from './db-schema.js';
import type { StepRunner } from './write-steps.js';

export function batchFeedOperations(parts: {
  db: Kysely<Database>;
  runSteps: StepRunner;
}): Pick<BatchStore, 'claimBatchFeeds' | 'releaseBatchFeeds' | 'copyBatchItems'> {
  const { db, runSteps } = parts;
  return {
    async claimBatchFeeds(nodeId, batchIds, now, ttlMs) {
      if (batchIds.length === 0) return [];
      const rows = await db
        .updateTable('batches')
        .set({ feeder_node: nodeId, feeder_expires_at: now + ttlMs })
        .where('id', 'in', batchIds)
        .where((eb) =>
          eb.or([
            eb('feeder_node', 'is', null),
            eb('feeder_node', '=', nodeId),
            eb('feeder_expires_at', '<=', now),
          ]),
        )
        .returning('id')
        .execute();
      return rows.map((r) => Number(r.id));
    },

    async releaseBatchFeeds(nodeId) {
      await db
        .updateTable('batches')
        .set({ feeder_node: null, feeder_expires_at: null })
        .where('feeder_node', '=', nodeId)
        .execute();
    },

    copyBatchItems(fromBatchId, toBatchId) {
      return runSteps(function* () {
        yield db
          .insertInto('batch_items')
          .columns(['batch_id', 'seq', 'status', 'input', 'error'])
          .expression((eb) =>
            eb
              .selectFrom('batch_items')
              .select((s) => [
                sql<number>`cast(${toBatchId} as bigint)`.as('batch_id'),
                'seq',
                s
                  .case()
                  .when('status', '=', 'invalid')
                  .then(sql<string>`'invalid'`)
                  .else(sql<string>`'pending'`)
                  .end()
                  .as('status'),
                'input',
                s.case().when('status', '=', 'invalid').then(s.ref('error')).else(null).end().as('error'),
              ])
              .where('batch_id', '=', fromBatchId),
          )
          .compile();
        yield db
          .updateTable('batches')
          .set((eb) => ({
            invalid: eb
              .selectFrom('batch_items')
              .select((s) => s.fn.countAll<number>().as('n'))
              .where('batch_id', '=', toBatchId)
              .where('status', '=', 'invalid'),
          }))
          .where('id', '=', toBatchId)
          .compile();
      });
    },
  };
}
