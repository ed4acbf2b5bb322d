/**
 * Apply's decision for a namespace's contact groups: each group of the files created, changed
 * (its members, by contact name, in order) or left alone, and, in a prune, the stored groups the
 * files leave out deleted. Contacts are never written by apply (they hold people's addresses):
 * a member must be a contact the namespace already has. What this decides is also what the
 * namespace's rules may name: the groups kept or created, the contacts by name.
 */
import type { ApplyChange, ContactGroupDefinition } from '@kairos/protocol';
import { KairosError } from '../errors.js';
import type { DefinitionRef, DefinitionWrites } from '../store/definition-writes.js';
import type { Store } from '../store/store.js';
import { all } from './apply-rule-plan.js';
import { fieldChanges } from './definition-diff.js';

export interface NamespaceGroups {
  store: Store;
  namespaceId: number;
  namespace: string;
  groups: Map<string, { def: ContactGroupDefinition; field: string }>;
  /** Delete the stored groups the files leave out (a prune, and the files list `contactGroups`). */
  prune: boolean;
}

/** The namespace's contacts and groups by name, once the plan is stored; and the stored names by id. */
export interface GroupCatalog {
  contacts: Map<string, number>;
  groups: Map<string, DefinitionRef>;
  contactNames: Map<number, string>;
  groupNames: Map<number, string>;
}

export async function planNamespaceGroups(
  input: NamespaceGroups,
  writes: DefinitionWrites,
): Promise<{ changes: ApplyChange[]; deletes: ApplyChange[]; catalog: GroupCatalog }> {
  const { store, namespaceId, namespace } = input;
  const [contacts, groups] = await Promise.all([
    all((p) => store.listContacts({ namespaceId }, p)),
    all((p) => store.listContactGroups({ namespaceId }, p)),
  ]);
  const catalog: GroupCatalog = {
    contacts: new Map(contacts.map((c) => [c.name, c.id])),
    groups: new Map(),
    contactNames: new Map(contacts.map((c) => [c.id, c.name])),
    groupNames: new Map(groups.map((g) => [g.id, g.name])),
  };
  const base = (name: string) => ({ namespace, kind: 'contactGroup' as const, name });
  const changes: ApplyChange[] = [];
  const deletes: ApplyChange[] = [];

  for (const group of groups) {
    if (input.groups.has(group.name) || !input.prune) catalog.groups.set(group.name, { id: group.id });
    else {
      writes.deleteGroups.push(group.id);
      deletes.push({ ...base(group.name), action: 'delete', fields: [] });
    }
  }
  for (const { def, field } of input.groups.values()) {
    const contactIds = def.contacts.map((name, i) => {
      const id = catalog.contacts.get(name);
      if (id === undefined) {
        const at = `${field}.contacts.${i}`;
        throw new KairosError(
          'VALIDATION_ERROR',
          `${at}: no contact "${name}" in namespace ${namespace} (apply writes no contacts: create it first)`,
          { field: at },
        );
      }
      return id;
    });
    const current = groups.find((g) => g.name === def.name);
    if (!current) {
      catalog.groups.set(def.name, { created: writes.createGroups.length });
      writes.createGroups.push({ namespaceId, name: def.name, contactIds });
      changes.push({ ...base(def.name), action: 'create', fields: [] });
      continue;
    }
    const stored = current.contactIds.map((id) => catalog.contactNames.get(id) ?? String(id));
    const fields = fieldChanges({ contacts: stored }, { contacts: def.contacts });
    if (fields.length > 0) writes.updateGroups.push({ id: current.id, patch: { contactIds } });
    changes.push({ ...base(def.name), action: fields.length ? 'update' : 'unchanged', fields });
  }
  return { changes, deletes, catalog };
}
