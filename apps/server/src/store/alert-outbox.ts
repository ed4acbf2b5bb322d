/**
 * The alert outbox: alerts and their deliveries as rows, and the delivery worker's two statements
 * (take due deliveries, record an attempt).
 *
 * Alerts are written as steps (write-steps.ts), so that the alerts of a run's end are written in
 * the same transaction as the run's settlement, on both dialects: they exist if and only if the
 * settlement committed.
 */
import type { Kysely, Selectable } from 'kysely';
import type { Channel, RunStatus } from '@kairos/protocol';
import type { AlertsTable, ContactsTable, Database } from './db-schema.js';
import {
  toAlertRecord,
  toDeliveryRecord,
  type AlertRecord,
  type DeliveryOutcome,
  type DeliveryRecord,
  type NewAlert,
} from './alert-records.js';
import { toJson } from './row-mapping.js';
import type { SettlementAlerts } from './store.js';
import type { WriteSteps } from './write-steps.js';

/** Channels used when a rule names none: phone calls only when asked for. */
export const DEFAULT_CHANNELS: readonly Channel[] = ['webhook', 'email', 'sms'];

export interface InsertedAlerts {
  /** Alerts written, with deliveries pending. */
  alerts: AlertRecord[];
  /** Alerts counted as repeats of one sent within its rule's silence window. */
  silenced: number;
  deliveries: number;
}

function targetOf(
  contact: { email: string | null; phone: string | null; webhook: string | null },
  channel: Channel,
): string | null {
  switch (channel) {
    case 'webhook':
      return contact.webhook === null ? null : (JSON.parse(contact.webhook) as { url: string }).url;
    case 'email':
      return contact.email;
    case 'sms':
    case 'phone':
      return contact.phone;
  }
}

/**
 * Writes alerts and one pending delivery per contact and channel (contacts named directly and
 * members of the groups named, each once). An alert like one of the same rule, target and state
 * written within its silence window is not written again: the earlier one's `repeats` grows
 * (grouping). Steps (write-steps.ts): run them inside the settlement's transaction, or in one of
 * their own; `db` only builds the queries.
 */
export function* insertAlertsSteps(
  db: Kysely<Database>,
  alerts: readonly NewAlert[],
): WriteSteps<InsertedAlerts> {
  const result: InsertedAlerts = { alerts: [], silenced: 0, deliveries: 0 };
  for (const alert of alerts) {
    if (alert.silenceSeconds > 0 && alert.ruleId !== null) {
      const [recent] = yield db
        .selectFrom('alerts')
        .select('id')
        .where('rule_id', '=', alert.ruleId)
        .where('dedup_key', '=', alert.dedupKey)
        .where('state', '=', alert.state)
        .where('created_at', '>', alert.createdAt - alert.silenceSeconds * 1000)
        .orderBy('created_at', 'desc')
        .limit(1)
        .compile();
      if (recent) {
        yield db
          .updateTable('alerts')
          .set((eb) => ({ repeats: eb('repeats', '+', 1), last_repeat_at: alert.createdAt }))
          .where('id', '=', Number(recent['id']))
          .compile();
        result.silenced += 1;
        continue;
      }
    }
    const [inserted] = yield db
      .insertInto('alerts')
      .values({
        rule_id: alert.ruleId,
        namespace_id: alert.namespaceId,
        on_kind: alert.on,
        state: alert.state,
        dedup_key: alert.dedupKey,
        app_id: alert.appId,
        task_id: alert.taskId,
        run_id: alert.runId,
        facts: toJson(alert.facts) ?? '{}',
        last_repeat_at: null,
        created_at: alert.createdAt,
      })
      .returningAll()
      .compile();
    const row = inserted as unknown as Selectable<AlertsTable>;
    result.alerts.push(toAlertRecord(row));

    const contactIds = new Set(alert.notify.contacts);
    if (alert.notify.groups.length > 0) {
      const members = yield db
        .selectFrom('contact_group_members')
        .select('contact_id')
        .where('group_id', 'in', alert.notify.groups)
        .orderBy('group_id')
        .orderBy('position')
        .compile();
      for (const m of members) contactIds.add(Number(m['contact_id']));
    }
    if (contactIds.size === 0) continue;
    const contacts = (yield db
      .selectFrom('contacts')
      .select(['id', 'email', 'phone', 'webhook'])
      .where('id', 'in', [...contactIds])
      .orderBy('id')
      .compile()) as unknown as (Pick<ContactsTable, 'email' | 'phone' | 'webhook'> & { id: number })[];
    const channels = alert.notify.channels ?? DEFAULT_CHANNELS;
    const deliveries = contacts.flatMap((contact) =>
      channels.flatMap((channel) => {
        const target = targetOf(contact, channel);
        return target === null
          ? []
          : [
              {
                alert_id: row.id,
                contact_id: contact.id,
                channel,
                target,
                status: 'pending',
                next_attempt_at: alert.createdAt,
                lease_owner: null,
                lease_expires_at: null,
                last_error: null,
                sent_at: null,
                created_at: alert.createdAt,
              },
            ];
      }),
    );
    if (deliveries.length > 0) yield db.insertInto('alert_deliveries').values(deliveries).compile();
    result.deliveries += deliveries.length;
  }
  return result;
}

