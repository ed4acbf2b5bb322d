/**
 * The alerting store operations (alert-store.ts) through Kysely, for both dialects. Writes that
 * touch two tables (a group and its members; alerts and their deliveries) are steps run in one
 * transaction by the dialect's step runner (write-steps.ts).
 */
import type { Kysely, Updateable } from 'kysely';
import type { AlertRulesTable, ContactsTable, Database } from './db-schema.js';
import { constraintViolation } from './db-errors.js';
import { decodeCursor, toPage } from './pagination.js';
import {
  toAlertRecord,
  toAlertRuleRecord,
  toContactRecord,
  toDeliveryRecord,
  type AlertFilter,
  type AlertRulePatch,
  type AlertRuleRecord,
  type AlertWithDeliveries,
  type ContactGroupPatch,
  type ContactGroupRecord,
  type ContactPatch,
  type ContactRecord,
  type DeliveryOutcome,
  type DeliveryRecord,
  type NewAlert,
  type NewAlertRule,
  type NewContact,
  type NewContactGroup,
} from './alert-records.js';
import {
  claimDueDeliveries,
  insertAlertsSteps,
  recordDeliveryOutcome,
  type ClaimDeliveriesOptions,
  type InsertedAlerts,
} from './alert-outbox.js';
import type { AlertStore, ThresholdStore } from './alert-store.js';
import { toDbBool, toJson } from './row-mapping.js';
import { StoreConflictError, type Page, type PageRequest } from './store.js';
import type { StepRunner, WriteSteps } from './write-steps.js';
import { type NamespaceFilter, namespaceIdList } from './namespace-scope.js';

const nameTaken = (what: string, name: string) =>
  new StoreConflictError(`a ${what} named "${name}" exists already in this namespace`, `${what}_name`);

async function unique<T>(what: string, name: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (constraintViolation(error) === 'unique') throw nameTaken(what, name);
    throw error;
  }
}

function contactColumns(patch: ContactPatch): Updateable<ContactsTable> {
  return {
    ...(patch.name !== undefined ? { name: patch.name } : {}),
    ...(patch.email !== undefined ? { email: patch.email } : {}),
    ...(patch.phone !== undefined ? { phone: patch.phone } : {}),
    ...(patch.webhook !== undefined
      ? { webhook: patch.webhook === null ? null : toJson(patch.webhook) }
      : {}),
  };
}

/** A new rule's row (also written by apply's transaction, definition-writes.ts). */
export function alertRuleColumns(rule: NewAlertRule, now: number) {
  return {
    namespace_id: rule.namespaceId,
    name: rule.name,
    scope_task_id: rule.scope.kind === 'task' ? rule.scope.taskId : null,
    scope_app_id: rule.scope.kind === 'app' ? rule.scope.appId : null,
    on_kind: rule.on,
    threshold: rule.threshold,
    window_seconds: rule.windowSeconds,
    notify: JSON.stringify(rule.notify),
    silence_seconds: rule.silenceSeconds,
    muted_until: rule.mutedUntil,
    enabled: toDbBool(rule.enabled),
    templates: toJson(rule.templates ?? undefined),
    created_at: now,
    updated_at: now,
  };
}

export function ruleColumns(patch: AlertRulePatch): Updateable<AlertRulesTable> {
  return {
    ...(patch.name !== undefined ? { name: patch.name } : {}),
    ...(patch.on !== undefined ? { on_kind: patch.on } : {}),
    ...(patch.threshold !== undefined ? { threshold: patch.threshold } : {}),
    ...(patch.windowSeconds !== undefined ? { window_seconds: patch.windowSeconds } : {}),
    ...(patch.notify !== undefined ? { notify: JSON.stringify(patch.notify) } : {}),
    ...(patch.silenceSeconds !== undefined ? { silence_seconds: patch.silenceSeconds } : {}),
    ...(patch.mutedUntil !== undefined ? { muted_until: patch.mutedUntil } : {}),
    ...(patch.enabled !== undefined ? { enabled: toDbBool(patch.enabled) } : {}),
    ...(patch.templates !== undefined ? { templates: toJson(patch.templates ?? undefined) } : {}),
  };
}

/** A group's members, in the order given, instead of the ones it had (steps: write-steps.ts). */
export function* replaceMembers(
  db: Kysely<Database>,
  groupId: number,
  contactIds: readonly number[],
): WriteSteps<void> {
  yield db.deleteFrom('contact_group_members').where('group_id', '=', groupId).compile();
  const unique = [...new Set(contactIds)];
  if (unique.length === 0) return;
  yield db
    .insertInto('contact_group_members')
    .values(unique.map((contactId, position) => ({ group_id: groupId, contact_id: contactId, position })))
    .compile();
}

export class AlertQueries implements Omit<AlertStore, keyof ThresholdStore> {
  readonly #db: Kysely<Database>;

