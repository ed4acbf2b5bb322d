/**
 * Definitions as code (`POST /api/v1/apply`, `kairos apply -f`): documents in the shape `kairos
 * export` writes are compared with what each namespace holds, every definition checked as its
 * own route checks it (AppService, CalendarService, TaskService, AlertService, WorkflowService),
 * and the plan stored in ONE transaction (Store.applyDefinitions): all of it, or nothing when
 * any part is refused. Applying the same documents again finds everything unchanged.
 */
import type {
  AlertRuleDefinition,
  AppDefinition,
  ApplyChange,
  ApplyPlan,
  ApplyRequest,
  CalendarDefinition,
  ContactGroupDefinition,
  TaskDefinition,
  WorkflowDefinition,
} from '@kairos/protocol';
import type { Role } from '../access/principal.js';
import type { Clock } from '../clock.js';
import { KairosError } from '../errors.js';
import { noDefinitionWrites, type DefinitionRef, type DefinitionWrites } from '../store/definition-writes.js';
import type { NamespaceRecord, TaskRecord } from '../store/records.js';
import type { Store } from '../store/store.js';
import type { AlertService } from '../alerts/alert-service.js';
import { all, planNamespaceRules } from './apply-rule-plan.js';
import { announceApplied } from './apply-announce.js';
import { planNamespaceGroups } from './apply-group-plan.js';
import type { AppService } from './app-service.js';
import { planTask, type NamespaceCatalog } from './apply-task-plan.js';
import { refuseChildLoops } from './apply-child-loops.js';
import { checkOutputGate } from '../gates/gate-validation.js';
import { checkZone, normalizeDates, type CalendarService } from './calendar-service.js';
import { fieldChanges, within } from './definition-diff.js';
import type { Namespaces } from './namespaces.js';
import type { TaskService } from './task-service.js';
import type { WorkflowService } from '../workflows/workflow-service.js';
import { planNamespaceWorkflows } from './apply-workflow-plan.js';

export interface ApplyServiceDeps {
  store: Store;
  clock: Clock;
  namespaces: Namespaces;
  apps: AppService;
  calendars: CalendarService;
  tasks: TaskService;
  /** Checks workflows as their routes do, and stops a pruned one's runs. */
  workflows: Pick<WorkflowService, 'prepare' | 'stopRuns'>;
  /** Why a manual executor address is refused in a namespace (as `PUT …/executor-addresses`); absent: not checked. */
  addressProblem?: (namespaceId: number, address: string) => Promise<KairosError | undefined>;
  /** An app's manual addresses changed (the executor registry forgets its cached routes). */
  addressesChanged?: (appId: number) => void;
  /** Alerting (absent: the server has none, and documents with alert rules are refused). */
  alerts?: Pick<AlertService, 'checkTemplates' | 'ruleChangedElsewhere'> | undefined;
}

type Kind = 'apps' | 'calendars' | 'tasks' | 'contactGroups' | 'alertRules' | 'workflows';

interface Named<T> {
  def: T;
  field: string;
}

/** One namespace's definitions from every document naming it. */
interface NamespaceFiles {
  ns: NamespaceRecord;
  apps: Map<string, Named<AppDefinition>>;
  calendars: Map<string, Named<CalendarDefinition>>;
  tasks: Map<string, Named<TaskDefinition>>;
  contactGroups: Map<string, Named<ContactGroupDefinition>>;
  alertRules: Map<string, Named<AlertRuleDefinition>>;
  workflows: Map<string, Named<WorkflowDefinition>>;
  /** The kinds the documents give (a prune removes only those), with where the first is given. */
  kinds: Map<Kind, string>;
}

/** A checked plan, ready to be stored. */
export interface PreparedApply {
  plan: ApplyPlan;
  /** The role each namespace's part of the plan needs (admin where apps change, as their routes). */
  roles: Map<string, Role>;
  writes: DefinitionWrites;
  rescheduled: Set<number>;
  /** The names of the apps a prune deletes, to announce them. */
  deletedApps: Map<number, string>;
  /** Rules deleted with their task or app (ON DELETE CASCADE), to announce them. */
  cascadedRules: number[];
  /** The driver tasks of the workflows changed (those rescheduled are in `rescheduled`) and deleted. */
  workflowDrivers: { changed: number[]; deleted: number[] };
}

const ADMIN_KINDS = new Set(['app']);

export class ApplyService {
  constructor(private readonly deps: ApplyServiceDeps) {}

