/**
 * Apply's decision for a namespace's workflows: each workflow of the files created, given a new
 * version (as PATCH does) or left alone when its definition is the stored one, and, in a prune,
 * the stored workflows the files leave out deleted. Each is checked as its route checks it
 * (workflows/prepare-workflow.ts and the definition check it runs), against the namespace as it
 * will be once the apply is stored: its app, calendar and node tasks by name, some perhaps created
 * by the same transaction. What the files leave out of a workflow is the default, as on creation.
 */
import type {
  ApplyChange,
  FieldChange,
  Schedule,
  WorkflowCreate,
  WorkflowDefinition,
} from '@kairos/protocol';
import { KairosError } from '../errors.js';
import type { DefinitionRef, DefinitionWrites, WorkflowRefs } from '../store/definition-writes.js';
import type { AppRecord, TaskRecord } from '../store/records.js';
import type { Store } from '../store/store.js';
import type { WorkflowRecord } from '../store/workflow-records.js';
import type { DefinitionProblem } from '../workflows/check-definition.js';
import { driverPatchOf, type DefinitionScope } from '../workflows/prepare-workflow.js';
import type { WorkflowService } from '../workflows/workflow-service.js';
import { all } from './apply-rule-plan.js';
import { calendarOf, type NamespaceCatalog } from './apply-task-plan.js';
import {
  sameInlineTask,
  storedWorkflowView,
  wantedWorkflowView,
  workflowChanges,
  type CatalogNames,
} from './apply-workflow-view.js';
import { keepReferencedSecrets } from './definition-diff.js';
import type { TaskService } from './task-service.js';

export interface NamespaceWorkflows {
  store: Store;
  tasks: TaskService;
  workflows: Pick<WorkflowService, 'prepare'>;
  catalog: NamespaceCatalog;
  files: Map<string, { def: WorkflowDefinition; field: string }>;
  /** Delete the stored workflows the files leave out (a prune, and the files list `workflows`). */
  prune: boolean;
  /** Where the files give each kind (for a refused prune). */
  kinds: Map<string, string>;
  now: number;
}

export interface WorkflowPlan {
  changes: ApplyChange[];
  deletes: ApplyChange[];
  /** The driver tasks of the workflows changed, and those of them rescheduled, to announce them. */
  changedDrivers: number[];
  rescheduledDrivers: number[];
  /** The driver tasks and ids of the workflows deleted. */
  deleted: { id: number; driverTaskId: number | null }[];
}

export async function planNamespaceWorkflows(
  input: NamespaceWorkflows,
  writes: DefinitionWrites,
): Promise<WorkflowPlan> {
  const { catalog } = input;
  const stored = await all((p) => input.store.listWorkflows({ namespaceId: catalog.namespaceId }, p));
  const base = (name: string) => ({ namespace: catalog.namespace, kind: 'workflow' as const, name });
  const plan: WorkflowPlan = {
    changes: [],
    deletes: [],
    changedDrivers: [],
    rescheduledDrivers: [],
    deleted: [],
  };
  const kept: WorkflowRecord[] = [];
  for (const workflow of stored) {
    if (input.files.has(workflow.name)) continue;
    if (!input.prune) kept.push(workflow);
    else {
      writes.deleteWorkflows.push(workflow.id);
      plan.deleted.push({ id: workflow.id, driverTaskId: workflow.driverTaskId });
      plan.deletes.push({ ...base(workflow.name), action: 'delete', fields: [] });
    }
  }
  refuseWorkflowOrphans(kept, catalog, writes, input.kinds);

  for (const { def, field } of input.files.values()) {
    const current = stored.find((w) => w.name === def.name);
    const decided = await planWorkflow(input, writes, def, field, current);
    if (decided.fields === undefined) {
      plan.changes.push({ ...base(def.name), action: 'create', fields: [] });
      continue;
    }
    if (decided.fields.length === 0) {
      plan.changes.push({ ...base(def.name), action: 'unchanged', fields: [] });
      continue;
    }
    plan.changes.push({ ...base(def.name), action: 'update', fields: decided.fields });
    if (current?.driverTaskId != null) {
      plan.changedDrivers.push(current.driverTaskId);
      if (decided.rescheduled) plan.rescheduledDrivers.push(current.driverTaskId);
    }
  }
  return plan;
}

/**
 * One workflow of the files, checked and compared with the stored one; its write added unless
 * unchanged. `fields` undefined: created.
 */
