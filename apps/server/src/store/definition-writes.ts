/**
 * The writes of one `apply` (services/apply-service.ts): apps, their manual executor addresses,
 * calendars, tasks, workflows, contact groups and alert rules created, changed and deleted, as
 * ONE multi-statement write (write-steps.ts) so that either all of it is stored or none of it: a
 * failing statement (a name taken meanwhile, a foreign key) rolls back the statements before it,
 * on both dialects.
 *
 * A new task may belong to an app, and its schedule use a calendar, created by the same write:
 * those are given as the index of the app or calendar in `createApps` / `createCalendars`, whose
 * ids are known only once inserted. So may a workflow, whose nodes may name tasks created by the
 * same write; its versions and hidden tasks are written by the workflow store's own steps
 * (workflow-queries.ts).
 */
import type { Kysely } from 'kysely';
import type { Database } from './db-schema.js';
import { alertRuleColumns, replaceMembers, ruleColumns } from './alert-queries.js';
import type {
  AlertRulePatch,
  AlertRuleScope,
  ContactGroupPatch,
  NewAlertRule,
  NewContactGroup,
} from './alert-records.js';
import {
  appColumns,
  appPatchColumns,
  calendarColumns,
  calendarPatchColumns,
  taskColumns,
  taskPatchColumns,
} from './row-mapping.js';
import type { AppPatch, CalendarPatch, NewApp, NewCalendar, NewTask, TaskPatch } from './store.js';
import { createWorkflowSteps, deleteWorkflowSteps, updateWorkflowSteps } from './workflow-queries.js';
import type { WorkflowSave } from './workflow-store.js';
import type { WriteSteps } from './write-steps.js';

/** An app or calendar that exists (`id`) or that this write creates (`created`: its index). */
export type DefinitionRef = { id: number } | { created: number };

/** Where a task's app, calendar and child tasks come from when created by the same write. */
export interface TaskRefs {
  /** Replaces `appId`. */
  app?: DefinitionRef;
  /** Replaces the schedule's `calendar.id`. */
  calendar?: DefinitionRef;
  /** Replaces `childTaskIds`, once every task of the write is inserted (a child may come later). */
  children?: DefinitionRef[];
}

/**
 * Where an alert rule's task or app comes from when created by the same write (replaces its
 * scope's id), and its groups when one of them is (replaces `notify.groups`).
 */
export interface RuleRefs {
  task?: DefinitionRef;
  app?: DefinitionRef;
  groups?: DefinitionRef[];
}

/**
 * Where a workflow's app, its schedule's calendar and its nodes' tasks come from when created by
 * the same write (their ids in the save are then 0).
 */
export interface WorkflowRefs {
  /** Replaces the workflow's and its driver task's `appId`. */
  app?: DefinitionRef;
  /** Replaces the schedule's `calendar.id` (the definition's and the driver task's). */
  calendar?: DefinitionRef;
  /** Per node key: the task a node names. */
  nodeTasks?: Record<string, DefinitionRef>;
  /** Per node key: the app of an inline node's new hidden task. */
  inlineApps?: Record<string, DefinitionRef>;
}

export interface DefinitionWrites {
  createApps: NewApp[];
  updateApps: { id: number; patch: AppPatch }[];
  /** null: the app routes to its registered executors again. */
  setAddresses: { app: DefinitionRef; addresses: string[] | null }[];
  createCalendars: NewCalendar[];
  updateCalendars: { id: number; patch: CalendarPatch }[];
  createTasks: { task: NewTask; refs: TaskRefs }[];
  updateTasks: { id: number; patch: TaskPatch; refs: TaskRefs }[];
  createWorkflows: { save: WorkflowSave; refs: WorkflowRefs }[];
  /** A new version of each, its driver task patched. */
  updateWorkflows: { id: number; save: WorkflowSave; driverPatch: TaskPatch; refs: WorkflowRefs }[];
  createGroups: NewContactGroup[];
  updateGroups: { id: number; patch: ContactGroupPatch }[];
  createRules: { rule: NewAlertRule; refs: RuleRefs }[];
  /** `scope`: the rule watches another task, app or the namespace. */
  updateRules: { id: number; patch: AlertRulePatch; scope?: AlertRuleScope; refs: RuleRefs }[];
  deleteRules: number[];
  deleteGroups: number[];
  /** With their versions, runs and hidden tasks. */
  deleteWorkflows: number[];
  deleteTasks: number[];
  deleteCalendars: number[];
  deleteApps: number[];
}