  async prepare(request: ApplyRequest): Promise<PreparedApply> {
    const now = this.deps.clock.now();
    const writes = noDefinitionWrites();
    const changes: ApplyChange[] = [];
    const warnings: ApplyPlan['warnings'] = [];
    const roles = new Map<string, Role>();
    const rescheduled = new Set<number>();
    const deletedApps = new Map<number, string>();
    const cascadedRules: number[] = [];
    const workflowDrivers: PreparedApply['workflowDrivers'] = { changed: [], deleted: [] };
    for (const files of await this.gather(request)) {
      const planned = await this.planNamespace(files, request.prune, writes, now);
      changes.push(...planned.changes);
      warnings.push(...planned.warnings);
      for (const id of planned.rescheduled) rescheduled.add(id);
      cascadedRules.push(...planned.cascadedRules);
      workflowDrivers.changed.push(...planned.workflows.changedDrivers);
      for (const id of planned.workflows.rescheduledDrivers) rescheduled.add(id);
      for (const { driverTaskId } of planned.workflows.deleted)
        if (driverTaskId !== null) workflowDrivers.deleted.push(driverTaskId);
      for (const id of writes.deleteApps) {
        const name = planned.appNames.get(id);
        if (name !== undefined) deletedApps.set(id, name);
      }
      const changing = planned.changes.filter((c) => c.action !== 'unchanged');
      roles.set(files.ns.name, changing.some((c) => ADMIN_KINDS.has(c.kind)) ? 'admin' : 'editor');
    }
    return {
      plan: { dryRun: request.dryRun, applied: false, changes, warnings },
      roles,
      writes,
      rescheduled,
      deletedApps,
      cascadedRules,
      workflowDrivers,
    };
  }

  /** Stores a prepared plan in one transaction, then tells the engine and the other nodes. */
  async commit(prepared: PreparedApply): Promise<ApplyPlan> {
    const { writes } = prepared;
    if (prepared.plan.changes.every((c) => c.action === 'unchanged')) return prepared.plan;
    // Running runs of pruned tasks and workflows are cancelled first: their rows go with them.
    for (const id of writes.deleteWorkflows) await this.deps.workflows.stopRuns(id);
    for (const id of writes.deleteTasks) await this.deps.tasks.stopRuns(id);
    const ids = await this.deps.store.applyDefinitions(writes);
    await announceApplied(this.deps, prepared, ids);
    return { ...prepared.plan, applied: true };
  }

  // -------------------------------------------------------------------------------------

  private async gather(request: ApplyRequest): Promise<NamespaceFiles[]> {
    const byName = new Map<string, NamespaceFiles>();
    for (const [d, doc] of request.documents.entries()) {
      const at = `documents.${d}`;
      let files = byName.get(doc.namespace);
      if (!files) {
        const ns = await this.deps.namespaces.resolve(doc.namespace, `${at}.namespace`);
        files = {
          ns,
          apps: new Map(),
          calendars: new Map(),
          tasks: new Map(),
          contactGroups: new Map(),
          alertRules: new Map(),
          workflows: new Map(),
          kinds: new Map(),
        };
        byName.set(doc.namespace, files);
      }
      const add = <T>(kind: Kind, list: T[] | undefined, key: (t: T) => string, keyField: string) => {
        if (list === undefined) return;
        if (!files.kinds.has(kind)) files.kinds.set(kind, `${at}.${kind}`);
        const into = files[kind] as unknown as Map<string, Named<T>>;
        list.forEach((def, i) => {
          const field = `${at}.${kind}.${i}`;
          const twice = into.get(key(def));
          if (twice) {
            throw new KairosError(
              'VALIDATION_ERROR',
              `${field}.${keyField}: "${key(def)}" is defined twice in namespace ${doc.namespace} (also at ${twice.field})`,
              { field: `${field}.${keyField}` },
            );
          }
          into.set(key(def), { def, field });
        });
      };
      add('apps', doc.apps, (a) => a.appName, 'appName');
      add('calendars', doc.calendars, (c) => c.name, 'name');
      add('tasks', doc.tasks, (t) => t.name, 'name');
      add('contactGroups', doc.contactGroups, (g) => g.name, 'name');
      add('alertRules', doc.alertRules, (r) => r.name, 'name');
      add('workflows', doc.workflows, (w) => w.name, 'name');
      for (const kind of ['contactGroups', 'alertRules'] as const) {
        if (doc[kind]?.length && !this.deps.alerts) {
          throw new KairosError('VALIDATION_ERROR', `${at}.${kind}: this server has no alerting`, {
            field: `${at}.${kind}`,
          });
        }
      }
    }
    return [...byName.values()];
  }

