/**
 * Contract: alerting — contacts and groups, rules, alerts written to the outbox with
 * one delivery per contact and channel, silence windows that count repeats, deliveries leased to
 * one node at a time (taken again once the lease expires), attempts recorded.
 */
import { describe, expect, it } from 'vitest';
import type { NewAlert } from '../../../src/store/alert-records.js';
import { StoreConflictError, type Store } from '../../../src/store/store.js';
import { seed, type ContractContext } from './context.js';

async function people(store: Store) {
  const { ns, app } = await seed(store);
  const ann = await store.createContact({
    namespaceId: ns.id,
    name: 'Ann',
    email: 'ann@example.com',
    phone: '+15550001111',
    webhook: { url: 'http://127.0.0.1:9/hook', kind: 'generic', sealedSecret: 'sealed' },
  });
  const bob = await store.createContact({
    namespaceId: ns.id,
    name: 'Bob',
    email: 'bob@example.com',
    phone: null,
    webhook: null,
  });
  return { ns, app, ann, bob };
}

const alert = (namespaceId: number, over: Partial<NewAlert> = {}): NewAlert => ({
  ruleId: null,
  namespaceId,
  on: 'failure',
  state: 'firing',
  dedupKey: 'task:1',
  appId: null,
  taskId: 1,
  runId: null,
  facts: { summary: 'it failed', at: 1_000 },
  silenceSeconds: 0,
  notify: { contacts: [], groups: [] },
  createdAt: 1_000,
  ...over,
});

