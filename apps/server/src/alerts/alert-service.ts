/**
 * The alerting resources behind the API: checks what the schemas cannot (ids that exist in the
 * namespace, webhook destinations the policy allows, templates that render, a PATCHed rule that is
 * still whole), seals webhook secrets, and tells the rule cache and the delivery worker. A refused
 * request saves nothing.
 */
import { z } from 'zod';
import type {
  AlertRuleCreate,
  AlertRuleUpdate,
  ContactCreate,
  ContactGroupCreate,
  ContactGroupUpdate,
  ContactUpdate,
  WebhookTarget,
} from '@kairos/protocol';
import { CHANNELS, checkRuleThreshold, type Channel } from '@kairos/protocol';
import type { Clock } from '../clock.js';
import type { EventBus } from '../events.js';
import { KairosError } from '../errors.js';
import type { SecretBox } from '../secrets/secret-box.js';
import type { Namespaces } from '../services/namespaces.js';
import type {
  AlertRuleRecord,
  AlertRuleScope,
  ContactGroupRecord,
  ContactRecord,
  NewAlert,
} from '../store/alert-records.js';
import { StoreConflictError, type Store } from '../store/store.js';
import { templateProblem } from './alert-message.js';
import type { GuardSource } from '../outbound/namespace-guards.js';

const invalid = (field: string, reason: string) =>
  new KairosError('VALIDATION_ERROR', `${field}: ${reason}`, { field });

const ALERT_NOT_FOUND = (what: string, id: number | string) =>
  new KairosError('NOT_FOUND', `${what} ${id} does not exist`);

export interface AlertServiceDeps {
  store: Store;
  namespaces: Namespaces;
  secrets: SecretBox;
  /** Where webhooks may point, per namespace; `webhookExtraDeny` refused on top (the webhookAllow* settings). */
  webhookGuards: GuardSource;
  webhookExtraDeny: readonly string[];
  clock: Clock;
  /** Tells the node (and, through the change feed, the cluster) that a rule changed. */
  events: EventBus;
  /** Alerts were written: look at the outbox now. */
  wake: () => void;
}

export class AlertService {
  constructor(private readonly deps: AlertServiceDeps) {}

  // ------------------------------------------------------------ contacts

