/**
 * Apply's decision for one alert rule of a file: create it, change some fields, or leave it,
 * checked as `POST /alert-rules` checks a rule (its threshold and window by the schema, its
 * templates by the alert service) but with its task, app, contacts and groups by name, the
 * task or app perhaps created by the same transaction.
 */
import type { AlertRuleDefinition, ApplyChange, Channel } from '@kairos/protocol';
import { KairosError } from '../errors.js';
import type { AlertRuleRecord, AlertRuleScope } from '../store/alert-records.js';
import type { DefinitionRef, DefinitionWrites, RuleRefs } from '../store/definition-writes.js';
import type { Page, PageRequest, Store } from '../store/store.js';
import type { GroupCatalog } from './apply-group-plan.js';
import { fieldChanges, within } from './definition-diff.js';

/** What the namespace holds, by name, for its rules. */
export interface RuleCatalog {
  namespaceId: number;
  namespace: string;
  tasks: Map<string, DefinitionRef>;
  apps: Map<string, DefinitionRef>;
  contacts: Map<string, number>;
  /** Groups kept or created by the same write. */
  groups: Map<string, DefinitionRef>;
  /** The stored ones, for stored rules' references. */
  taskNames: Map<number, string>;
  appNames: Map<number, string>;
  contactNames: Map<number, string>;
  groupNames: Map<number, string>;
}

export interface RuleDecision {
  change: ApplyChange;
  write?:
    | { kind: 'create'; entry: DefinitionWrites['createRules'][number] }
    | { kind: 'update'; entry: DefinitionWrites['updateRules'][number] };
}

const refused = (field: string, message: string) =>
  new KairosError('VALIDATION_ERROR', `${field}: ${message}`, { field });

export async function planRule(
  catalog: RuleCatalog,
  def: AlertRuleDefinition,
  field: string,
  current: AlertRuleRecord | undefined,
  checkTemplates: ((templates: Partial<Record<Channel, string>> | undefined) => void) | undefined,
): Promise<RuleDecision> {
  const { scope, refs } = scopeOf(catalog, def, field);
  const known = <T>(names: string[], byName: Map<string, T>, what: string, at: string) =>
    names.map((name, i) => {
      const found = byName.get(name);
      if (found === undefined)
        throw refused(`${at}.${i}`, `no ${what} "${name}" in namespace ${catalog.namespace}`);
      return found;
    });
  const contacts = known(def.notify.contacts, catalog.contacts, 'contact', `${field}.notify.contacts`);
  const groupRefs = known(def.notify.groups, catalog.groups, 'contact group', `${field}.notify.groups`);
  if (checkTemplates) await within(field, () => checkTemplates(def.templates));

  // A group created by the same write has its id only once inserted: the write puts it in.
  const groups = groupRefs.map((ref) => ('id' in ref ? ref.id : 0));
  if (groupRefs.some((ref) => 'created' in ref)) refs.groups = groupRefs;
  const notify = { contacts, groups, ...(def.notify.channels ? { channels: def.notify.channels } : {}) };
  const wanted = {
    scope: def.scope,
    on: def.on,
    threshold: def.threshold ?? null,
    windowSeconds: def.windowSeconds ?? null,
    notify: { contacts: def.notify.contacts, groups: def.notify.groups, channels: def.notify.channels },
    silenceSeconds: def.silenceSeconds,
    templates: def.templates ?? null,
    enabled: def.enabled,
  };
  const base = { namespace: catalog.namespace, kind: 'alertRule' as const, name: def.name };
  if (!current) {
    return {
      change: { ...base, action: 'create', fields: [] },
      write: {
        kind: 'create',
        entry: {
          rule: {
            namespaceId: catalog.namespaceId,
            name: def.name,
            scope,
            on: def.on,
            threshold: wanted.threshold,
            windowSeconds: wanted.windowSeconds,
            notify,
            silenceSeconds: def.silenceSeconds,
            mutedUntil: null,
            enabled: def.enabled,
            templates: wanted.templates,
          },
          refs,
        },
      },
    };
  }
  const fields = fieldChanges(storedView(catalog, current), wanted);
  if (fields.length === 0) return { change: { ...base, action: 'unchanged', fields: [] } };
  const changed = new Set(fields.map((f) => f.field.split('.')[0]));
  return {
    change: { ...base, action: 'update', fields },
    write: {
      kind: 'update',
      entry: {
        id: current.id,
        patch: {
          ...(changed.has('on') ? { on: def.on } : {}),
          ...(changed.has('threshold') ? { threshold: wanted.threshold } : {}),
          ...(changed.has('windowSeconds') ? { windowSeconds: wanted.windowSeconds } : {}),
          ...(changed.has('notify') ? { notify } : {}),
          ...(changed.has('silenceSeconds') ? { silenceSeconds: def.silenceSeconds } : {}),
          ...(changed.has('templates') ? { templates: wanted.templates } : {}),
          ...(changed.has('enabled') ? { enabled: def.enabled } : {}),
        },
        ...(changed.has('scope') ? { scope } : {}),
        refs: {
          ...(changed.has('scope') ? refs : {}),
          ...(changed.has('notify') && refs.groups ? { groups: refs.groups } : {}),
        },
      },
    },
  };
}

