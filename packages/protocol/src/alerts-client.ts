/**
 * The alerting sub-clients (contacts, contact groups, alert rules, alert history) of the API
 * client (client.ts), with the same transport.
 */
import type {
  Alert,
  AlertRule,
  AlertRuleCreateInput,
  AlertRuleUpdateInput,
  Channel,
  Contact,
  ContactCreateInput,
  ContactGroup,
  ContactGroupCreateInput,
  ContactGroupUpdateInput,
  ContactUpdateInput,
} from './alerts.js';
import type { List } from './schemas.js';
import { segment, type createTransport } from './client-http.js';
import type { ListOptions, Ref } from './client-types.js';

export interface ContactsClient {
  /** @example `const { items } = await client.contacts.list({ namespace: 'billing' });` */
  list(options?: ListOptions): Promise<List<Contact>>;
  /**
   * @example
   * `await client.contacts.create({ name: 'ops', email: 'ops@example.com', webhook: { url: 'https://hooks.slack.com/services/…', kind: 'slack' } });`
   */
  create(input: ContactCreateInput): Promise<Contact>;
  /** @example `const contact = await client.contacts.get(3);` */
  get(id: Ref): Promise<Contact>;
  /** @example `await client.contacts.update(3, { phone: '+8613800138000' });` */
  update(id: Ref, patch: ContactUpdateInput): Promise<Contact>;
  /** @example `await client.contacts.delete(3);` */
  delete(id: Ref): Promise<void>;
  /**
   * Sends a test alert; follow its deliveries with `client.alerts.get(alertId)`.
   * @example `const { alertId } = await client.contacts.test(3, { channels: ['email'] });`
   */
  test(id: Ref, options?: { channels?: Channel[] }): Promise<{ alertId: number }>;
}

export interface ContactGroupsClient {
  /** @example `const { items } = await client.contactGroups.list();` */
  list(options?: ListOptions): Promise<List<ContactGroup>>;
  /** @example `await client.contactGroups.create({ name: 'oncall', contacts: [3, 4] });` */
  create(input: ContactGroupCreateInput): Promise<ContactGroup>;
  /** @example `const group = await client.contactGroups.get(1);` */
  get(id: Ref): Promise<ContactGroup>;
  /** @example `await client.contactGroups.update(1, { contacts: [3] });` */
  update(id: Ref, patch: ContactGroupUpdateInput): Promise<ContactGroup>;
  /** @example `await client.contactGroups.delete(1);` */
  delete(id: Ref): Promise<void>;
}

export interface AlertRulesClient {
  /** @example `const { items } = await client.alertRules.list();` */
  list(options?: ListOptions): Promise<List<AlertRule>>;
  /**
   * @example
   * `await client.alertRules.create({ name: 'report fails', scope: { taskId: 42 }, on: 'failure', notify: { groups: [1] } });`
   */
  create(input: AlertRuleCreateInput): Promise<AlertRule>;
  /** @example `const rule = await client.alertRules.get(5);` */
  get(id: Ref): Promise<AlertRule>;
  /** @example `await client.alertRules.update(5, { mutedUntil: '2026-03-15T08:00:00Z' });` */
  update(id: Ref, patch: AlertRuleUpdateInput): Promise<AlertRule>;
  /** @example `await client.alertRules.delete(5);` */
  delete(id: Ref): Promise<void>;
}

export interface AlertListOptions extends ListOptions {
  ruleId?: number | undefined;
}

export interface AlertsClient {
  /** @example `const { items } = await client.alerts.list({ ruleId: 5 }); // newest first, with deliveries` */
  list(options?: AlertListOptions): Promise<List<Alert>>;
  /** @example `const alert = await client.alerts.get(77);` */
  get(id: Ref): Promise<Alert>;
}

export function alertClients(
  http: ReturnType<typeof createTransport>,
  v1: string,
): {
  contacts: ContactsClient;
  contactGroups: ContactGroupsClient;
  alertRules: AlertRulesClient;
  alerts: AlertsClient;
} {
  return {
    contacts: {
      list: (o = {}) => http.request('GET', `${v1}/contacts`, { query: { ...o } }),
      create: (input) => http.request('POST', `${v1}/contacts`, { body: input }),
      get: (id) => http.request('GET', `${v1}/contacts/${segment(id)}`),
      update: (id, patch) => http.request('PATCH', `${v1}/contacts/${segment(id)}`, { body: patch }),
      delete: (id) => http.request('DELETE', `${v1}/contacts/${segment(id)}`),
      test: (id, o = {}) => http.request('POST', `${v1}/contacts/${segment(id)}/test`, { body: o }),
    },
    contactGroups: {
      list: (o = {}) => http.request('GET', `${v1}/contact-groups`, { query: { ...o } }),
      create: (input) => http.request('POST', `${v1}/contact-groups`, { body: input }),
      get: (id) => http.request('GET', `${v1}/contact-groups/${segment(id)}`),
      update: (id, patch) => http.request('PATCH', `${v1}/contact-groups/${segment(id)}`, { body: patch }),
      delete: (id) => http.request('DELETE', `${v1}/contact-groups/${segment(id)}`),
    },
    alertRules: {
      list: (o = {}) => http.request('GET', `${v1}/alert-rules`, { query: { ...o } }),
      create: (input) => http.request('POST', `${v1}/alert-rules`, { body: input }),
      get: (id) => http.request('GET', `${v1}/alert-rules/${segment(id)}`),
      update: (id, patch) => http.request('PATCH', `${v1}/alert-rules/${segment(id)}`, { body: patch }),
      delete: (id) => http.request('DELETE', `${v1}/alert-rules/${segment(id)}`),
    },
    alerts: {
      list: (o = {}) => http.request('GET', `${v1}/alerts`, { query: { ...o } }),
      get: (id) => http.request('GET', `${v1}/alerts/${segment(id)}`),
    },
  };
}
