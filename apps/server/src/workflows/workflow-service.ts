/**
 * Workflows: saving definitions (each change a new version, with the hidden tasks it needs: a
 * driver whose fires start runs, one per inline node; checked by prepare-workflow.ts), and the workflow
 * runs' lifecycle (start, resume, cancel, timeout). The advancing itself is the advancer's.
 */
import type { WorkflowCreate, WorkflowUpdate } from '@kairos/protocol';
import type { Clock } from '../clock.js';
import { KairosError } from '../errors.js';
import type { EventBus } from '../events.js';
import type { RunEngine } from '../runs/run-engine.js';
import type { Namespaces } from '../services/namespaces.js';
import type { TaskService } from '../services/task-service.js';
import { StoreConflictError, type Store } from '../store/store.js';
import type { WorkflowDefinition, WorkflowRecord, WorkflowRunRecord } from '../store/workflow-records.js';
import type { WorkflowRunStart, WorkflowSave } from '../store/workflow-store.js';
import type { WorkflowAdvancer } from './workflow-advancer.js';
import type { Expressions } from './expressions.js';
import type { DefinitionProblem } from './check-definition.js';
import { driverPatchOf, prepareWorkflow, type DefinitionScope } from './prepare-workflow.js';

export interface WorkflowServiceDeps {
  store: Store;
  clock: Clock;
  events: EventBus;
  engine: RunEngine;
  tasks: TaskService;
  namespaces: Namespaces;
  expressions: Expressions;
  advancer: WorkflowAdvancer;
}

export class WorkflowService {
  constructor(private readonly deps: WorkflowServiceDeps) {}

  async get(id: number): Promise<WorkflowRecord> {
    const workflow = await this.deps.store.getWorkflow(id);
    if (!workflow) throw new KairosError('NOT_FOUND', `workflow ${id} does not exist`);
    return workflow;
  }

  /** Every problem create would refuse, nothing saved. */
  async validate(input: WorkflowCreate): Promise<DefinitionProblem[]> {
    const ns = await this.deps.namespaces.resolve(input.namespace);
    return (await this.prepare(ns.id, input, undefined)).problems;
  }

  async create(input: WorkflowCreate): Promise<WorkflowRecord> {
    const ns = await this.deps.namespaces.resolve(input.namespace);
    const { save, problems } = await this.prepare(ns.id, input, undefined);
    refuse(problems);
    const { workflow, driver } = await nameTaken(() => this.deps.store.createWorkflow(save));
    this.deps.events.emit('task:changed', { task: driver });
    return workflow;
  }

  /** A new version: the fields given replace the current ones. */
  async update(id: number, patch: WorkflowUpdate): Promise<WorkflowRecord> {
    const current = await this.get(id);
    const app = patch.app ?? current.appId;
    const d = current.definition;
    const merged: WorkflowCreate = {
      name: patch.name ?? current.name,
      description: (patch.description === undefined ? current.description : patch.description) ?? undefined,
      app,
      enabled: patch.enabled ?? current.enabled,
      schedule: patch.schedule ?? d.schedule,
      concurrency: patch.concurrency ?? d.concurrency,
      timeoutSeconds: patch.timeoutSeconds === undefined ? d.timeoutSeconds : patch.timeoutSeconds,
      input: (patch.input === undefined ? d.input : patch.input) ?? undefined,
      nodes:
        patch.nodes ??
        d.nodes.map(({ taskId, task, ...node }) => (task ? { ...node, task } : { ...node, taskId })),
      edges: patch.edges ?? d.edges,
    } as WorkflowCreate;
    const { save, problems } = await this.prepare(current.namespaceId, merged, current);
    refuse(problems);
    const rescheduled =
      patch.schedule !== undefined || (patch.enabled !== undefined && patch.enabled !== current.enabled);
    const driverPatch = driverPatchOf(save, rescheduled);
    if (rescheduled && current.driverTaskId !== null) {
      await this.deps.engine.cancelPlanned(current.driverTaskId, 'the workflow was rescheduled or disabled');
    }
    const updated = await nameTaken(() => this.deps.store.updateWorkflow(id, save, driverPatch));
    if (!updated) throw new KairosError('NOT_FOUND', `workflow ${id} does not exist`);
    if (updated.driver) this.deps.events.emit('task:changed', { task: updated.driver, rescheduled });
    return updated.workflow;
  }