/** A stored rule in the file's shape: its task, app, contacts and groups by name. */
function storedView(catalog: RuleCatalog, rule: AlertRuleRecord) {
  const name = (names: Map<number, string>, id: number) => names.get(id) ?? String(id);
  const scope =
    rule.scope.kind === 'task'
      ? { task: name(catalog.taskNames, rule.scope.taskId) }
      : rule.scope.kind === 'app'
        ? { app: name(catalog.appNames, rule.scope.appId) }
        : { namespace: catalog.namespace };
  return {
    scope,
    on: rule.on,
    threshold: rule.threshold,
    windowSeconds: rule.windowSeconds,
    notify: {
      contacts: rule.notify.contacts.map((id) => name(catalog.contactNames, id)),
      groups: rule.notify.groups.map((id) => name(catalog.groupNames, id)),
      channels: rule.notify.channels,
    },
    silenceSeconds: rule.silenceSeconds,
    templates: rule.templates,
    enabled: rule.enabled,
  };
}

function scopeOf(
  catalog: RuleCatalog,
  def: AlertRuleDefinition,
  field: string,
): { scope: AlertRuleScope; refs: RuleRefs } {
  const at = `${field}.scope`;
  if ('task' in def.scope) {
    const ref = catalog.tasks.get(def.scope.task);
    if (!ref) {
      throw refused(
        `${at}.task`,
        `no task "${def.scope.task}" in namespace ${catalog.namespace}, neither in the files nor kept on the server`,
      );
    }
    return 'id' in ref
      ? { scope: { kind: 'task', taskId: ref.id }, refs: {} }
      : { scope: { kind: 'task', taskId: 0 }, refs: { task: ref } };
  }
  if ('app' in def.scope) {
    const ref = catalog.apps.get(def.scope.app);
    if (!ref) {
      throw refused(
        `${at}.app`,
        `no app "${def.scope.app}" in namespace ${catalog.namespace}, neither in the files nor kept on the server`,
      );
    }
    return 'id' in ref
      ? { scope: { kind: 'app', appId: ref.id }, refs: {} }
      : { scope: { kind: 'app', appId: 0 }, refs: { app: ref } };
  }
  if (def.scope.namespace !== catalog.namespace) {
    throw refused(`${at}.namespace`, `a rule of namespace ${catalog.namespace} watches only it`);
  }
  return { scope: { kind: 'namespace' }, refs: {} };
}

/** Every item of a paged store list. */
export async function all<T>(list: (page: PageRequest) => Promise<Page<T>>): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await list({ cursor, limit: 500 });
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return items;
}

export interface NamespaceRules {
  store: Store;
  namespaceId: number;
  namespace: string;
  rules: Map<string, { def: AlertRuleDefinition; field: string }>;
  /** Delete the stored rules the files leave out (a prune, and the files list `alertRules`). */
  prune: boolean;
  tasks: Map<string, DefinitionRef>;
  apps: Map<string, DefinitionRef>;
  /** The contacts and the groups kept or created (apply-group-plan.ts). */
  people: GroupCatalog;
  /** Where the files give their contact groups, if they do (a prune's refusal names it). */
  groupsField: string | undefined;
  taskNames: Map<number, string>;
  appNames: Map<number, string>;
  checkTemplates: ((templates: Partial<Record<Channel, string>> | undefined) => void) | undefined;
}

/**
 * A namespace's rules: those of the files planned, those they leave out deleted by a prune, and
 * those whose task or app the writes delete shown as deleted with them (ON DELETE CASCADE).
 */
export async function planNamespaceRules(
  input: NamespaceRules,
  writes: DefinitionWrites,
): Promise<{ changes: ApplyChange[]; cascaded: number[] }> {
  const { store, namespaceId } = input;
  const rules = await all((p) => store.listAlertRules({ namespaceId }, p));
  const catalog: RuleCatalog = {
    namespaceId,
    namespace: input.namespace,
    tasks: input.tasks,
    apps: input.apps,
    ...input.people,
    taskNames: input.taskNames,
    appNames: input.appNames,
  };
  const changes: ApplyChange[] = [];
  const cascaded: number[] = [];
  const deletedTasks = new Set(writes.deleteTasks);
  const deletedApps = new Set(writes.deleteApps);
  for (const { def, field } of input.rules.values()) {
    const decided = await planRule(
      catalog,
      def,
      field,
      rules.find((r) => r.name === def.name),
      input.checkTemplates,
    );
    changes.push(decided.change);
    if (decided.write?.kind === 'create') writes.createRules.push(decided.write.entry);
    if (decided.write?.kind === 'update') writes.updateRules.push(decided.write.entry);
  }
  for (const rule of rules) {
    if (input.rules.has(rule.name)) continue;
    const cascades =
      (rule.scope.kind === 'task' && deletedTasks.has(rule.scope.taskId)) ||
      (rule.scope.kind === 'app' && deletedApps.has(rule.scope.appId));
    if (!input.prune && !cascades) refuseDeletedGroup(input, rule, new Set(writes.deleteGroups));
    if (!input.prune && !cascades) continue;
    if (cascades) cascaded.push(rule.id);
    else writes.deleteRules.push(rule.id);
    changes.push({
      namespace: input.namespace,
      kind: 'alertRule',
      name: rule.name,
      action: 'delete',
      fields: [],
    });
  }
  return { changes, cascaded };
}

/** A prune may not delete a contact group that a rule kept on the server still names. */
function refuseDeletedGroup(input: NamespaceRules, rule: AlertRuleRecord, deleted: Set<number>) {
  const groupId = rule.notify.groups.find((id) => deleted.has(id));
  if (groupId === undefined) return;
  const field = input.groupsField ?? 'contactGroups';
  throw refused(
    field,
    `the prune would delete contact group "${input.people.groupNames.get(groupId)}", which alert rule "${rule.name}" (not in the files, so kept) still names: add the group or the rule to the files`,
  );
}