  /** `skipLocked`: the dialect has FOR UPDATE SKIP LOCKED (PostgreSQL). */
  constructor(
    db: Kysely<Database>,
    private readonly now: () => number,
    private readonly skipLocked: boolean,
    private readonly runSteps: StepRunner,
  ) {
    this.#db = db;
  }

  // ------------------------------------------------------------ contacts

  async createContact(contact: NewContact): Promise<ContactRecord> {
    const now = this.now();
    const row = await unique('contact', contact.name, () =>
      this.#db
        .insertInto('contacts')
        .values({
          namespace_id: contact.namespaceId,
          name: contact.name,
          email: contact.email,
          phone: contact.phone,
          webhook: toJson(contact.webhook ?? undefined),
          created_at: now,
          updated_at: now,
        })
        .returningAll()
        .executeTakeFirstOrThrow(),
    );
    return toContactRecord(row);
  }

  async getContact(id: number): Promise<ContactRecord | undefined> {
    const row = await this.#db.selectFrom('contacts').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toContactRecord(row);
  }

  async listContacts(
    filter: { namespaceId?: NamespaceFilter | undefined },
    page: PageRequest,
  ): Promise<Page<ContactRecord>> {
    const before = decodeCursor(page.cursor);
    const rows = await this.#db
      .selectFrom('contacts')
      .selectAll()
      .$if(filter.namespaceId !== undefined, (q) =>
        q.where('namespace_id', 'in', namespaceIdList(filter.namespaceId!)),
      )
      .$if(before !== undefined, (q) => q.where('id', '<', before!))
      .orderBy('id', 'desc')
      .limit(page.limit + 1)
      .execute();
    return toPage(rows.map(toContactRecord), page.limit);
  }

  async updateContact(id: number, patch: ContactPatch): Promise<ContactRecord | undefined> {
    const row = await unique('contact', patch.name ?? '', () =>
      this.#db
        .updateTable('contacts')
        .set({ ...contactColumns(patch), updated_at: this.now() })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst(),
    );
    return row && toContactRecord(row);
  }

  async deleteContact(id: number): Promise<boolean> {
    const result = await this.#db.deleteFrom('contacts').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  // ------------------------------------------------------------ groups

  async #members(groupIds: number[]): Promise<Map<number, number[]>> {
    const members = new Map<number, number[]>(groupIds.map((id) => [id, []]));
    if (groupIds.length === 0) return members;
    const rows = await this.#db
      .selectFrom('contact_group_members')
      .select(['group_id', 'contact_id'])
      .where('group_id', 'in', groupIds)
      .orderBy('group_id')
      .orderBy('position')
      .execute();
    for (const row of rows) members.get(row.group_id)?.push(row.contact_id);
    return members;
  }

  async createContactGroup(group: NewContactGroup): Promise<ContactGroupRecord> {
    const now = this.now();
    const db = this.#db;
    const id = await unique('contact group', group.name, () =>
      this.runSteps(function* () {
        const [row] = yield db
          .insertInto('contact_groups')
          .values({ namespace_id: group.namespaceId, name: group.name, created_at: now, updated_at: now })
          .returning('id')
          .compile();
        const groupId = Number(row!['id']);
        yield* replaceMembers(db, groupId, group.contactIds);
        return groupId;
      }),
    );
    return (await this.getContactGroup(id))!;
  }

  async getContactGroup(id: number): Promise<ContactGroupRecord | undefined> {
    const row = await this.#db
      .selectFrom('contact_groups')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) return undefined;
    const members = await this.#members([id]);
    return {
      id: row.id,
      namespaceId: row.namespace_id,
      name: row.name,
      contactIds: members.get(id) ?? [],
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
  }

  async listContactGroups(
    filter: { namespaceId?: NamespaceFilter | undefined },
    page: PageRequest,
  ): Promise<Page<ContactGroupRecord>> {
    const before = decodeCursor(page.cursor);
    const rows = await this.#db
      .selectFrom('contact_groups')
      .selectAll()
      .$if(filter.namespaceId !== undefined, (q) =>
        q.where('namespace_id', 'in', namespaceIdList(filter.namespaceId!)),
      )
      .$if(before !== undefined, (q) => q.where('id', '<', before!))
      .orderBy('id', 'desc')
      .limit(page.limit + 1)
      .execute();
    const members = await this.#members(rows.map((r) => r.id));
    const records = rows.map((row) => ({
      id: row.id,
      namespaceId: row.namespace_id,
      name: row.name,
      contactIds: members.get(row.id) ?? [],
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    }));
    return toPage(records, page.limit);
  }

  async updateContactGroup(id: number, patch: ContactGroupPatch): Promise<ContactGroupRecord | undefined> {
    const db = this.#db;
    const now = this.now();
    const found = await unique('contact group', patch.name ?? '', () =>
      this.runSteps(function* () {
        const [row] = yield db
          .updateTable('contact_groups')
          .set({ ...(patch.name !== undefined ? { name: patch.name } : {}), updated_at: now })
          .where('id', '=', id)
          .returning('id')
          .compile();
        if (!row) return false;
        if (patch.contactIds !== undefined) yield* replaceMembers(db, id, patch.contactIds);
        return true;
      }),
    );
    return found ? this.getContactGroup(id) : undefined;
  }