/**
 * The alerts of a run's end, inside its settlement's transaction: the statuses of the task's
 * runs finished before it (consecutive_failures needs them), then the settler's decision,
 * written by insertAlertsSteps. They exist if and only if the settlement committed.
 */
export function* settlementAlertsSteps(
  db: Kysely<Database>,
  runId: number,
  alerts: SettlementAlerts,
): WriteSteps<InsertedAlerts> {
  const previous: RunStatus[] = [];
  if (alerts.previousDepth > 0) {
    const rows = yield db
      .selectFrom('runs')
      .select('status')
      .where('task_id', '=', alerts.taskId)
      .where('id', '<', runId)
      .where('status', 'in', ['succeeded', 'failed', 'timed_out', 'lost'])
      .orderBy('id', 'desc')
      .limit(alerts.previousDepth)
      .compile();
    for (const row of rows) previous.push(row['status'] as RunStatus);
  }
  return yield* insertAlertsSteps(db, alerts.decide(previous));
}

export interface ClaimDeliveriesOptions {
  owner: string;
  now: number;
  leaseExpiresAt: number;
  limit: number;
}

/**
 * Takes up to `limit` pending deliveries that are due and not leased (or whose lease expired: the
 * node that held them died or was cut off), leases them to `owner` and counts an attempt.
 *
 * PostgreSQL: the inner SELECT locks the rows FOR UPDATE SKIP LOCKED, so two nodes claiming at
 * once take disjoint rows without waiting on each other; the outer UPDATE sets the lease in the
 * same statement. SQLite: one writer process, and one statement is atomic by itself.
 */
export async function claimDueDeliveries(
  db: Kysely<Database>,
  skipLocked: boolean,
  options: ClaimDeliveriesOptions,
): Promise<DeliveryRecord[]> {
  const rows = await db
    .updateTable('alert_deliveries')
    .set((eb) => ({
      lease_owner: options.owner,
      lease_expires_at: options.leaseExpiresAt,
      attempts: eb('attempts', '+', 1),
    }))
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('alert_deliveries')
        .select('id')
        .where('status', '=', 'pending')
        .where('next_attempt_at', '<=', options.now)
        .where((w) => w.or([w('lease_expires_at', 'is', null), w('lease_expires_at', '<', options.now)]))
        .orderBy('next_attempt_at')
        .orderBy('id')
        .limit(options.limit)
        .$if(skipLocked, (q) => q.forUpdate().skipLocked()),
    )
    .returningAll()
    .execute();
  return rows.map(toDeliveryRecord).sort((a, b) => a.id - b.id);
}

/**
 * Records the outcome of an attempt and gives up the lease. A success is recorded even when the
 * lease was lost meanwhile (the message went out: better that no third node sends it); a failure
 * only by the lease's holder, so a node that lost its lease cannot overwrite a newer attempt.
 */
export async function recordDeliveryOutcome(
  db: Kysely<Database>,
  id: number,
  owner: string,
  outcome: DeliveryOutcome,
): Promise<boolean> {
  let query = db.updateTable('alert_deliveries').where('id', '=', id).where('status', '=', 'pending');
  if (outcome.ok) {
    query = query.set({
      status: 'sent',
      sent_at: outcome.at,
      lease_owner: null,
      lease_expires_at: null,
      last_error: null,
    });
  } else {
    query = query.where('lease_owner', '=', owner).set({
      status: outcome.retryAt === null ? 'failed' : 'pending',
      next_attempt_at: outcome.retryAt ?? outcome.at,
      last_error: outcome.error.slice(0, 2000),
      lease_owner: null,
      lease_expires_at: null,
    });
  }
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