  async #webhook(
    namespaceId: number,
    webhook: z.output<typeof WebhookTarget>,
  ): Promise<ContactRecord['webhook']> {
    const guard = await this.deps.webhookGuards.guardNow(namespaceId, this.deps.webhookExtraDeny);
    const problem = guard.urlProblem(webhook.url);
    if (problem) {
      throw new KairosError('DESTINATION_REFUSED', `webhook.url: destination refused: ${problem}`, {
        field: 'webhook.url',
      });
    }
    return {
      url: webhook.url,
      kind: webhook.kind,
      sealedSecret: webhook.secret === undefined ? null : this.deps.secrets.seal(webhook.secret),
    };
  }

  async #named<T>(what: string, name: string, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      if (error instanceof StoreConflictError) {
        throw new KairosError('NAME_TAKEN', `a ${what} named "${name}" exists already in this namespace`, {
          field: 'name',
        });
      }
      throw error;
    }
  }

  async createContact(input: z.output<typeof ContactCreate>): Promise<ContactRecord> {
    const ns = await this.deps.namespaces.resolve(input.namespace);
    const webhook = input.webhook ? await this.#webhook(ns.id, input.webhook) : null;
    return this.#named('contact', input.name, () =>
      this.deps.store.createContact({
        namespaceId: ns.id,
        name: input.name,
        email: input.email ?? null,
        phone: input.phone ?? null,
        webhook,
      }),
    );
  }

  async contact(id: number): Promise<ContactRecord> {
    const contact = await this.deps.store.getContact(id);
    if (!contact) throw ALERT_NOT_FOUND('contact', id);
    return contact;
  }

  async updateContact(id: number, patch: z.output<typeof ContactUpdate>): Promise<ContactRecord> {
    const current = await this.contact(id);
    const webhook =
      patch.webhook === undefined
        ? undefined
        : patch.webhook === null
          ? null
          : await this.#webhook(current.namespaceId, patch.webhook);
    const next = {
      email: patch.email === undefined ? current.email : patch.email,
      phone: patch.phone === undefined ? current.phone : patch.phone,
      webhook: webhook === undefined ? current.webhook : webhook,
    };
    if (next.email === null && next.phone === null && next.webhook === null) {
      throw invalid('email', 'a contact needs at least one of email, phone or webhook');
    }
    const updated = await this.#named('contact', patch.name ?? current.name, () =>
      this.deps.store.updateContact(id, {
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(patch.email !== undefined ? { email: patch.email } : {}),
        ...(patch.phone !== undefined ? { phone: patch.phone } : {}),
        ...(webhook !== undefined ? { webhook } : {}),
      }),
    );
    if (!updated) throw ALERT_NOT_FOUND('contact', id);
    return updated;
  }

  async deleteContact(id: number): Promise<void> {
    if (!(await this.deps.store.deleteContact(id))) throw ALERT_NOT_FOUND('contact', id);
  }

  /** Writes a test alert to the contact on each of its channels (of `channels`); the worker sends it. */
  async testContact(id: number, channels: readonly Channel[] | undefined): Promise<number> {
    const contact = await this.contact(id);
    const now = this.deps.clock.now();
    const alert: NewAlert = {
      ruleId: null,
      namespaceId: contact.namespaceId,
      on: 'test',
      state: 'test',
      dedupKey: `contact:${contact.id}`,
      appId: null,
      taskId: null,
      runId: null,
      facts: { summary: `A test alert for ${contact.name}: if you read this, this channel works`, at: now },
      silenceSeconds: 0,
      notify: {
        contacts: [contact.id],
        groups: [],
        channels: channels ? [...channels] : ['webhook', 'email', 'sms'],
      },
      createdAt: now,
    };
    const written = await this.deps.store.recordAlerts([alert]);
    if (written.deliveries === 0) {
      throw invalid('channels', 'the contact has none of these channels');
    }
    this.deps.wake();
    return written.alerts[0]!.id;
  }

  // ------------------------------------------------------------ groups

  async #checkContacts(namespaceId: number, ids: readonly number[], field: string): Promise<void> {
    for (const [i, id] of ids.entries()) {
      const contact = await this.deps.store.getContact(id);
      if (!contact || contact.namespaceId !== namespaceId) {
        throw invalid(`${field}.${i}`, `contact ${id} does not exist in this namespace`);
      }
    }
  }

  async createGroup(input: z.output<typeof ContactGroupCreate>): Promise<ContactGroupRecord> {
    const ns = await this.deps.namespaces.resolve(input.namespace);
    await this.#checkContacts(ns.id, input.contacts, 'contacts');
    return this.#named('contact group', input.name, () =>
      this.deps.store.createContactGroup({
        namespaceId: ns.id,
        name: input.name,
        contactIds: input.contacts,
      }),
    );
  }

  async group(id: number): Promise<ContactGroupRecord> {
    const group = await this.deps.store.getContactGroup(id);
    if (!group) throw ALERT_NOT_FOUND('contact group', id);
    return group;
  }

  async updateGroup(id: number, patch: z.output<typeof ContactGroupUpdate>): Promise<ContactGroupRecord> {
    const current = await this.group(id);
    if (patch.contacts) await this.#checkContacts(current.namespaceId, patch.contacts, 'contacts');
    const updated = await this.#named('contact group', patch.name ?? current.name, () =>
      this.deps.store.updateContactGroup(id, {
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(patch.contacts !== undefined ? { contactIds: patch.contacts } : {}),
      }),
    );
    if (!updated) throw ALERT_NOT_FOUND('contact group', id);
    return updated;
  }

  async deleteGroup(id: number): Promise<void> {
    if (!(await this.deps.store.deleteContactGroup(id))) throw ALERT_NOT_FOUND('contact group', id);
  }

  // ------------------------------------------------------------ rules

  async #scope(
    scope: z.output<typeof AlertRuleCreate>['scope'],
    namespace: string | undefined,
  ): Promise<{ namespaceId: number; scope: AlertRuleScope }> {
    if ('taskId' in scope) {
      const task = await this.deps.store.getTask(scope.taskId);
      if (!task) throw invalid('scope.taskId', `task ${scope.taskId} does not exist`);
      return { namespaceId: task.namespaceId, scope: { kind: 'task', taskId: task.id } };
    }
    if ('app' in scope) {
      const ns = await this.deps.namespaces.resolve(namespace);
      const app = await this.deps.store.getAppByName(ns.id, scope.app);
      if (!app) throw invalid('scope.app', `app "${scope.app}" does not exist in namespace "${ns.name}"`);
      return { namespaceId: ns.id, scope: { kind: 'app', appId: app.id } };
    }
    const ns = await this.deps.namespaces.resolve(scope.namespace, 'scope.namespace');
    return { namespaceId: ns.id, scope: { kind: 'namespace' } };
  }

  async #checkNotify(namespaceId: number, notify: { contacts: number[]; groups: number[] }): Promise<void> {
    await this.#checkContacts(namespaceId, notify.contacts, 'notify.contacts');
    for (const [i, id] of notify.groups.entries()) {
      const group = await this.deps.store.getContactGroup(id);
      if (!group || group.namespaceId !== namespaceId) {
        throw invalid(`notify.groups.${i}`, `contact group ${id} does not exist in this namespace`);
      }
    }
  }

  /** A template that does not render is a 400 naming `templates.<channel>` (also for apply). */
  checkTemplates(templates: Partial<Record<Channel, string>> | null | undefined): void {
    for (const channel of CHANNELS) {
      const template = templates?.[channel];
      if (template === undefined) continue;
      const problem = templateProblem(template);
      if (problem) throw invalid(`templates.${channel}`, `the template does not render: ${problem}`);
    }
  }

  async createRule(input: z.output<typeof AlertRuleCreate>): Promise<AlertRuleRecord> {
    const { namespaceId, scope } = await this.#scope(input.scope, input.namespace);
    await this.#checkNotify(namespaceId, input.notify);
    this.checkTemplates(input.templates);
    const rule = await this.deps.store.createAlertRule({
      namespaceId,
      name: input.name,
      scope,
      on: input.on,
      threshold: input.threshold ?? null,
      windowSeconds: input.windowSeconds ?? null,
      notify: input.notify,
      silenceSeconds: input.silenceSeconds,
      mutedUntil: input.mutedUntil ? Date.parse(input.mutedUntil) : null,
      enabled: input.enabled,
      templates: input.templates ?? null,
    });
    this.deps.events.emit('alert_rule:changed', { ruleId: rule.id });
    return rule;
  }

  async rule(id: number): Promise<AlertRuleRecord> {
    const rule = await this.deps.store.getAlertRule(id);
    if (!rule) throw ALERT_NOT_FOUND('alert rule', id);
    return rule;
  }

  async updateRule(id: number, patch: z.output<typeof AlertRuleUpdate>): Promise<AlertRuleRecord> {
    const current = await this.rule(id);
    const merged = {
      on: patch.on ?? current.on,
      threshold:
        patch.threshold === undefined ? (current.threshold ?? undefined) : (patch.threshold ?? undefined),
      windowSeconds:
        patch.windowSeconds === undefined
          ? (current.windowSeconds ?? undefined)
          : (patch.windowSeconds ?? undefined),
      scope:
        current.scope.kind === 'app'
          ? { app: 'x' }
          : current.scope.kind === 'task'
            ? { taskId: current.scope.taskId }
            : { namespace: 'x' },
    };
    const check = z
      .object({})
      .superRefine((_v, ctx) => checkRuleThreshold(merged, ctx))
      .safeParse({});
    if (!check.success) {
      const issue = check.error.issues[0]!;
      throw invalid(issue.path.map(String).join('.'), issue.message);
    }
    if (patch.notify) await this.#checkNotify(current.namespaceId, patch.notify);
    this.checkTemplates(patch.templates);
    const updated = await this.deps.store.updateAlertRule(id, {
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.on !== undefined ? { on: patch.on } : {}),
      ...(patch.threshold !== undefined ? { threshold: patch.threshold } : {}),
      ...(patch.windowSeconds !== undefined ? { windowSeconds: patch.windowSeconds } : {}),
      ...(patch.notify !== undefined ? { notify: patch.notify } : {}),
      ...(patch.silenceSeconds !== undefined ? { silenceSeconds: patch.silenceSeconds } : {}),
      ...(patch.mutedUntil !== undefined
        ? { mutedUntil: patch.mutedUntil === null ? null : Date.parse(patch.mutedUntil) }
        : {}),
      ...(patch.enabled !== undefined ? { enabled: patch.enabled } : {}),
      ...(patch.templates !== undefined ? { templates: patch.templates } : {}),
    });
    if (!updated) throw ALERT_NOT_FOUND('alert rule', id);
    this.deps.events.emit('alert_rule:changed', { ruleId: id });
    return updated;
  }

  /** Announces a rule created, changed or deleted by apply's transaction (the rule cache reloads it). */
  ruleChangedElsewhere(id: number): void {
    this.deps.events.emit('alert_rule:changed', { ruleId: id });
  }

  async deleteRule(id: number): Promise<void> {
    if (!(await this.deps.store.deleteAlertRule(id))) throw ALERT_NOT_FOUND('alert rule', id);
    this.deps.events.emit('alert_rule:changed', { ruleId: id });
  }
}
