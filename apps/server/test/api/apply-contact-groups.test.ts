/**
 * Contact groups through POST /api/v1/apply, against a real node: created with their members by
 * contact name (in order) and named by a rule of the same documents, then unchanged, changed
 * member by member, refused for an unknown contact (nothing stored), and pruned unless a rule kept
 * on the server still names the group.
 */
import { describe, expect, it } from 'vitest';
import { startTestNode, type TestNode } from '../support/test-node.js';

const apply = (node: TestNode, documents: unknown[], options: Record<string, unknown> = {}) =>
  node.api('POST', '/api/v1/apply', { documents, ...options });

const actions = (plan: any) =>
  plan.changes.map((c: any) => `${c.action} ${c.kind} ${c.namespace}/${c.name}`).sort();

const doc = (parts: Record<string, unknown>) => ({
  kind: 'kairos/definitions',
  namespace: 'default',
  ...parts,
});

const watch = (groups: string[]) => ({
  name: 'watch',
  scope: { namespace: 'default' },
  on: 'failure',
  notify: { groups },
});

async function contacts(node: TestNode, ...names: string[]): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  for (const name of names) {
    const res = await node.api('POST', '/api/v1/contacts', { name, email: `${name}@example.com` });
    expect(res.status).toBe(201);
    ids.set(name, res.body.id);
  }
  return ids;
}

const groups = async (node: TestNode) =>
  new Map<string, number[]>(
    (await node.api('GET', '/api/v1/contact-groups')).body.items.map((g: any) => [g.name, g.contacts]),
  );

describe('POST /api/v1/apply with contact groups', () => {
  it('creates groups and a rule naming one in one apply, then finds them unchanged, then changes members', async () => {
    const node = await startTestNode();
    const ids = await contacts(node, 'alice', 'bob', 'carol');
    const files = doc({
      contactGroups: [
        { name: 'on-call', contacts: ['bob', 'alice'] },
        { name: 'managers', contacts: ['carol'] },
      ],
      alertRules: [watch(['on-call'])],
    });

    const dry = await apply(node, [files], { dryRun: true });
    expect(dry.status).toBe(200);
    expect(actions(dry.body)).toEqual([
      'create alertRule default/watch',
      'create contactGroup default/managers',
      'create contactGroup default/on-call',
    ]);
    expect((await groups(node)).size).toBe(0);

    const first = await apply(node, [files]);
    expect(first.status).toBe(200);
    const stored = await groups(node);
    expect(stored.get('on-call')).toEqual([ids.get('bob'), ids.get('alice')]);
    expect(stored.get('managers')).toEqual([ids.get('carol')]);
    const onCallId = (await node.api('GET', '/api/v1/contact-groups')).body.items.find(
      (g: any) => g.name === 'on-call',
    ).id;
    const [rule] = (await node.api('GET', '/api/v1/alert-rules')).body.items;
    expect(rule.notify.groups).toEqual([onCallId]);

    const again = await apply(node, [files]);
    expect(again.body.changes.every((c: any) => c.action === 'unchanged')).toBe(true);
    expect(again.body.applied).toBe(false);

    const reordered = doc({
      contactGroups: [
        { name: 'on-call', contacts: ['alice', 'carol'] },
        { name: 'managers', contacts: ['carol'] },
      ],
      alertRules: [watch(['on-call', 'managers'])],
    });
    const changed = await apply(node, [reordered]);
    expect(changed.status).toBe(200);
    expect(changed.body.changes.find((c: any) => c.name === 'on-call')).toMatchObject({
      action: 'update',
      fields: [{ field: 'contacts', from: ['bob', 'alice'], to: ['alice', 'carol'] }],
    });
    expect((await groups(node)).get('on-call')).toEqual([ids.get('alice'), ids.get('carol')]);
    const updatedRule = (await node.api('GET', `/api/v1/alert-rules/${rule.id}`)).body;
    expect(updatedRule.notify.groups).toHaveLength(2);
  });

  it('an unknown member or an unknown group is a 400 naming it, and nothing is stored', async () => {
    const node = await startTestNode();
    await contacts(node, 'alice');
    const unknownMember = await apply(node, [
      doc({
        apps: [{ appName: 'billing', name: 'Billing' }],
        contactGroups: [{ name: 'on-call', contacts: ['alice', 'nobody'] }],
      }),
    ]);
    expect(unknownMember.status).toBe(400);
    expect(unknownMember.body.error.field).toBe('documents.0.contactGroups.0.contacts.1');
    expect(unknownMember.body.error.message).toContain('no contact "nobody"');

    const unknownGroup = await apply(node, [
      doc({ contactGroups: [{ name: 'on-call', contacts: ['alice'] }], alertRules: [watch(['nights'])] }),
    ]);
    expect(unknownGroup.status).toBe(400);
    expect(unknownGroup.body.error.field).toBe('documents.0.alertRules.0.notify.groups.0');

    const twice = await apply(node, [
      doc({
        contactGroups: [
          { name: 'on-call', contacts: ['alice'] },
          { name: 'on-call', contacts: [] },
        ],
      }),
    ]);
    expect(twice.status).toBe(400);
    expect(twice.body.error.field).toBe('documents.0.contactGroups.1.name');

    const unknownField = await apply(node, [
      doc({ contactGroups: [{ name: 'x', contacts: [], members: [] }] }),
    ]);
    expect(unknownField.status).toBe(400);
    expect(unknownField.body.error.field).toContain('contactGroups.0');

    expect((await groups(node)).size).toBe(0);
    expect((await node.api('GET', '/api/v1/apps')).body.items).toEqual([]);
  });

  it('prunes groups the files leave out, unless a rule kept on the server still names one', async () => {
    const node = await startTestNode();
    await contacts(node, 'alice');
    await apply(node, [
      doc({
        contactGroups: [
          { name: 'on-call', contacts: ['alice'] },
          { name: 'old', contacts: ['alice'] },
        ],
        alertRules: [watch(['old'])],
      }),
    ]);

    // The rule is not in the files (no alertRules key: rules are kept), and it names "old".
    const refused = await apply(node, [doc({ contactGroups: [{ name: 'on-call', contacts: ['alice'] }] })], {
      prune: true,
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error.field).toBe('documents.0.contactGroups');
    expect(refused.body.error.message).toContain('alert rule "watch"');
    expect([...(await groups(node)).keys()].sort()).toEqual(['old', 'on-call']);

    // With the rule moved to the kept group in the same files, the prune goes through.
    const pruned = await apply(
      node,
      [doc({ contactGroups: [{ name: 'on-call', contacts: ['alice'] }], alertRules: [watch(['on-call'])] })],
      { prune: true },
    );
    expect(pruned.status).toBe(200);
    expect(actions(pruned.body)).toEqual(
      expect.arrayContaining(['delete contactGroup default/old', 'update alertRule default/watch']),
    );
    expect([...(await groups(node)).keys()]).toEqual(['on-call']);
  });
});
