/**
 * What the threshold evaluator measures (alerts/threshold-evaluator.ts), as aggregate statements
 * over a rule's scope: finished runs by outcome since an instant, usage reported since an instant,
 * runs still going, and the latest state (firing or resolved) of each rule and target.
 */
import type { Kysely, SelectQueryBuilder } from 'kysely';
import type { Usage } from '@kairos/protocol';
import type { Database } from './db-schema.js';
import type { AlertState } from './alert-records.js';
import { toRunRecord } from './row-mapping.js';
import type { RunRecord } from './records.js';

/** A rule's scope as run columns: a namespace, and optionally an app or a task in it. */
export interface RunScope {
  namespaceId: number;
  appId?: number | undefined;
  taskId?: number | undefined;
}

export interface FinishedRunStats {
  total: number;
  failed: number;
  succeeded: number;
}

function scoped<O>(query: SelectQueryBuilder<Database, 'runs', O>, scope: RunScope) {
  let q = query.where('namespace_id', '=', scope.namespaceId);
  if (scope.appId !== undefined) q = q.where('app_id', '=', scope.appId);
  if (scope.taskId !== undefined) q = q.where('task_id', '=', scope.taskId);
  return q;
}

export class ThresholdQueries {
  constructor(private readonly db: Kysely<Database>) {}

  /** Runs of the scope finished at or after `from`, by outcome (cancelled and skipped not counted). */
  async finishedRunStats(scope: RunScope, from: number): Promise<FinishedRunStats> {
    const rows = await scoped(
      this.db.selectFrom('runs').select(['status', (eb) => eb.fn.countAll().as('n')]),
      scope,
    )
      .where('finished_at', '>=', from)
      .where('status', 'in', ['succeeded', 'failed', 'timed_out', 'lost'])
      .groupBy('status')
      .execute();
    const stats = { total: 0, failed: 0, succeeded: 0 };
    for (const row of rows) {
      const n = Number(row.n);
      stats.total += n;
      if (row.status === 'succeeded') stats.succeeded += n;
      else stats.failed += n;
    }
    return stats;
  }

  /** Usage reported by runs of the scope finished at or after `from`. */
  async runUsageSince(scope: RunScope, from: number): Promise<Usage[]> {
    const rows = await scoped(this.db.selectFrom('runs').select('usage'), scope)
      .where('finished_at', '>=', from)
      .where('usage', 'is not', null)
      .execute();
    return rows.map((r) => JSON.parse(r.usage!) as Usage);
  }

  /** Runs of the scope running since before `startedBefore` (at most `limit`, oldest first). */
  async runsRunningSince(scope: RunScope, startedBefore: number, limit: number): Promise<RunRecord[]> {
    const rows = await scoped(this.db.selectFrom('runs').selectAll(), scope)
      .where('status', '=', 'running')
      .where('started_at', '<', startedBefore)
      .orderBy('started_at')
      .limit(limit)
      .execute();
    return rows.map(toRunRecord);
  }

  /** The state of the latest alert of each (rule, target) of these rules: `<ruleId>|<dedupKey>`. */
  async latestAlertStates(ruleIds: readonly number[]): Promise<Map<string, AlertState>> {
    const states = new Map<string, AlertState>();
    if (ruleIds.length === 0) return states;
    const rows = await this.db
      .selectFrom('alerts as a')
      .innerJoin(
        (eb) =>
          eb
            .selectFrom('alerts')
            .select(['rule_id', 'dedup_key', (e) => e.fn.max('id').as('last_id')])
            .where('rule_id', 'in', [...ruleIds])
            .groupBy(['rule_id', 'dedup_key'])
            .as('latest'),
        (join) => join.onRef('a.id', '=', 'latest.last_id'),
      )
      .select(['a.rule_id', 'a.dedup_key', 'a.state'])
      .execute();
    for (const row of rows) states.set(`${row.rule_id}|${row.dedup_key}`, row.state as AlertState);
    return states;
  }
}