async function planWorkflow(
  input: NamespaceWorkflows,
  writes: DefinitionWrites,
  def: WorkflowDefinition,
  field: string,
  current: WorkflowRecord | undefined,
): Promise<{ fields?: FieldChange[]; rescheduled?: boolean }> {
  const { catalog } = input;
  const app = catalog.apps.get(def.app);
  if (!app) {
    throw refused(
      `${field}.app`,
      `no app "${def.app}" in namespace ${catalog.namespace}, neither in the files nor kept on the server`,
    );
  }
  const calendar = calendarOf(catalog, def, field);
  const refs: WorkflowRefs = {
    ...('created' in app ? { app } : {}),
    ...(calendar && 'created' in calendar.ref ? { calendar: calendar.ref } : {}),
  };
  const { calendar: _choice, ...bare } = def.schedule;
  let schedule = bare as Schedule;
  const stored = current?.definition.schedule;
  if (schedule.type === 'fixed_rate' && !schedule.startAt && stored?.type === 'fixed_rate') {
    // No anchor in the file: keep the stored one rather than re-anchor the slots at every apply.
    schedule = { ...schedule, startAt: stored.startAt };
  }
  if (calendar) {
    const id = 'id' in calendar.ref ? calendar.ref.id : 0;
    schedule = { ...schedule, calendar: { id, mode: calendar.mode } };
  }

  // Each node's task: a task by name (its id, or a stand-in id while it is created), or inline.
  const created = new Map<number, TaskRecord>();
  const nodeTasks: Record<string, DefinitionRef> = {};
  const nodes: WorkflowCreate['nodes'] = [];
  const viewNodes: WorkflowDefinition['nodes'] = [];
  for (const [i, node] of def.nodes.entries()) {
    const { task, ...rest } = node;
    const at = `${field}.nodes.${i}.task`;
    if (typeof task === 'string') {
      viewNodes.push(node);
      const ref = catalog.tasks.get(task);
      if (!ref) {
        throw refused(
          at,
          `no task "${task}" in namespace ${catalog.namespace}, neither in the files nor kept on the server`,
        );
      }
      if ('created' in ref) {
        nodeTasks[node.key] = ref;
        const standIn = -(ref.created + 1);
        created.set(standIn, createdTask(writes, ref.created, standIn, input.now));
        nodes.push({ ...rest, taskId: standIn });
      } else nodes.push({ ...rest, taskId: ref.id });
      continue;
    }
    const storedNode = current?.definition.nodes.find((n) => n.key === node.key && n.task !== undefined);
    const config = keepReferencedSecrets(
      task.config,
      storedNode?.task?.['config'] as Record<string, unknown> | undefined,
      `${at}.config`,
      `${def.name}/${node.key}`,
    );
    viewNodes.push({ ...node, task: { ...task, config } });
    // Given in the stored form when it is the stored task: the new version keeps its hidden task.
    const same = storedNode && sameInlineTask(storedNode.task, { ...task, config }, catalog.appNames);
    nodes.push({ ...rest, task: same ? (storedNode.task as typeof task) : { ...task, config } });
    const inlineApp = catalog.apps.get(task.app ?? def.app);
    if (inlineApp && 'created' in inlineApp) (refs.inlineApps ??= {})[node.key] = inlineApp;
  }
  if (Object.keys(nodeTasks).length > 0) refs.nodeTasks = nodeTasks;

  const wanted: WorkflowCreate = {
    name: def.name,
    ...(def.description !== undefined ? { description: def.description } : {}),
    app: def.app,
    enabled: def.enabled,
    schedule,
    ...(def.concurrency !== undefined ? { concurrency: def.concurrency } : {}),
    ...(def.timeoutSeconds !== undefined ? { timeoutSeconds: def.timeoutSeconds } : {}),
    ...(def.input !== undefined ? { input: def.input } : {}),
    nodes,
    edges: def.edges,
  };
  const names: CatalogNames = {
    apps: catalog.appNames,
    tasks: catalog.taskNames,
    calendars: catalog.calendarNames,
  };
  const wantedView = wantedWorkflowView(def, schedule, calendar?.name, viewNodes);
  const fields = current ? workflowChanges(storedWorkflowView(current, names), wantedView) : undefined;

  const { save, problems } = await input.workflows.prepare(
    catalog.namespaceId,
    wanted,
    current,
    scopeOf(input, writes, created, calendar),
  );
  refuseProblems(field, problems);
  if (fields?.length === 0) return { fields };
  if (!current) {
    writes.createWorkflows.push({ save, refs });
    return {};
  }
  const rescheduled = fields!.some((f) => f.field === 'enabled' || f.field.startsWith('schedule'));
  writes.updateWorkflows.push({ id: current.id, save, driverPatch: driverPatchOf(save, rescheduled), refs });
  return { fields: fields!, rescheduled };
}