  private async planNamespace(files: NamespaceFiles, prune: boolean, writes: DefinitionWrites, now: number) {
    const { ns } = files;
    const namespaceId = ns.id;
    const [apps, calendars, tasks, pools] = await Promise.all([
      all((p) => this.deps.store.listApps({ namespaceId }, p)),
      all((p) => this.deps.store.listCalendars({ namespaceId }, p)),
      all((p) => this.deps.store.listTasks({ namespaceId }, p)),
      this.deps.store.listPools(namespaceId),
    ]);
    const changes: ApplyChange[] = [];
    const deletes: ApplyChange[] = [];
    const warnings: ApplyPlan['warnings'] = [];
    const base = (kind: ApplyChange['kind'], name: string) => ({ namespace: ns.name, kind, name });
    const catalog: NamespaceCatalog = {
      namespaceId,
      namespace: ns.name,
      apps: new Map(),
      calendars: new Map(),
      tasks: new Map(),
      pools: new Map(pools.map((p) => [p.name, p.id])),
      appNames: new Map(apps.map((a) => [a.id, a.appName])),
      calendarNames: new Map(calendars.map((c) => [c.id, c.name])),
      taskNames: new Map(tasks.map((t) => [t.id, t.name])),
      poolNames: new Map(pools.map((p) => [p.id, p.name])),
      checkGate: (gate, selfId) =>
        checkOutputGate(gate, namespaceId, (id) => this.deps.store.getTask(id), selfId),
    };

    // Apps: name, description, concurrency and manual executor addresses.
    for (const app of apps) {
      const wanted = files.apps.get(app.appName);
      if (wanted || !prune || !files.kinds.has('apps')) catalog.apps.set(app.appName, { id: app.id });
      else {
        writes.deleteApps.push(app.id);
        deletes.push({ ...base('app', app.appName), action: 'delete', fields: [] });
      }
    }
    for (const { def, field } of files.apps.values()) {
      const current = apps.find((a) => a.appName === def.appName);
      const addresses =
        def.executorAddresses == null ? null : [...new Set(def.executorAddresses.map((a) => a.trim()))];
      const view = {
        name: def.name,
        description: def.description ?? null,
        maxConcurrency: def.maxConcurrency ?? null,
        executorAddresses: addresses,
      };
      const before = current && {
        name: current.name,
        description: current.description,
        maxConcurrency: current.maxConcurrency,
        executorAddresses: await this.deps.store.getAppExecutorAddresses(current.id),
      };
      const fields = before ? fieldChanges(before, view) : [];
      if (current && fields.length === 0) {
        changes.push({ ...base('app', def.appName), action: 'unchanged', fields: [] });
        continue;
      }
      if (!current || fields.some((f) => f.field === 'executorAddresses'))
        await this.checkAddresses(namespaceId, addresses, `${field}.executorAddresses`);
      let ref: DefinitionRef;
      if (current) {
        ref = { id: current.id };
        writes.updateApps.push({
          id: current.id,
          patch: { name: view.name, description: view.description, maxConcurrency: view.maxConcurrency },
        });
      } else {
        // The token is never shown by apply: `kairos apps rotate-token` gives the executors one.
        ref = { created: writes.createApps.length };
        writes.createApps.push(this.deps.apps.draft(namespaceId, { appName: def.appName, ...view }).app);
        catalog.apps.set(def.appName, ref);
      }
      if (!current || fields.some((f) => f.field === 'executorAddresses')) {
        if (current || addresses !== null) writes.setAddresses.push({ app: ref, addresses });
      }
      changes.push({ ...base('app', def.appName), action: current ? 'update' : 'create', fields });
    }

    // Calendars: time zone and dates.
    for (const calendar of calendars) {
      const wanted = files.calendars.get(calendar.name);
      if (wanted) continue;
      if (!prune || !files.kinds.has('calendars')) {
        catalog.calendars.set(calendar.name, {
          ref: { id: calendar.id },
          timezone: calendar.timezone,
          dates: calendar.dates,
        });
      } else {
        writes.deleteCalendars.push(calendar.id);
        deletes.push({ ...base('calendar', calendar.name), action: 'delete', fields: [] });
      }
    }
    for (const { def, field } of files.calendars.values()) {
      await within(field, () => checkZone(def.timezone));
      const current = calendars.find((c) => c.name === def.name);
      const view = { timezone: def.timezone, dates: normalizeDates(def.dates) };
      const fields = current ? fieldChanges({ timezone: current.timezone, dates: current.dates }, view) : [];
      let ref: DefinitionRef;
      if (current) {
        ref = { id: current.id };
        if (fields.length > 0) writes.updateCalendars.push({ id: current.id, patch: view });
      } else {
        ref = { created: writes.createCalendars.length };
        writes.createCalendars.push({ namespaceId, name: def.name, ...view });
      }
      catalog.calendars.set(def.name, { ref, ...view });
      changes.push({
        ...base('calendar', def.name),
        action: !current ? 'create' : fields.length ? 'update' : 'unchanged',
        fields,
      });
    }

    // Tasks, against the apps and calendars above.
    const rescheduled: number[] = [];
    const kept = new Map<number, TaskRecord>();
    const taskRefs = catalog.tasks;
    for (const task of tasks) {
      if (files.tasks.has(task.name)) taskRefs.set(task.name, { id: task.id });
      else if (!prune || !files.kinds.has('tasks')) {
        kept.set(task.id, task);
        taskRefs.set(task.name, { id: task.id });
      } else {
        writes.deleteTasks.push(task.id);
        deletes.push({ ...base('task', task.name), action: 'delete', fields: [] });
      }
    }
    // The new tasks of the files, in the order they are created below (a child may name one).
    let created = writes.createTasks.length;
    for (const name of files.tasks.keys())
      if (!taskRefs.has(name)) taskRefs.set(name, { created: created++ });
    refuseChildLoops(files.tasks, kept.values(), catalog.taskNames);
    for (const { def, field } of files.tasks.values()) {
      const current = tasks.find((t) => t.name === def.name);
      const decided = await planTask(this.deps.tasks, catalog, def, field, current, now);
      changes.push(decided.change);
      warnings.push(...decided.warnings);
      if (decided.write?.kind === 'create') writes.createTasks.push(decided.write.entry);
      if (decided.write?.kind === 'update') {
        writes.updateTasks.push(decided.write.entry);
        if (decided.write.rescheduled) rescheduled.push(decided.write.entry.id);
      }
    }
    this.refuseOrphans(files, kept, catalog, writes);

    // Workflows, against the apps, calendars and tasks above.
    const workflows = await planNamespaceWorkflows(
      {
        store: this.deps.store,
        tasks: this.deps.tasks,
        workflows: this.deps.workflows,
        catalog,
        files: files.workflows,
        prune: prune && files.kinds.has('workflows'),
        kinds: files.kinds,
        now,
      },
      writes,
    );

    // Contact groups, then alert rules against the tasks, apps and groups above.
    const groups = await planNamespaceGroups(
      {
        store: this.deps.store,
        namespaceId,
        namespace: ns.name,
        groups: files.contactGroups,
        prune: prune && files.kinds.has('contactGroups'),
      },
      writes,
    );
    const rules = await planNamespaceRules(
      {
        store: this.deps.store,
        namespaceId,
        namespace: ns.name,
        rules: files.alertRules,
        prune: prune && files.kinds.has('alertRules'),
        tasks: taskRefs,
        apps: catalog.apps,
        people: groups.catalog,
        groupsField: files.kinds.get('contactGroups'),
        taskNames: new Map(tasks.map((t) => [t.id, t.name])),
        appNames: catalog.appNames,
        checkTemplates: this.deps.alerts && ((t) => this.deps.alerts!.checkTemplates(t)),
      },
      writes,
    );
    return {
      changes: [
        ...changes,
        ...workflows.changes,
        ...groups.changes,
        ...rules.changes.filter((c) => c.action !== 'delete'),
        ...workflows.deletes,
        ...deletes,
        ...rules.changes.filter((c) => c.action === 'delete'),
        ...groups.deletes,
      ],
      warnings,
      rescheduled,
      appNames: catalog.appNames,
      cascadedRules: rules.cascaded,
      workflows,
    };
  }