export function defineAlertContract(ctx: ContractContext): void {
  describe('alerts', () => {
    it('keeps contacts, refuses a taken name, updates and deletes them', async () => {
      const store = ctx.store;
      const { ns, ann } = await people(store);
      expect(ann).toMatchObject({
        name: 'Ann',
        email: 'ann@example.com',
        webhook: { url: 'http://127.0.0.1:9/hook', kind: 'generic', sealedSecret: 'sealed' },
      });
      await expect(
        store.createContact({
          namespaceId: ns.id,
          name: 'Ann',
          email: null,
          phone: '+15550002222',
          webhook: null,
        }),
      ).rejects.toBeInstanceOf(StoreConflictError);
      const changed = await store.updateContact(ann.id, { email: null, webhook: null });
      expect(changed).toMatchObject({ email: null, webhook: null, phone: '+15550001111' });
      const page = await store.listContacts({ namespaceId: ns.id }, { limit: 1 });
      expect(page.items.map((c) => c.name)).toEqual(['Bob']);
      expect(page.nextCursor).not.toBeNull();
      expect(await store.deleteContact(ann.id)).toBe(true);
      expect(await store.getContact(ann.id)).toBeUndefined();
    });

    it('keeps groups with their members in order; a deleted contact leaves its groups', async () => {
      const store = ctx.store;
      const { ns, ann, bob } = await people(store);
      const group = await store.createContactGroup({
        namespaceId: ns.id,
        name: 'oncall',
        contactIds: [bob.id, ann.id],
      });
      expect(group.contactIds).toEqual([bob.id, ann.id]);
      await expect(
        store.createContactGroup({ namespaceId: ns.id, name: 'oncall', contactIds: [] }),
      ).rejects.toBeInstanceOf(StoreConflictError);
      expect((await store.updateContactGroup(group.id, { contactIds: [ann.id] }))?.contactIds).toEqual([
        ann.id,
      ]);
      await store.updateContactGroup(group.id, { contactIds: [ann.id, bob.id] });
      await store.deleteContact(ann.id);
      expect((await store.getContactGroup(group.id))?.contactIds).toEqual([bob.id]);
      const listed = await store.listContactGroups({ namespaceId: ns.id }, { limit: 10 });
      expect(listed.items.map((g) => g.contactIds)).toEqual([[bob.id]]);
      expect(await store.deleteContactGroup(group.id)).toBe(true);
      expect(await store.getContactGroup(group.id)).toBeUndefined();
    });

    it('keeps rules; lists the enabled ones', async () => {
      const store = ctx.store;
      const { ns, app, ann } = await people(store);
      const rule = await store.createAlertRule({
        namespaceId: ns.id,
        name: 'app failures',
        scope: { kind: 'app', appId: app.id },
        on: 'failure_rate',
        threshold: 0.5,
        windowSeconds: 600,
        notify: { contacts: [ann.id], groups: [], channels: ['email'] },
        silenceSeconds: 300,
        mutedUntil: null,
        enabled: true,
        templates: { email: 'Hello {{summary}}' },
      });
      expect(rule).toMatchObject({ scope: { kind: 'app', appId: app.id }, threshold: 0.5, enabled: true });
      await store.createAlertRule({ ...rule, name: 'off', scope: { kind: 'namespace' }, enabled: false });
      expect((await store.listEnabledAlertRules()).map((r) => r.name)).toEqual(['app failures']);
      const muted = await store.updateAlertRule(rule.id, { mutedUntil: 9_000, templates: null });
      expect(muted).toMatchObject({ mutedUntil: 9_000, templates: null, name: 'app failures' });
      expect((await store.listAlertRules({ namespaceId: ns.id }, { limit: 10 })).items).toHaveLength(2);
      expect(await store.deleteAlertRule(rule.id)).toBe(true);
    });

    it('writes one pending delivery per contact and channel, each contact once', async () => {
      const store = ctx.store;
      const { ns, ann, bob } = await people(store);
      const group = await store.createContactGroup({
        namespaceId: ns.id,
        name: 'all',
        contactIds: [ann.id, bob.id],
      });
      const written = await store.recordAlerts([
        alert(ns.id, { notify: { contacts: [ann.id], groups: [group.id] } }),
      ]);
      expect(written).toMatchObject({ silenced: 0, deliveries: 4 });
      const stored = await store.getAlert(written.alerts[0]!.id);
      expect(stored?.deliveries.map((d) => [d.contactId, d.channel, d.target, d.status])).toEqual([
        [ann.id, 'webhook', 'http://127.0.0.1:9/hook', 'pending'],
        [ann.id, 'email', 'ann@example.com', 'pending'],
        [ann.id, 'sms', '+15550001111', 'pending'],
        [bob.id, 'email', 'bob@example.com', 'pending'],
      ]);
      const phoneOnly = await store.recordAlerts([
        alert(ns.id, {
          dedupKey: 'task:2',
          notify: { contacts: [ann.id, bob.id], groups: [], channels: ['phone'] },
        }),
      ]);
      expect(phoneOnly.deliveries).toBe(1);
    });

    it('counts an alert within its rule silence window as a repeat instead of writing it', async () => {
      const store = ctx.store;
      const { ns, ann } = await people(store);
      const rule = await store.createAlertRule({
        namespaceId: ns.id,
        name: 'r',
        scope: { kind: 'namespace' },
        on: 'failure',
        threshold: null,
        windowSeconds: null,
        notify: { contacts: [ann.id], groups: [], channels: ['email'] },
        silenceSeconds: 60,
        mutedUntil: null,
        enabled: true,
        templates: null,
      });
      const base = { ruleId: rule.id, silenceSeconds: 60, notify: rule.notify };
      const first = await store.recordAlerts([alert(ns.id, { ...base, createdAt: 10_000 })]);
      const second = await store.recordAlerts([
        alert(ns.id, { ...base, createdAt: 30_000 }),
        alert(ns.id, { ...base, dedupKey: 'task:2', createdAt: 30_000 }),
      ]);
      expect(second).toMatchObject({ silenced: 1, deliveries: 1 });
      const later = await store.recordAlerts([alert(ns.id, { ...base, createdAt: 71_000 })]);
      expect(later.silenced).toBe(0);
      const firstStored = await store.getAlert(first.alerts[0]!.id);
      expect(firstStored).toMatchObject({ repeats: 1, lastRepeatAt: 30_000 });
      const page = await store.listAlerts({ namespaceId: ns.id, ruleId: rule.id }, { limit: 10 });
      expect(page.items).toHaveLength(3);
      expect(page.items[0]!.deliveries).toHaveLength(1);
    });

    it('leases due deliveries to one node, takes them again once the lease expires, records attempts', async () => {
      const store = ctx.store;
      const { ns, ann } = await people(store);
      await store.recordAlerts([
        alert(ns.id, { notify: { contacts: [ann.id], groups: [], channels: ['webhook', 'email'] } }),
      ]);
      const claim = (owner: string, now: number) =>
        store.claimDueDeliveries({ owner, now, leaseExpiresAt: now + 30_000, limit: 10 });
      expect(await claim('a', 500)).toEqual([]); // not due before its creation
      const taken = await claim('a', 1_000);
      expect(taken.map((d) => [d.channel, d.attempts, d.leaseOwner])).toEqual([
        ['webhook', 1, 'a'],
        ['email', 1, 'a'],
      ]);
      expect(await claim('b', 2_000)).toEqual([]); // leased to a
      const [webhook, email] = taken as [(typeof taken)[0], (typeof taken)[0]];
      expect(await store.recordDeliveryOutcome(webhook.id, 'a', { ok: true, at: 2_000 })).toBe(true);
      // a is cut off; its lease on the email expires and b takes it: attempt 2.
      const retaken = await claim('b', 40_000);
      expect(retaken.map((d) => [d.id, d.attempts, d.leaseOwner])).toEqual([[email.id, 2, 'b']]);
      // a's late failure does not overwrite b's attempt.
      expect(
        await store.recordDeliveryOutcome(email.id, 'a', {
          ok: false,
          at: 40_500,
          error: 'late',
          retryAt: 50_000,
        }),
      ).toBe(false);
      expect(
        await store.recordDeliveryOutcome(email.id, 'b', {
          ok: false,
          at: 41_000,
          error: 'refused',
          retryAt: 60_000,
        }),
      ).toBe(true);
      expect(await claim('b', 59_000)).toEqual([]); // backing off
      const third = await claim('b', 60_000);
      expect(third.map((d) => d.attempts)).toEqual([3]);
      await store.recordDeliveryOutcome(email.id, 'b', {
        ok: false,
        at: 61_000,
        error: 'still refused',
        retryAt: null,
      });
      expect(await claim('b', 999_999)).toEqual([]);
      const history = (await store.listAlerts({}, { limit: 10 })).items[0]!;
      expect(history.deliveries.map((d) => [d.channel, d.status, d.attempts, d.lastError])).toEqual([
        ['webhook', 'sent', 1, null],
        ['email', 'failed', 3, 'still refused'],
      ]);
      expect(history.deliveries[0]!.sentAt).toBe(2_000);
    });

    it('two nodes claiming at once never take the same delivery', async ({ skip }) => {
      if (ctx.store.capabilities.exclusiveWriter) skip();
      const a = ctx.store;
      const b = await ctx.database.open();
      const { ns, ann } = await people(a);
      const alerts = Array.from({ length: 40 }, (_, i) =>
        alert(ns.id, {
          dedupKey: `task:${i}`,
          notify: { contacts: [ann.id], groups: [], channels: ['email'] },
        }),
      );
      await a.recordAlerts(alerts);
      const taken: number[] = [];
      await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          (i % 2 === 0 ? a : b)
            .claimDueDeliveries({ owner: `n${i}`, now: 2_000, leaseExpiresAt: 60_000, limit: 7 })
            .then((rows) => taken.push(...rows.map((r) => r.id))),
        ),
      );
      expect(taken).toHaveLength(40);
      expect(new Set(taken).size).toBe(40);
    });
  });
}
