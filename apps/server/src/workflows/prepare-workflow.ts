/**
 * A workflow definition made ready to save: checked (the app, the schedule, the graph and each
 * node's task: check-definition.ts), every problem found, and the rows it needs (the hidden task
 * of each new inline node, the driver task whose fires start runs). The workflow routes save it
 * through the store's own transaction; apply (services/apply-workflow-plan.ts) in its own, against
 * the namespace as it will be once the apply is stored.
 */
import { Concurrency, Retry, type Schedule, type WorkflowCreate } from '@kairos/protocol';
import type { Clock } from '../clock.js';
import { KairosError } from '../errors.js';
import type { TaskService } from '../services/task-service.js';
import type { AppRecord, TaskRecord } from '../store/records.js';
import type { NewTask, Store, TaskPatch } from '../store/store.js';
import type { WorkflowDefinition, WorkflowNodeRecord, WorkflowRecord } from '../store/workflow-records.js';
import type { WorkflowSave } from '../store/workflow-store.js';
import { checkDefinition, type DefinitionProblem } from './check-definition.js';
import type { Expressions } from './expressions.js';

export interface PrepareDeps {
  store: Pick<Store, 'getTask'>;
  clock: Clock;
  tasks: TaskService;
  expressions: Expressions;
}

/**
 * The namespace a definition is checked against: by default what the store holds; for apply
 * (services/apply-workflow-plan.ts), what it will hold once the apply is stored, some of it
 * created by the same transaction (its ids then 0, filled in by the write).
 */
export interface DefinitionScope {
  /** The app of the workflow or of an inline node, by name or id; a 400 naming `app` when none. */
  resolveApp(ref: string | number): Promise<AppRecord>;
  /** A node's existing task (checked to be of the namespace and not a workflow's own). */
  getTask(id: number): Promise<TaskRecord | undefined>;
  /** The schedule checked (its calendar too), a fixed rate anchored. */
  checkSchedule(schedule: Schedule, now: number): Promise<Schedule>;
  /** The schedule's first fire from now, its calendar applied. */
  firstFire(schedule: Schedule, now: number): Promise<number | null>;
}

const HIDDEN_SCHEDULE = {
  type: 'api',
  timezone: 'UTC',
  misfire: { policy: 'skip', thresholdSeconds: 5, maxCatchUp: 100 },
  dstGap: 'shift',
} as const;

/**
 * The definition to save with its hidden tasks (an inline node whose task is as in `current`
 * keeps its hidden task), and every problem found: what create and update store, and what
 * apply stores in its own transaction, checked against the scope it gives.
 */
