/**
 * Contract: workflows in the store — a definition saved with its hidden tasks and version in one
 * transaction (and kept per version), a workflow run started once per fire, an advance applied
 * only on the state it was decided on (compare-and-set), node runs once per idempotency key, a
 * node run's final end recorded in its settlement's transaction (what follows decided once per
 * batch), and an end by cancel.
 */
import { describe, expect, it } from 'vitest';
import { decideSettlement } from '../../../src/runs/settlement.js';
import type { RunEnd, Store } from '../../../src/store/store.js';
import type { WorkflowDefinition } from '../../../src/store/workflow-records.js';
import type { WorkflowSave } from '../../../src/store/workflow-store.js';
import { Expressions } from '../../../src/workflows/expressions.js';
import { WorkflowDecisions } from '../../../src/workflows/workflow-decisions.js';
import { seed, taskInput, start, type ContractContext, type Seeded } from './context.js';

const API = {
  type: 'api',
  timezone: 'UTC',
  misfire: { policy: 'skip', thresholdSeconds: 5, maxCatchUp: 100 },
  dstGap: 'shift',
} as const;

function definition(taskId: number): WorkflowDefinition {
  return {
    schedule: API,
    concurrency: { max: 1, overlap: 'skip' },
    timeoutSeconds: null,
    input: null,
    nodes: [
      { key: 'a', taskId },
      { key: 'b', taskId: 0, task: { type: 'http', config: {} } },
    ],
    edges: [{ from: 'a', to: 'b', condition: 'on_success' }],
  };
}

async function saved(store: Store, seeded: Seeded) {
  const existing = await store.createTask(taskInput(seeded, { name: 'existing', schedule: API }));
  const save: WorkflowSave = {
    namespaceId: seeded.ns.id,
    appId: seeded.app.id,
    name: 'wf',
    description: null,
    enabled: true,
    definition: definition(existing.id),
    inlineTasks: { b: taskInput(seeded, { name: 'wf/b', schedule: API }) },
    driverTask: taskInput(seeded, { name: 'workflow:wf', type: 'workflow', config: {}, schedule: API }),
  };
  const { workflow, driver } = await store.createWorkflow(save);
  return { workflow, driver, existing, save };
}

/** A run of the workflow's version 1, started with its nodes pending (input `{x: 1}`). */
async function startedRun(store: Store, workflowId: number, seeded: Seeded, keys: string[]) {
  const started = await store.startWorkflowRun({
    workflowId,
    namespaceId: seeded.ns.id,
    version: 1,
    triggerType: 'api',
    input: { x: 1 },
    resumedFrom: null,
    driverRunId: null,
    deadlineAt: null,
    startedAt: 1_000,
    nodes: keys.map((key) => ({ key, status: 'pending' as const, output: null })),
  });
  if (started.outcome !== 'started') throw new Error(started.outcome);
  return started.run;
}

/** A node's run as an advance inserts it, leased to node-a. */
function nodeRunOf(workflowRunId: number, seeded: Seeded, taskId: number, key: string, input: unknown) {
  return {
    taskId,
    appId: seeded.app.id,
    namespaceId: seeded.ns.id,
    triggerType: 'workflow' as const,
    status: 'scheduled' as const,
    slotAt: null,
    scheduledAt: 2_000,
    attempt: 1,
    retryOf: null,
    input,
    idempotencyKey: `wf:${workflowRunId}:${key}:-`,
    leaseOwner: 'node-a',
    leaseExpiresAt: 60_000,
    workflowRunId,
    workflowNode: key,
    workflowItem: null,
  };
}