  /** A prune may not delete an app or calendar that a task kept on the server still uses. */
  private refuseOrphans(
    files: NamespaceFiles,
    kept: Map<number, TaskRecord>,
    catalog: NamespaceCatalog,
    writes: DefinitionWrites,
  ) {
    const deletedApps = new Set(writes.deleteApps);
    const deletedCalendars = new Set(writes.deleteCalendars);
    for (const task of kept.values()) {
      if (deletedApps.has(task.appId)) {
        const name = catalog.appNames.get(task.appId);
        const field = files.kinds.get('apps')!;
        throw new KairosError(
          'VALIDATION_ERROR',
          `${field}: the prune would delete app "${name}", which task "${task.name}" (not in the files, so kept) still uses: add the app or the task to the files`,
          { field },
        );
      }
      const calendarId = task.schedule.calendar?.id;
      if (calendarId !== undefined && deletedCalendars.has(calendarId)) {
        const field = files.kinds.get('calendars')!;
        throw new KairosError(
          'VALIDATION_ERROR',
          `${field}: the prune would delete calendar "${catalog.calendarNames.get(calendarId)}", which task "${task.name}" (not in the files, so kept) still uses`,
          { field },
        );
      }
    }
  }

  private async checkAddresses(namespaceId: number, addresses: string[] | null, field: string) {
    if (!addresses || !this.deps.addressProblem) return;
    for (const [i, address] of addresses.entries()) {
      const problem = await this.deps.addressProblem(namespaceId, address);
      if (problem)
        throw new KairosError(problem.code, `${field}.${i}: ${problem.message}`, { field: `${field}.${i}` });
    }
  }
}
