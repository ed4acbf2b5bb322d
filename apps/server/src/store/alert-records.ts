/**
 * What the store keeps about alerting: contacts, contact groups,
 * alert rules, alerts and the delivery outbox; the records, and the mapping from rows (the tables
 * are in db-schema.ts).
 */
import type { Selectable } from 'kysely';
import type { AlertOn, Channel, WebhookKind } from '@kairos/protocol';
import type { AlertDeliveriesTable, AlertRulesTable, AlertsTable, ContactsTable } from './db-schema.js';
import { type NamespaceFilter } from './namespace-scope.js';

// ------------------------------------------------------------------ records

export interface ContactRecord {
  id: number;
  namespaceId: number;
  name: string;
  email: string | null;
  phone: string | null;
  /** The secret is sealed with the cluster's key (SecretBox); null when none was given. */
  webhook: { url: string; kind: WebhookKind; sealedSecret: string | null } | null;
  createdAt: number;
  updatedAt: number;
}
export type NewContact = Omit<ContactRecord, 'id' | 'createdAt' | 'updatedAt'>;
export type ContactPatch = Partial<Pick<ContactRecord, 'name' | 'email' | 'phone' | 'webhook'>>;

export interface ContactGroupRecord {
  id: number;
  namespaceId: number;
  name: string;
  /** In the order given. */
  contactIds: number[];
  createdAt: number;
  updatedAt: number;
}
export type NewContactGroup = Omit<ContactGroupRecord, 'id' | 'createdAt' | 'updatedAt'>;
export type ContactGroupPatch = Partial<Pick<ContactGroupRecord, 'name' | 'contactIds'>>;

export type AlertRuleScope =
  { kind: 'task'; taskId: number } | { kind: 'app'; appId: number } | { kind: 'namespace' };

export interface AlertNotifyRecord {
  contacts: number[];
  groups: number[];
  /** Default (absent): webhook, email and sms. */
  channels?: Channel[] | undefined;
}

export interface AlertRuleRecord {
  id: number;
  namespaceId: number;
  name: string;
  scope: AlertRuleScope;
  on: AlertOn;
  threshold: number | null;
  windowSeconds: number | null;
  notify: AlertNotifyRecord;
  silenceSeconds: number;
  mutedUntil: number | null;
  enabled: boolean;
  /** Per channel, a Mustache template replacing the built-in one. */
  templates: Partial<Record<Channel, string>> | null;
  createdAt: number;
  updatedAt: number;
}
export type NewAlertRule = Omit<AlertRuleRecord, 'id' | 'createdAt' | 'updatedAt'>;
export type AlertRulePatch = Partial<
  Omit<AlertRuleRecord, 'id' | 'namespaceId' | 'scope' | 'createdAt' | 'updatedAt'>
>;

export type AlertState = 'firing' | 'resolved' | 'test';

/** The facts of an alert: enough to render any channel's message without reading the run again. */
export interface AlertFacts {
  /** One line: what happened. */
  summary: string;
  status?: string | undefined;
  error?: string | undefined;
  attempt?: number | undefined;
  durationMs?: number | null | undefined;
  /** A threshold rule's measured figure and its limit. */
  value?: number | undefined;
  threshold?: number | undefined;
  /** When it happened (epoch ms): the run's finish, or the evaluation. */
  at: number;
  [key: string]: unknown;
}

export interface AlertRecord {
  id: number;
  ruleId: number | null;
  namespaceId: number;
  on: string;
  state: AlertState;
  /** The target within the rule (`task:42`, `app:3`): silence and grouping are per rule and target. */
  dedupKey: string;
  appId: number | null;
  taskId: number | null;
  runId: number | null;
  facts: AlertFacts;
  /** Repeats within the silence window, counted instead of sent. */
  repeats: number;
  lastRepeatAt: number | null;
  createdAt: number;
}

/** An alert to write to the outbox, with who to tell. */
export interface NewAlert {
  ruleId: number | null;
  namespaceId: number;
  on: string;
  state: AlertState;
  dedupKey: string;
  appId: number | null;
  taskId: number | null;
  runId: number | null;
  facts: AlertFacts;
  /** 0: always send. Otherwise an alert like one sent within this window is counted, not sent. */
  silenceSeconds: number;
  notify: AlertNotifyRecord;
  createdAt: number;
}

export type DeliveryStatus = 'pending' | 'sent' | 'failed';

export interface DeliveryRecord {
  id: number;
  alertId: number;
  contactId: number | null;
  channel: Channel;
  /** The webhook URL, email address or phone number at the time of the alert. */
  target: string;
  status: DeliveryStatus;
  /** Attempts started (a claim counts one, even if the node died before it could record the result). */
  attempts: number;
  nextAttemptAt: number;
  leaseOwner: string | null;
  leaseExpiresAt: number | null;
  lastError: string | null;
  sentAt: number | null;
  createdAt: number;
}

export type AlertWithDeliveries = AlertRecord & { deliveries: DeliveryRecord[] };

export interface AlertFilter {
  namespaceId?: NamespaceFilter | undefined;
  ruleId?: number | undefined;
}

/** What a delivery attempt came to. `retryAt` null on a failure: no attempt is left. */
export type DeliveryOutcome =
  { ok: true; at: number } | { ok: false; at: number; error: string; retryAt: number | null };

// ------------------------------------------------------------------ mapping

export function toContactRecord(row: Selectable<ContactsTable>): ContactRecord {
  return {
    id: row.id,
    namespaceId: row.namespace_id,
    name: row.name,
    email: row.email,
    phone: row.phone,
    webhook: row.webhook === null ? null : (JSON.parse(row.webhook) as ContactRecord['webhook']),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function toAlertRuleRecord(row: Selectable<AlertRulesTable>): AlertRuleRecord {
  const scope: AlertRuleScope =
    row.scope_task_id !== null
      ? { kind: 'task', taskId: row.scope_task_id }
      : row.scope_app_id !== null
        ? { kind: 'app', appId: row.scope_app_id }
        : { kind: 'namespace' };
  return {
    id: row.id,
    namespaceId: row.namespace_id,
    name: row.name,
    scope,
    on: row.on_kind as AlertOn,
    threshold: row.threshold,
    windowSeconds: row.window_seconds,
    notify: JSON.parse(row.notify) as AlertNotifyRecord,
    silenceSeconds: row.silence_seconds,
    mutedUntil: row.muted_until,
    enabled: row.enabled === true || row.enabled === 1,
    templates: row.templates === null ? null : (JSON.parse(row.templates) as AlertRuleRecord['templates']),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function toAlertRecord(row: Selectable<AlertsTable>): AlertRecord {
  return {
    id: row.id,
    ruleId: row.rule_id,
    namespaceId: row.namespace_id,
    on: row.on_kind,
    state: row.state as AlertState,
    dedupKey: row.dedup_key,
    appId: row.app_id,
    taskId: row.task_id,
    runId: row.run_id,
    facts: JSON.parse(row.facts) as AlertFacts,
    repeats: row.repeats,
    lastRepeatAt: row.last_repeat_at,
    createdAt: row.created_at,
  };
}

export function toDeliveryRecord(row: Selectable<AlertDeliveriesTable>): DeliveryRecord {
  return {
    id: row.id,
    alertId: row.alert_id,
    contactId: row.contact_id,
    channel: row.channel as Channel,
    target: row.target,
    status: row.status as DeliveryStatus,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    leaseOwner: row.lease_owner,
    leaseExpiresAt: row.lease_expires_at,
    lastError: row.last_error,
    sentAt: row.sent_at,
    createdAt: row.created_at,
  };
}