  async deleteContactGroup(id: number): Promise<boolean> {
    const result = await this.#db.deleteFrom('contact_groups').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  // ------------------------------------------------------------ rules

  async createAlertRule(rule: NewAlertRule): Promise<AlertRuleRecord> {
    const now = this.now();
    const row = await this.#db
      .insertInto('alert_rules')
      .values(alertRuleColumns(rule, now))
      .returningAll()
      .executeTakeFirstOrThrow();
    return toAlertRuleRecord(row);
  }

  async getAlertRule(id: number): Promise<AlertRuleRecord | undefined> {
    const row = await this.#db.selectFrom('alert_rules').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toAlertRuleRecord(row);
  }

  async listAlertRules(
    filter: { namespaceId?: NamespaceFilter | undefined },
    page: PageRequest,
  ): Promise<Page<AlertRuleRecord>> {
    const before = decodeCursor(page.cursor);
    const rows = await this.#db
      .selectFrom('alert_rules')
      .selectAll()
      .$if(filter.namespaceId !== undefined, (q) =>
        q.where('namespace_id', 'in', namespaceIdList(filter.namespaceId!)),
      )
      .$if(before !== undefined, (q) => q.where('id', '<', before!))
      .orderBy('id', 'desc')
      .limit(page.limit + 1)
      .execute();
    return toPage(rows.map(toAlertRuleRecord), page.limit);
  }

  async listEnabledAlertRules(): Promise<AlertRuleRecord[]> {
    const rows = await this.#db
      .selectFrom('alert_rules')
      .selectAll()
      .where('enabled', '=', toDbBool(true))
      .orderBy('id')
      .execute();
    return rows.map(toAlertRuleRecord);
  }

  async updateAlertRule(id: number, patch: AlertRulePatch): Promise<AlertRuleRecord | undefined> {
    const row = await this.#db
      .updateTable('alert_rules')
      .set({ ...ruleColumns(patch), updated_at: this.now() })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    return row && toAlertRuleRecord(row);
  }

  async deleteAlertRule(id: number): Promise<boolean> {
    const result = await this.#db.deleteFrom('alert_rules').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  // ------------------------------------------------------------ alerts and the outbox

  recordAlerts(alerts: readonly NewAlert[]): Promise<InsertedAlerts> {
    if (alerts.length === 0) return Promise.resolve({ alerts: [], silenced: 0, deliveries: 0 });
    return this.runSteps(() => insertAlertsSteps(this.#db, alerts));
  }

  async #withDeliveries(alerts: ReturnType<typeof toAlertRecord>[]): Promise<AlertWithDeliveries[]> {
    if (alerts.length === 0) return [];
    const rows = await this.#db
      .selectFrom('alert_deliveries')
      .selectAll()
      .where(
        'alert_id',
        'in',
        alerts.map((a) => a.id),
      )
      .orderBy('id')
      .execute();
    const byAlert = new Map<number, DeliveryRecord[]>();
    for (const row of rows) {
      const list = byAlert.get(row.alert_id) ?? [];
      list.push(toDeliveryRecord(row));
      byAlert.set(row.alert_id, list);
    }
    return alerts.map((a) => ({ ...a, deliveries: byAlert.get(a.id) ?? [] }));
  }

  async getAlert(id: number): Promise<AlertWithDeliveries | undefined> {
    const row = await this.#db.selectFrom('alerts').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) return undefined;
    return (await this.#withDeliveries([toAlertRecord(row)]))[0];
  }

  async listAlerts(filter: AlertFilter, page: PageRequest): Promise<Page<AlertWithDeliveries>> {
    const before = decodeCursor(page.cursor);
    const rows = await this.#db
      .selectFrom('alerts')
      .selectAll()
      .$if(filter.namespaceId !== undefined, (q) =>
        q.where('namespace_id', 'in', namespaceIdList(filter.namespaceId!)),
      )
      .$if(filter.ruleId !== undefined, (q) => q.where('rule_id', '=', filter.ruleId!))
      .$if(before !== undefined, (q) => q.where('id', '<', before!))
      .orderBy('id', 'desc')
      .limit(page.limit + 1)
      .execute();
    const paged = toPage(rows.map(toAlertRecord), page.limit);
    return { items: await this.#withDeliveries(paged.items), nextCursor: paged.nextCursor };
  }

  claimDueDeliveries(options: ClaimDeliveriesOptions): Promise<DeliveryRecord[]> {
    return claimDueDeliveries(this.#db, this.skipLocked, options);
  }

  recordDeliveryOutcome(id: number, owner: string, outcome: DeliveryOutcome): Promise<boolean> {
    return recordDeliveryOutcome(this.#db, id, owner, outcome);
  }
}