/** The namespace as it will be once the apply is stored, as the definition check asks for it. */
function scopeOf(
  input: NamespaceWorkflows,
  writes: DefinitionWrites,
  created: Map<number, TaskRecord>,
  calendar: ReturnType<typeof calendarOf>,
): DefinitionScope {
  const { catalog, store, tasks } = input;
  return {
    resolveApp: async (ref): Promise<AppRecord> => {
      const found = typeof ref === 'number' ? { id: ref } : catalog.apps.get(ref);
      const app = found && 'id' in found ? await store.getApp(found.id) : undefined;
      if (app && app.namespaceId === catalog.namespaceId) return app;
      if (found && 'created' in found) {
        // Its id is known once inserted: the write puts it in (WorkflowRefs).
        return { ...writes.createApps[found.created]!, id: 0, createdAt: input.now, updatedAt: input.now };
      }
      throw refused(
        'app',
        `no app ${JSON.stringify(ref)} in namespace ${catalog.namespace}, neither in the files nor kept on the server`,
      );
    },
    getTask: async (id) => created.get(id) ?? store.getTask(id),
    // The calendar is the one the files name (resolved above): check the rest, anchor.
    checkSchedule: async (schedule, now) => tasks.normalizeSchedule(schedule, now),
    firstFire: async (schedule, now) =>
      tasks.firstFireWith(
        schedule,
        now,
        calendar && { timezone: calendar.timezone, dates: new Set(calendar.dates), mode: calendar.mode },
      ),
  };
}

/**
 * A prune may not delete an app, a calendar or a task that a workflow kept on the server (not in
 * the files) still uses: a 400 naming that kind, as for a kept task.
 */
function refuseWorkflowOrphans(
  kept: readonly WorkflowRecord[],
  catalog: NamespaceCatalog,
  writes: DefinitionWrites,
  kinds: Map<string, string>,
): void {
  const apps = new Set(writes.deleteApps);
  const calendars = new Set(writes.deleteCalendars);
  const tasks = new Set(writes.deleteTasks);
  const refuse = (kind: string, what: string, workflow: WorkflowRecord, where: string) => {
    const field = kinds.get(kind)!;
    return refused(
      field,
      `the prune would delete ${what}, which workflow "${workflow.name}" (not in the files, so kept) still uses${where}: add it or the workflow to the files`,
    );
  };
  for (const workflow of kept) {
    const { schedule, nodes } = workflow.definition;
    if (apps.has(workflow.appId))
      throw refuse('apps', `app "${catalog.appNames.get(workflow.appId)}"`, workflow, '');
    const calendarId = schedule.calendar?.id;
    if (calendarId !== undefined && calendars.has(calendarId))
      throw refuse('calendars', `calendar "${catalog.calendarNames.get(calendarId)}"`, workflow, '');
    for (const node of nodes) {
      const app = node.task?.['app'];
      const appId =
        typeof app === 'string' ? appIdOf(catalog, app) : typeof app === 'number' ? app : undefined;
      if (appId !== undefined && apps.has(appId))
        throw refuse('apps', `app "${catalog.appNames.get(appId)}"`, workflow, ` in node ${node.key}`);
      if (!node.task && tasks.has(node.taskId))
        throw refuse(
          'tasks',
          `task "${catalog.taskNames.get(node.taskId)}"`,
          workflow,
          ` in node ${node.key}`,
        );
    }
  }
}

const appIdOf = (catalog: NamespaceCatalog, name: string) =>
  [...catalog.appNames].find(([, appName]) => appName === name)?.[0];

/** A task the same apply creates, as the definition check sees it before its insert. */
function createdTask(writes: DefinitionWrites, index: number, id: number, now: number): TaskRecord {
  return { ...writes.createTasks[index]!.task, id, createdAt: now, updatedAt: now };
}

/** The definition check's problems as the route answers them, their places under the workflow's. */
function refuseProblems(field: string, problems: DefinitionProblem[]): void {
  const placed = problems.map((p) => ({ field: `${field}.${dotted(p.field)}`, message: p.message }));
  const [first] = placed;
  if (!first) return;
  throw new KairosError('VALIDATION_ERROR', `${first.field}: ${first.message}`, {
    field: first.field,
    details: { errors: placed },
  });
}

/** `nodes[2].input` as a dotted path, `nodes.2.input`, as every field of an apply is named. */
const dotted = (field: string) => field.replace(/\[(\d+)\]/g, '.$1');

const refused = (field: string, message: string) =>
  new KairosError('VALIDATION_ERROR', `${field}: ${message}`, { field });