  /** The definition to save and every problem found (prepare-workflow.ts), against `scope`. */
  prepare(
    namespaceId: number,
    input: WorkflowCreate,
    current: WorkflowRecord | undefined,
    scope?: DefinitionScope,
  ): Promise<{ save: WorkflowSave; problems: DefinitionProblem[] }> {
    return prepareWorkflow(this.deps, namespaceId, input, current, scope);
  }

  async delete(id: number): Promise<void> {
    const workflow = await this.get(id);
    await this.stopRuns(id);
    if (workflow.driverTaskId !== null) this.deps.engine.forgetTask(workflow.driverTaskId);
    await this.deps.store.deleteWorkflow(id);
    if (workflow.driverTaskId !== null)
      this.deps.events.emit('task:deleted', { taskId: workflow.driverTaskId });
  }

  /** Cancels a workflow's running runs, before its delete (here, or in apply's prune). */
  async stopRuns(id: number): Promise<void> {
    for (const run of (
      await this.deps.store.listWorkflowRuns({ workflowId: id, status: 'running' }, { limit: 500 })
    ).items) {
      await this.cancel(run.id).catch(() => undefined);
    }
  }

  /**
   * Starts a run of the current version now, as the workflow's concurrency allows (queued, or
   * refused with a conflict when overlap `skip` leaves it out).
   */
  async run(id: number, input: unknown): Promise<WorkflowRunRecord> {
    const workflow = await this.get(id);
    const started = await this.#start(workflow, workflow.version, workflow.definition, {
      triggerType: 'api',
      input,
      driverRunId: null,
      resumedFrom: null,
      reused: new Map(),
    });
    return runOrRefuse(started);
  }

  /**
   * A fire of the workflow's driver task: starts one run for it (a second call for the same fire,
   * after a crash, finds the first), as the workflow's concurrency allows: with overlap `skip`, a
   * fire while `max` runs are going starts none.
   */
  async fire(runId: number, taskId: number): Promise<{ workflowRunId: number | null; skipped?: string }> {
    const [fire, task] = await Promise.all([this.deps.store.getRun(runId), this.deps.store.getTask(taskId)]);
    const workflow =
      task?.workflowId == null ? undefined : await this.deps.store.getWorkflow(task.workflowId);
    if (!fire || !workflow || workflow.driverTaskId !== taskId) {
      throw new KairosError('NOT_FOUND', `task ${taskId} is not the fire of a workflow`);
    }
    const started = await this.#start(workflow, workflow.version, workflow.definition, {
      triggerType:
        fire.triggerType === 'misfire' ? 'misfire' : fire.triggerType === 'schedule' ? 'schedule' : 'api',
      input: fire.input,
      driverRunId: fire.id,
      resumedFrom: null,
      reused: new Map(),
    });
    if (started.outcome === 'skipped') {
      return { workflowRunId: null, skipped: skippedMessage(workflow, started.going) };
    }
    return { workflowRunId: started.run.id };
  }

  /** A new run of the same version and input, reusing the nodes that succeeded. */
  async resume(workflowRunId: number): Promise<WorkflowRunRecord> {
    const previous = await this.getRun(workflowRunId);
    if (previous.status === 'running' || previous.status === 'queued' || previous.status === 'succeeded') {
      throw new KairosError(
        'CONFLICT',
        `workflow run ${workflowRunId} is ${previous.status}: only a failed, cancelled or timed-out run can be resumed`,
      );
    }
    const workflow = await this.get(previous.workflowId);
    const version = await this.deps.store.getWorkflowVersion(workflow.id, previous.version);
    if (!version)
      throw new KairosError(
        'NOT_FOUND',
        `version ${previous.version} of workflow ${workflow.id} does not exist`,
      );
    const reused = new Map<string, unknown>();
    for (const node of await this.deps.store.listWorkflowRunNodes(workflowRunId)) {
      if (node.status === 'succeeded' || node.status === 'reused') reused.set(node.key, node.output);
    }
    const started = await this.#start(workflow, previous.version, version.definition, {
      triggerType: 'resume',
      input: previous.input,
      driverRunId: null,
      resumedFrom: previous.id,
      reused,
    });
    return runOrRefuse(started);
  }

  async getRun(id: number): Promise<WorkflowRunRecord> {
    const run = await this.deps.store.getWorkflowRun(id);
    if (!run) throw new KairosError('NOT_FOUND', `workflow run ${id} does not exist`);
    return run;
  }

  /** Ends the run `cancelled` (a queued one too) and cancels its scheduled and running node runs. */
  async cancel(id: number): Promise<WorkflowRunRecord> {
    const run = await this.getRun(id);
    if (run.status !== 'running' && run.status !== 'queued') {
      throw new KairosError(
        'RUN_ALREADY_FINISHED',
        `workflow run ${id} has already finished (${run.status})`,
      );
    }
    await this.#end(id, 'cancelled', { type: 'cancelled', message: 'the workflow run was cancelled' });
    return this.getRun(id);
  }

  /** The deadline passed: ends the run `timed_out` and cancels its node runs. */
  async timeOut(id: number): Promise<void> {
    const run = await this.deps.store.getWorkflowRun(id);
    if (!run || run.status !== 'running') return;
    const seconds =
      run.deadlineAt !== null && run.startedAt !== null ? (run.deadlineAt - run.startedAt) / 1000 : null;
    await this.#end(id, 'timed_out', {
      type: 'timeout',
      message: `the workflow run did not finish within its timeoutSeconds${seconds === null ? '' : ` (${seconds})`}`,
    });
  }

  // -------------------------------------------------------------------------------------

  async #end(
    id: number,
    status: 'cancelled' | 'timed_out',
    error: { type: string; message: string },
  ): Promise<void> {
    const { ended, started } = await this.deps.store.endWorkflowRun(id, status, error, this.deps.clock.now());
    if (!ended) return;
    await this.#ended([id]);
    for (const next of started) void this.deps.advancer.advance(next);
  }

  /** Runs ended by cancel, timeout or replace: their scheduled and running node runs cancelled. */
  async #ended(ids: readonly number[]): Promise<void> {
    for (const id of ids) {
      for (const run of await this.deps.store.listNodeRuns(id)) {
        if (run.status === 'scheduled' || run.status === 'running') {
          await this.deps.engine.cancel(run.id).catch(() => undefined);
        }
      }
      const ended = await this.deps.store.getWorkflowRun(id);
      if (ended) this.deps.events.emit('workflow_run:finished', { run: ended });
    }
  }

  async #start(
    workflow: WorkflowRecord,
    version: number,
    definition: WorkflowDefinition,
    how: {
      triggerType: WorkflowRunRecord['triggerType'];
      input: unknown;
      driverRunId: number | null;
      resumedFrom: number | null;
      reused: Map<string, unknown>;
    },
  ): Promise<WorkflowRunStart> {
    const now = this.deps.clock.now();
    const started = await this.deps.store.startWorkflowRun({
      workflowId: workflow.id,
      namespaceId: workflow.namespaceId,
      version,
      triggerType: how.triggerType,
      input: how.input ?? definition.input ?? {},
      resumedFrom: how.resumedFrom,
      driverRunId: how.driverRunId,
      deadlineAt: definition.timeoutSeconds ? now + definition.timeoutSeconds * 1000 : null,
      startedAt: now,
      nodes: definition.nodes.map((node) =>
        how.reused.has(node.key)
          ? { key: node.key, status: 'reused', output: how.reused.get(node.key) }
          : { key: node.key, status: 'pending', output: null },
      ),
    });
    if (started.outcome === 'skipped') return started;
    await this.#ended(started.replaced);
    if (started.run.status === 'running') {
      this.deps.advancer.watchDeadline(started.run);
      await this.deps.advancer.advance(started.run.id);
    }
    return { ...started, run: (await this.deps.store.getWorkflowRun(started.run.id)) ?? started.run };
  }
}

/** The run a start gave; a conflict when overlap `skip` left it out. */
function runOrRefuse(started: WorkflowRunStart): WorkflowRunRecord {
  if (started.outcome !== 'skipped') return started.run;
  throw new KairosError(
    'CONFLICT',
    `workflow run ${started.going} is still going: concurrency.overlap skip leaves a new run out while concurrency.max runs are going`,
  );
}

function skippedMessage(workflow: WorkflowRecord, going: number): string {
  const { max } = workflow.definition.concurrency;
  return `workflow run ${going} is still going (concurrency.max ${max}, overlap skip)`;
}

/** A 400 naming the first problem's place; all of them in `details.errors`. */
function refuse(problems: DefinitionProblem[]): void {
  const [first] = problems;
  if (!first) return;
  throw new KairosError('VALIDATION_ERROR', `${first.field}: ${first.message}`, {
    field: first.field,
    details: { errors: problems },
  });
}

async function nameTaken<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (error instanceof StoreConflictError) {
      throw new KairosError('NAME_TAKEN', error.message, { field: 'name' });
    }
    throw error;
  }
}
