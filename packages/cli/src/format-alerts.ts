/** Human output for contacts, contact groups, alert rules and alerts (see format.ts for the style). */
import type { Alert, AlertRule, Contact, ContactGroup } from '@kairos/protocol';
import { keyValues, table } from './format.js';

export function contactTable(contacts: Contact[]): string[] {
  return table(
    ['ID', 'NAMESPACE', 'NAME', 'EMAIL', 'PHONE', 'WEBHOOK'],
    contacts.map((c) => [
      c.id,
      c.namespace,
      c.name,
      c.email,
      c.phone,
      c.webhook && `${c.webhook.kind} ${c.webhook.url}`,
    ]),
  );
}

export function contactLines(c: Contact): string[] {
  return keyValues([
    ['id', c.id],
    ['name', c.name],
    ['namespace', c.namespace],
    ['email', c.email],
    ['phone', c.phone],
    ['webhook', c.webhook && `${c.webhook.kind} ${c.webhook.url}${c.webhook.hasSecret ? ' (signed)' : ''}`],
    ['updated', c.updatedAt],
  ]);
}

export function groupTable(groups: ContactGroup[]): string[] {
  return table(
    ['ID', 'NAMESPACE', 'NAME', 'CONTACTS'],
    groups.map((g) => [g.id, g.namespace, g.name, g.contacts.join(',')]),
  );
}

export function groupLines(g: ContactGroup): string[] {
  return keyValues([
    ['id', g.id],
    ['name', g.name],
    ['namespace', g.namespace],
    ['contacts', g.contacts.join(', ')],
    ['updated', g.updatedAt],
  ]);
}

const scopeText = (scope: AlertRule['scope']): string =>
  'taskId' in scope
    ? `task ${scope.taskId}`
    : 'app' in scope
      ? `app ${scope.app}`
      : `namespace ${scope.namespace}`;

export function ruleTable(rules: AlertRule[]): string[] {
  return table(
    ['ID', 'NAME', 'SCOPE', 'ON', 'THRESHOLD', 'ENABLED', 'MUTED UNTIL'],
    rules.map((r) => [r.id, r.name, scopeText(r.scope), r.on, r.threshold, r.enabled, r.mutedUntil]),
  );
}

export function ruleLines(r: AlertRule): string[] {
  return keyValues([
    ['id', r.id],
    ['name', r.name],
    ['namespace', r.namespace],
    ['scope', scopeText(r.scope)],
    ['on', r.on],
    ['threshold', r.threshold],
    ['window', r.windowSeconds === null ? null : `${r.windowSeconds} s`],
    ['notify', `contacts ${r.notify.contacts.join(',') || '-'}; groups ${r.notify.groups.join(',') || '-'}`],
    ['silence', `${r.silenceSeconds} s`],
    ['muted until', r.mutedUntil],
    ['enabled', r.enabled],
  ]);
}

export function alertTable(alerts: Alert[]): string[] {
  return table(
    ['ID', 'CREATED', 'ON', 'STATE', 'RUN', 'REPEATS', 'DELIVERIES'],
    alerts.map((a) => [
      a.id,
      a.createdAt,
      a.on,
      a.state,
      a.runId,
      a.repeats,
      a.deliveries.map((d) => `${d.channel}:${d.status}`).join(' '),
    ]),
  );
}

export function alertLines(a: Alert): string[] {
  return [
    ...keyValues([
      ['id', a.id],
      ['rule', a.ruleId],
      ['on', a.on],
      ['state', a.state],
      ['summary', typeof a.facts.summary === 'string' ? a.facts.summary : null],
      ['run', a.runId],
      ['repeats', a.repeats],
      ['created', a.createdAt],
    ]),
    '',
    ...table(
      ['DELIVERY', 'CHANNEL', 'TARGET', 'STATUS', 'ATTEMPTS', 'LAST ERROR'],
      a.deliveries.map((d) => [d.id, d.channel, d.target, d.status, d.attempts, d.lastError]),
    ),
  ];
}