export async function prepareWorkflow(
  deps: PrepareDeps,
  namespaceId: number,
  input: WorkflowCreate,
  current: WorkflowRecord | undefined,
  scope: DefinitionScope = storedScope(deps, namespaceId),
): Promise<{ save: WorkflowSave; problems: DefinitionProblem[] }> {
  const now = deps.clock.now();
  const problems: DefinitionProblem[] = [];
  const app = await collect(problems, () => scope.resolveApp(input.app));
  const schedule = await collect(problems, () => scope.checkSchedule(input.schedule, now));
  // The definition check asks the task service for apps: it is given the scope's.
  const tasks: TaskService = Object.create(deps.tasks, {
    resolveApp: { value: (_namespaceId: number, ref: string | number) => scope.resolveApp(ref) },
  });
  // The hidden tasks of the inline nodes before: their sealed secrets are kept when sent back masked.
  const previousInline = new Map<string, TaskRecord>();
  for (const node of current?.definition.nodes ?? []) {
    if (node.task === undefined || node.taskId <= 0) continue;
    const hidden = await deps.store.getTask(node.taskId);
    if (hidden) previousInline.set(node.key, hidden);
  }
  const checked = await checkDefinition(
    { store: { getTask: (id) => scope.getTask(id) }, tasks, expressions: deps.expressions },
    namespaceId,
    input,
    previousInline,
  );
  problems.push(...checked.problems);
  const inlineTasks: Record<string, NewTask> = {};
  const nodes: WorkflowNodeRecord[] = [];
  for (const node of input.nodes) {
    const { taskId, task, ...rest } = node;
    const inline = checked.inline.get(node.key);
    if (task === undefined || inline === undefined) {
      nodes.push({ ...rest, taskId: taskId ?? 0 });
      continue;
    }
    // The definition keeps the config as given with its secrets masked as reads show them (the
    // hidden task keeps them sealed). Unchanged when both are as they were: the new version
    // keeps the hidden task.
    const shown = { ...task, config: tasks.shownConfig({ type: task.type, config: task.config }) };
    const before = previousInline.get(node.key);
    const same = current?.definition.nodes.find(
      (n) =>
        n.key === node.key &&
        before !== undefined &&
        n.taskId === before.id &&
        JSON.stringify(n.task) === JSON.stringify(shown) &&
        JSON.stringify(before.config) === JSON.stringify(inline.config),
    );
    nodes.push({ ...rest, taskId: same?.taskId ?? 0, task: shown });
    if (same) continue;
    inlineTasks[node.key] = {
      namespaceId,
      appId: inline.appId,
      name: `${input.name}/${node.key}`,
      description: `node ${node.key} of workflow ${input.name}`,
      type: task.type,
      config: inline.config,
      schedule: HIDDEN_SCHEDULE,
      timeoutSeconds: task.timeoutSeconds ?? null,
      retry: task.retry ?? Retry.parse({}),
      // A forEach node runs up to its concurrency at once; the workflow bounds it, not the task.
      concurrency: { max: 10_000, overlap: 'allow' },
      enabled: true,
      nextFireAt: null,
    };
  }
  const definition: WorkflowDefinition = {
    schedule: schedule ?? input.schedule,
    concurrency: input.concurrency ?? Concurrency.parse({}),
    timeoutSeconds: input.timeoutSeconds ?? null,
    input: input.input ?? null,
    nodes,
    edges: input.edges,
  };
  const enabled = input.enabled;
  const save: WorkflowSave = {
    namespaceId,
    appId: app?.id ?? 0,
    name: input.name,
    description: input.description ?? null,
    enabled,
    definition,
    inlineTasks,
    driverTask: {
      namespaceId,
      appId: app?.id ?? 0,
      name: `workflow:${input.name}`,
      description: `the scheduled fires of workflow ${input.name}`,
      type: 'workflow',
      config: {},
      schedule: definition.schedule,
      timeoutSeconds: null,
      retry: Retry.parse({}),
      concurrency: { max: 10_000, overlap: 'allow' },
      enabled,
      nextFireAt: enabled && problems.length === 0 ? await scope.firstFire(definition.schedule, now) : null,
    },
  };
  return { save, problems };
}

/** The namespace as the store holds it: what the workflow routes check against. */
export function storedScope(deps: PrepareDeps, namespaceId: number): DefinitionScope {
  const { store, tasks } = deps;
  return {
    resolveApp: (ref) => tasks.resolveApp(namespaceId, ref),
    getTask: (id) => store.getTask(id),
    checkSchedule: (schedule, now) => tasks.checkSchedule(schedule, namespaceId, now),
    firstFire: (schedule, now) => tasks.firstFire(schedule, now),
  };
}

/**
 * The change of a workflow's driver task that goes with a new version: a rescheduled (or
 * re-enabled, or disabled) workflow's next fire is recomputed.
 */
export function driverPatchOf(save: WorkflowSave, rescheduled: boolean): TaskPatch {
  return {
    name: save.driverTask.name,
    description: save.driverTask.description,
    appId: save.appId,
    schedule: save.driverTask.schedule,
    enabled: save.enabled,
    ...(rescheduled ? { nextFireAt: save.driverTask.nextFireAt } : {}),
  };
}

/** Runs a check; a KairosError naming a field becomes a problem (the rest are thrown). */
async function collect<T>(problems: DefinitionProblem[], check: () => Promise<T>): Promise<T | undefined> {
  try {
    return await check();
  } catch (error) {
    if (!(error instanceof KairosError) || error.status !== 400) throw error;
    problems.push({ field: error.field ?? 'body', message: error.message.replace(/^[^:]+: /, '') });
    return undefined;
  }
}