/** The ids of what the write created, in the order of `createApps`, `createCalendars`, … */
export interface DefinitionIds {
  apps: number[];
  calendars: number[];
  tasks: number[];
  workflows: number[];
  groups: number[];
  rules: number[];
}

export const noDefinitionWrites = (): DefinitionWrites => ({
  createApps: [],
  updateApps: [],
  setAddresses: [],
  createCalendars: [],
  updateCalendars: [],
  createTasks: [],
  updateTasks: [],
  createWorkflows: [],
  updateWorkflows: [],
  createGroups: [],
  updateGroups: [],
  createRules: [],
  updateRules: [],
  deleteRules: [],
  deleteGroups: [],
  deleteWorkflows: [],
  deleteTasks: [],
  deleteCalendars: [],
  deleteApps: [],
});

/**
 * The steps, in an order the foreign keys accept: apps and calendars first, then the tasks that
 * refer to them, the workflows using all three, then contact groups and the rules naming them,
 * then deletions (rules before the groups they named, workflows and tasks before the calendars
 * and apps they used).
 */
export function* definitionWriteSteps(
  db: Kysely<Database>,
  writes: DefinitionWrites,
  now: number,
): WriteSteps<DefinitionIds> {
  const ids: DefinitionIds = { apps: [], calendars: [], tasks: [], workflows: [], groups: [], rules: [] };
  const idOf = (ref: DefinitionRef, created: number[]): number => {
    if ('id' in ref) return ref.id;
    const id = created[ref.created];
    if (id === undefined) throw new Error(`no created definition at index ${ref.created}`);
    return id;
  };
  const withRefs = <T extends { appId?: number; schedule?: NewTask['schedule'] }>(
    task: T,
    refs: TaskRefs,
  ): T => {
    const out = { ...task };
    if (refs.app) out.appId = idOf(refs.app, ids.apps);
    if (refs.calendar && out.schedule?.calendar) {
      out.schedule = {
        ...out.schedule,
        calendar: { ...out.schedule.calendar, id: idOf(refs.calendar, ids.calendars) },
      };
    }
    return out;
  };

  for (const app of writes.createApps) {
    const [row] = yield db.insertInto('apps').values(appColumns(app, now)).returning('id').compile();
    ids.apps.push(Number(row!['id']));
  }
  for (const { id, patch } of writes.updateApps) {
    yield db.updateTable('apps').set(appPatchColumns(patch, now)).where('id', '=', id).compile();
  }
  for (const { app, addresses } of writes.setAddresses) {
    const appId = idOf(app, ids.apps);
    yield db.deleteFrom('app_executor_addresses').where('app_id', '=', appId).compile();
    if (addresses !== null) {
      yield db
        .insertInto('app_executor_addresses')
        .values({ app_id: appId, addresses: JSON.stringify(addresses), updated_at: now })
        .compile();
    }
  }
  for (const calendar of writes.createCalendars) {
    const [row] = yield db
      .insertInto('calendars')
      .values(calendarColumns(calendar, now))
      .returning('id')
      .compile();
    ids.calendars.push(Number(row!['id']));
  }
  for (const { id, patch } of writes.updateCalendars) {
    yield db.updateTable('calendars').set(calendarPatchColumns(patch, now)).where('id', '=', id).compile();
  }
  for (const { task, refs } of writes.createTasks) {
    const [row] = yield db
      .insertInto('tasks')
      .values(taskColumns(withRefs(task, refs), now))
      .returning('id')
      .compile();
    ids.tasks.push(Number(row!['id']));
  }
  for (const { id, patch, refs } of writes.updateTasks) {
    yield db
      .updateTable('tasks')
      .set(taskPatchColumns(withRefs(patch, refs), now))
      .where('id', '=', id)
      .compile();
  }
  const withChildren = [
    ...writes.createTasks.map(({ refs }, i) => ({ id: ids.tasks[i]!, refs })),
    ...writes.updateTasks,
  ];
  for (const { id, refs } of withChildren) {
    if (!refs.children) continue;
    const childTaskIds = refs.children.map((ref) => idOf(ref, ids.tasks));
    yield db.updateTable('tasks').set(taskPatchColumns({ childTaskIds }, now)).where('id', '=', id).compile();
  }
  const withWorkflowRefs = (save: WorkflowSave, refs: WorkflowRefs): WorkflowSave => {
    const appId = refs.app ? idOf(refs.app, ids.apps) : save.appId;
    const calendared = <S extends NewTask['schedule']>(schedule: S): S =>
      refs.calendar && schedule.calendar
        ? { ...schedule, calendar: { ...schedule.calendar, id: idOf(refs.calendar, ids.calendars) } }
        : schedule;
    const nodeTask = (key: string) => refs.nodeTasks?.[key];
    const inlineApp = (key: string) => refs.inlineApps?.[key];
    return {
      ...save,
      appId,
      definition: {
        ...save.definition,
        schedule: calendared(save.definition.schedule),
        nodes: save.definition.nodes.map((node) => {
          const ref = nodeTask(node.key);
          return ref ? { ...node, taskId: idOf(ref, ids.tasks) } : node;
        }),
      },
      inlineTasks: Object.fromEntries(
        Object.entries(save.inlineTasks).map(([key, task]) => {
          const ref = inlineApp(key);
          return [key, ref ? { ...task, appId: idOf(ref, ids.apps) } : task];
        }),
      ),
      driverTask: { ...save.driverTask, appId, schedule: calendared(save.driverTask.schedule) },
    };
  };
  for (const { save, refs } of writes.createWorkflows) {
    const { workflow } = yield* createWorkflowSteps(db, withWorkflowRefs(save, refs), now);
    ids.workflows.push(workflow.id);
  }
  for (const { id, save, driverPatch, refs } of writes.updateWorkflows) {
    const resolved = withWorkflowRefs(save, refs);
    const patch = { ...driverPatch, appId: resolved.appId, schedule: resolved.driverTask.schedule };
    yield* updateWorkflowSteps(db, id, resolved, patch, now);
  }
  for (const group of writes.createGroups) {
    const [row] = yield db
      .insertInto('contact_groups')
      .values({ namespace_id: group.namespaceId, name: group.name, created_at: now, updated_at: now })
      .returning('id')
      .compile();
    const groupId = Number(row!['id']);
    ids.groups.push(groupId);
    yield* replaceMembers(db, groupId, group.contactIds);
  }
  for (const { id, patch } of writes.updateGroups) {
    yield db
      .updateTable('contact_groups')
      .set({ ...(patch.name !== undefined ? { name: patch.name } : {}), updated_at: now })
      .where('id', '=', id)
      .compile();
    if (patch.contactIds) yield* replaceMembers(db, id, patch.contactIds);
  }
  const notified = <T extends { notify?: NewAlertRule['notify'] }>(rule: T, refs: RuleRefs): T =>
    refs.groups && rule.notify
      ? { ...rule, notify: { ...rule.notify, groups: refs.groups.map((g) => idOf(g, ids.groups)) } }
      : rule;
  const scoped = (scope: AlertRuleScope, refs: RuleRefs): AlertRuleScope =>
    scope.kind === 'task' && refs.task
      ? { kind: 'task', taskId: idOf(refs.task, ids.tasks) }
      : scope.kind === 'app' && refs.app
        ? { kind: 'app', appId: idOf(refs.app, ids.apps) }
        : scope;
  for (const { rule, refs } of writes.createRules) {
    const [row] = yield db
      .insertInto('alert_rules')
      .values(alertRuleColumns({ ...notified(rule, refs), scope: scoped(rule.scope, refs) }, now))
      .returning('id')
      .compile();
    ids.rules.push(Number(row!['id']));
  }
  for (const { id, patch, scope, refs } of writes.updateRules) {
    const where = scope && scoped(scope, refs);
    const columns = {
      ...ruleColumns(notified(patch, refs)),
      ...(where
        ? {
            scope_task_id: where.kind === 'task' ? where.taskId : null,
            scope_app_id: where.kind === 'app' ? where.appId : null,
          }
        : {}),
      updated_at: now,
    };
    yield db.updateTable('alert_rules').set(columns).where('id', '=', id).compile();
  }
  for (const id of writes.deleteRules) yield db.deleteFrom('alert_rules').where('id', '=', id).compile();
  // Members go with their group: ON DELETE CASCADE.
  for (const id of writes.deleteGroups) yield db.deleteFrom('contact_groups').where('id', '=', id).compile();
  for (const id of writes.deleteWorkflows) yield* deleteWorkflowSteps(db, id);
  // runs, run logs and events go with their task: ON DELETE CASCADE.
  for (const id of writes.deleteTasks) yield db.deleteFrom('tasks').where('id', '=', id).compile();
  for (const id of writes.deleteCalendars) yield db.deleteFrom('calendars').where('id', '=', id).compile();
  for (const id of writes.deleteApps) yield db.deleteFrom('apps').where('id', '=', id).compile();
  return ids;
}
