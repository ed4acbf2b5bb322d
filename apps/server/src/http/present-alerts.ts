/**
 * Alerting records as the API shows them: ISO instants, namespace and app names, webhook secrets
 * never shown (only whether one is set).
 */
import type { Alert, AlertRule, Contact, ContactGroup } from '@kairos/protocol';
import type {
  AlertRuleRecord,
  AlertWithDeliveries,
  ContactGroupRecord,
  ContactRecord,
} from '../store/alert-records.js';
import { iso } from './present.js';

const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));

export function presentContact(contact: ContactRecord, namespace: string): Contact {
  return {
    id: contact.id,
    namespace,
    name: contact.name,
    email: contact.email,
    phone: contact.phone,
    webhook: contact.webhook && {
      url: contact.webhook.url,
      kind: contact.webhook.kind,
      hasSecret: contact.webhook.sealedSecret !== null,
    },
    createdAt: iso(contact.createdAt),
    updatedAt: iso(contact.updatedAt),
  };
}

export function presentContactGroup(group: ContactGroupRecord, namespace: string): ContactGroup {
  return {
    id: group.id,
    namespace,
    name: group.name,
    contacts: group.contactIds,
    createdAt: iso(group.createdAt),
    updatedAt: iso(group.updatedAt),
  };
}

export function presentAlertRule(
  rule: AlertRuleRecord,
  namespace: string,
  appName: string | undefined,
): AlertRule {
  const scope =
    rule.scope.kind === 'task'
      ? { taskId: rule.scope.taskId }
      : rule.scope.kind === 'app'
        ? { app: appName ?? String(rule.scope.appId) }
        : { namespace };
  return {
    id: rule.id,
    namespace,
    name: rule.name,
    scope,
    on: rule.on,
    threshold: rule.threshold,
    windowSeconds: rule.windowSeconds,
    notify: rule.notify,
    silenceSeconds: rule.silenceSeconds,
    mutedUntil: isoOrNull(rule.mutedUntil),
    enabled: rule.enabled,
    templates: rule.templates,
    createdAt: iso(rule.createdAt),
    updatedAt: iso(rule.updatedAt),
  };
}

export function presentAlert(alert: AlertWithDeliveries, namespace: string): Alert {
  return {
    id: alert.id,
    ruleId: alert.ruleId,
    namespace,
    on: alert.on,
    state: alert.state,
    appId: alert.appId,
    taskId: alert.taskId,
    runId: alert.runId,
    facts: alert.facts,
    repeats: alert.repeats,
    createdAt: iso(alert.createdAt),
    deliveries: alert.deliveries.map((d) => ({
      id: d.id,
      contactId: d.contactId,
      channel: d.channel,
      target: d.target,
      status: d.status,
      attempts: d.attempts,
      lastError: d.lastError,
      nextAttemptAt: d.status === 'pending' ? iso(d.nextAttemptAt) : null,
      sentAt: isoOrNull(d.sentAt),
    })),
  };
}