export function defineWorkflowContract(ctx: ContractContext): void {
  describe('workflows', () => {
    it('saves a definition with its hidden tasks and versions; a taken name saves nothing', async () => {
      const store = ctx.store;
      const seeded = await seed(store);
      const { workflow, driver, existing, save } = await saved(store, seeded);
      expect(workflow).toMatchObject({ name: 'wf', version: 1, driverTaskId: driver.id, enabled: true });
      const inline = workflow.definition.nodes[1]!;
      expect(inline.taskId).toBeGreaterThan(existing.id);
      expect(await store.getTask(inline.taskId)).toMatchObject({ name: 'wf/b', workflowId: workflow.id });
      expect(driver).toMatchObject({ type: 'workflow', workflowId: workflow.id });
      // Hidden tasks are not listed.
      expect((await store.listTasks({}, { limit: 10 })).items.map((t) => t.id)).toEqual([existing.id]);

      const before = await store.countTasks();
      await expect(store.createWorkflow(save)).rejects.toThrow(/exists already/);
      expect(await store.countTasks()).toBe(before);

      const updated = await store.updateWorkflow(
        workflow.id,
        { ...save, description: 'two', inlineTasks: {} },
        {},
      );
      expect(updated?.workflow).toMatchObject({ version: 2, description: 'two' });
      expect((await store.listWorkflowVersions(workflow.id)).map((v) => v.version)).toEqual([2, 1]);
      expect((await store.getWorkflowVersion(workflow.id, 1))?.definition.nodes[1]?.taskId).toBe(
        inline.taskId,
      );

      expect(await store.deleteWorkflow(workflow.id)).toBe(true);
      expect(await store.getTask(driver.id)).toBeUndefined();
      expect(await store.getTask(inline.taskId)).toBeUndefined();
      expect(await store.getTask(existing.id)).toBeDefined();
    });

    it('starts one run per fire, applies an advance once per state, inserts a node run once', async () => {
      const store = ctx.store;
      const seeded = await seed(store);
      const { workflow, existing } = await saved(store, seeded);
      const start1 = {
        workflowId: workflow.id,
        namespaceId: seeded.ns.id,
        version: 1,
        triggerType: 'schedule' as const,
        input: { x: 1 },
        resumedFrom: null,
        driverRunId: 77,
        deadlineAt: null,
        startedAt: 1_000,
        nodes: [
          { key: 'a', status: 'pending' as const, output: null },
          { key: 'b', status: 'pending' as const, output: null },
        ],
      };
      const first = await store.startWorkflowRun(start1);
      const second = await store.startWorkflowRun(start1);
      expect(first.outcome).toBe('started');
      if (first.outcome === 'skipped') throw new Error('started');
      expect(second).toEqual({ outcome: 'existing', run: first.run, replaced: [] });
      expect(first.run).toMatchObject({
        status: 'running',
        advanceOwed: true,
        stateVersion: 0,
        input: { x: 1 },
      });

      const nodeRun = {
        taskId: existing.id,
        appId: seeded.app.id,
        namespaceId: seeded.ns.id,
        triggerType: 'workflow' as const,
        status: 'scheduled' as const,
        slotAt: null,
        scheduledAt: 2_000,
        attempt: 1,
        retryOf: null,
        input: { x: 1 },
        idempotencyKey: `wf:${first.run.id}:a:-`,
        leaseOwner: 'node-a',
        leaseExpiresAt: 60_000,
        workflowRunId: first.run.id,
        workflowNode: 'a',
        workflowItem: null,
      };
      const advance = { nodes: [{ key: 'a', status: 'running' as const }], runs: [nodeRun], end: null };
      const applied = await store.applyWorkflowAdvance(first.run.id, 0, advance);
      expect(applied.applied).toBe(true);
      expect(applied.runs).toHaveLength(1);
      expect(applied.runs[0]).toMatchObject({
        workflowRunId: first.run.id,
        workflowNode: 'a',
        triggerType: 'workflow',
      });
      // Decided on the old state: nothing applies.
      expect(await store.applyWorkflowAdvance(first.run.id, 0, advance)).toEqual({
        applied: false,
        runs: [],
        started: [],
      });
      // On the new state, the same node run again is not inserted twice (its idempotency key).
      const again = await store.applyWorkflowAdvance(first.run.id, 1, advance);
      expect(again).toEqual({ applied: true, runs: [], started: [] });
      expect(await store.listNodeRuns(first.run.id)).toHaveLength(1);

      // The node run's final end is recorded with its settlement, and an advance is owed.
      const runId = applied.runs[0]!.id;
      await store.markRunsStarted([start(runId)]);
      const end: RunEnd = {
        status: 'succeeded',
        finishedAt: 3_000,
        durationMs: 1_000,
        output: { ok: 1 },
        error: null,
        retryable: false,
      };
      const run = (await store.getRun(runId))!;
      const [settled] = await store.settleRuns([
        decideSettlement(run, existing, 'running', end, { owner: 'node-a', leaseMs: 30_000 }),
      ]);
      expect(settled?.settled).toBe(true);
      const nodes = await store.listWorkflowRunNodes(first.run.id);
      expect(nodes.find((n) => n.key === 'a')).toMatchObject({ status: 'succeeded', output: { ok: 1 } });
      expect(await store.getWorkflowRun(first.run.id)).toMatchObject({ advanceOwed: true, stateVersion: 3 });
      expect((await store.listWorkflowRunsToAdvance(10_000, 10)).owing).toEqual([first.run.id]);

      // Cancelled: the undecided nodes too; a second end does nothing.
      const error = { type: 'cancelled', message: 'x' };
      expect(await store.endWorkflowRun(first.run.id, 'cancelled', error, 4_000)).toEqual({
        ended: true,
        started: [],
      });
      expect(await store.endWorkflowRun(first.run.id, 'timed_out', error, 5_000)).toEqual({
        ended: false,
        started: [],
      });
      expect(await store.getWorkflowRun(first.run.id)).toMatchObject({
        status: 'cancelled',
        finishedAt: 4_000,
      });
      expect((await store.listWorkflowRunNodes(first.run.id)).find((n) => n.key === 'b')?.status).toBe(
        'cancelled',
      );
      expect((await store.listWorkflowRuns({ workflowId: workflow.id }, { limit: 5 })).items).toHaveLength(1);
    });

    it('keeps a workflow to concurrency.max runs: skip, queue (started when one ends), replace', async () => {
      const store = ctx.store;
      const seeded = await seed(store);
      const { workflow, save } = await saved(store, seeded);
      const runOf = (version = 1) => ({
        workflowId: workflow.id,
        namespaceId: seeded.ns.id,
        version,
        triggerType: 'api' as const,
        input: {},
        resumedFrom: null,
        driverRunId: null,
        deadlineAt: null,
        startedAt: 1_000,
        nodes: [{ key: 'a', status: 'pending' as const, output: null }],
      });
      const first = await store.startWorkflowRun(runOf());
      if (first.outcome !== 'started') throw new Error(first.outcome);
      // skip (max 1): a second run is left out, nothing stored.
      expect(await store.startWorkflowRun(runOf())).toEqual({ outcome: 'skipped', going: first.run.id });
      expect((await store.listWorkflowRuns({ workflowId: workflow.id }, { limit: 5 })).items).toHaveLength(1);

      // queue, timeout 60 s (version 2): held queued, started when the running one ends, its
      // deadline (its version's timeout) from then.
      const queueing = {
        ...save.definition,
        concurrency: { max: 1, overlap: 'queue' as const },
        timeoutSeconds: 60,
      };
      await store.updateWorkflow(workflow.id, { ...save, definition: queueing, inlineTasks: {} }, {});
      const queued = await store.startWorkflowRun(runOf(2));
      if (queued.outcome !== 'queued') throw new Error(queued.outcome);
      expect(queued.run).toMatchObject({ status: 'queued', startedAt: null, advanceOwed: false });
      const error = { type: 'cancelled', message: 'x' };
      expect(await store.endWorkflowRun(first.run.id, 'cancelled', error, 5_000)).toEqual({
        ended: true,
        started: [queued.run.id],
      });
      expect(await store.getWorkflowRun(queued.run.id)).toMatchObject({
        status: 'running',
        startedAt: 5_000,
        deadlineAt: 65_000,
        advanceOwed: true,
      });

      // replace: the running one ends cancelled, naming the new run; its undecided nodes too.
      const replacing = { ...save.definition, concurrency: { max: 1, overlap: 'replace' as const } };
      await store.updateWorkflow(workflow.id, { ...save, definition: replacing, inlineTasks: {} }, {});
      const replacer = await store.startWorkflowRun(runOf());
      if (replacer.outcome !== 'started') throw new Error(replacer.outcome);
      expect(replacer.replaced).toEqual([queued.run.id]);
      const replaced = await store.getWorkflowRun(queued.run.id);
      expect(replaced).toMatchObject({ status: 'cancelled' });
      expect(replaced?.error?.message).toContain(`replaced by workflow run ${replacer.run.id}`);
      expect((await store.listWorkflowRunNodes(queued.run.id))[0]?.status).toBe('cancelled');

      // An advance that ends a run starts a queued one too.
      await store.updateWorkflow(workflow.id, { ...save, definition: queueing, inlineTasks: {} }, {});
      const waiting = await store.startWorkflowRun(runOf());
      if (waiting.outcome !== 'queued') throw new Error(waiting.outcome);
      const end = { status: 'succeeded' as const, error: null, at: 6_000 };
      expect(
        await store.applyWorkflowAdvance(replacer.run.id, replacer.run.stateVersion, {
          nodes: [],
          runs: [],
          end,
        }),
      ).toEqual({ applied: true, runs: [], started: [waiting.run.id] });
      expect((await store.getWorkflowRun(waiting.run.id))?.status).toBe('running');
    });

    it('decides what follows a node run inside its settlement: the next node run is inserted with the end', async () => {
      const store = ctx.store;
      const seeded = await seed(store);
      const { workflow, existing } = await saved(store, seeded);
      const run = await startedRun(store, workflow.id, seeded, ['a', 'b']);
      const lease = { owner: 'node-a', leaseMs: 30_000 };
      const first = await store.applyWorkflowAdvance(run.id, 0, {
        nodes: [{ key: 'a', status: 'running' }],
        runs: [nodeRunOf(run.id, seeded, existing.id, 'a', { x: 1 })],
        end: null,
      });
      const runId = first.runs[0]!.id;
      await store.markRunsStarted([start(runId)]);
      const end: RunEnd = {
        status: 'succeeded',
        finishedAt: 3_000,
        durationMs: 1_000,
        output: { ok: 1 },
        error: null,
        retryable: false,
      };
      const [settled] = await store.settleRuns([
        decideSettlement((await store.getRun(runId))!, existing, 'running', end, {
          ...lease,
          workflowDecisions: new WorkflowDecisions(new Expressions()),
        }),
      ]);
      // b's run came with a's end (its input the workflow run's), and no advance is owed.
      expect(settled?.successors?.map((r) => [r.workflowNode, r.input])).toEqual([['b', { x: 1 }]]);
      expect(await store.getWorkflowRun(run.id)).toMatchObject({ advanceOwed: false });
      const nodes = await store.listWorkflowRunNodes(run.id);
      expect(nodes.map((n) => [n.key, n.status])).toEqual([
        ['a', 'succeeded'],
        ['b', 'running'],
      ]);
    });

    it('decides once for a batch of node ends of one workflow run: a join after both its upstreams', async () => {
      const store = ctx.store;
      const seeded = await seed(store);
      const existing = await store.createTask(taskInput(seeded, { name: 'existing', schedule: API }));
      const joined: WorkflowDefinition = {
        ...definition(existing.id),
        nodes: [
          { key: 'a', taskId: existing.id },
          { key: 'c', taskId: existing.id },
          { key: 'b', taskId: 0, task: { type: 'http', config: {} } },
        ],
        edges: [
          { from: 'a', to: 'b', condition: 'on_success' },
          { from: 'c', to: 'b', condition: 'on_success' },
        ],
      };
      const { workflow } = await store.createWorkflow({
        namespaceId: seeded.ns.id,
        appId: seeded.app.id,
        name: 'join',
        description: null,
        enabled: true,
        definition: joined,
        inlineTasks: { b: taskInput(seeded, { name: 'join/b', schedule: API }) },
        driverTask: taskInput(seeded, { name: 'workflow:join', type: 'workflow', config: {}, schedule: API }),
      });
      const run = await startedRun(store, workflow.id, seeded, ['a', 'c', 'b']);
      const nodeRun = (key: string) => nodeRunOf(run.id, seeded, existing.id, key, null);
      const first = await store.applyWorkflowAdvance(run.id, 0, {
        nodes: [
          { key: 'a', status: 'running' },
          { key: 'c', status: 'running' },
        ],
        runs: [nodeRun('a'), nodeRun('c')],
        end: null,
      });
      await store.markRunsStarted(first.runs.map((r) => start(r.id)));
      const end: RunEnd = {
        status: 'succeeded',
        finishedAt: 3_000,
        durationMs: 1_000,
        output: null,
        error: null,
        retryable: false,
      };
      const context = {
        owner: 'node-a',
        leaseMs: 30_000,
        workflowDecisions: new WorkflowDecisions(new Expressions()),
      };
      const settlements = await Promise.all(
        first.runs.map(async (r) =>
          decideSettlement((await store.getRun(r.id))!, existing, 'running', end, context),
        ),
      );
      // c's end twice in the batch (a finish and a cancel written together): the second applies
      // nothing, and the runs that follow go with the end that applied.
      const [ofA, ofC, again] = await store.settleRuns([...settlements, settlements[1]!]);
      // Decided after both ends were written: b's one run, handed over with the batch's last end.
      expect(ofA).toMatchObject({ settled: true });
      expect(ofA?.successors).toBeUndefined();
      expect(ofC?.successors?.map((r) => r.workflowNode)).toEqual(['b']);
      expect(again).toMatchObject({ settled: false });
      expect(again?.successors).toBeUndefined();
      expect(await store.getWorkflowRun(run.id)).toMatchObject({ advanceOwed: false });
      const nodes = await store.listWorkflowRunNodes(run.id);
      expect(nodes.map((n) => [n.key, n.status]).sort()).toEqual([
        ['a', 'succeeded'],
        ['b', 'running'],
        ['c', 'succeeded'],
      ]);
      expect((await store.listNodeRuns(run.id)).filter((r) => r.workflowNode === 'b')).toHaveLength(1);
    });
  });
}
