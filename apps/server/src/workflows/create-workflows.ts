/**
 * Wires workflows into a node (kairos.ts): the expressions cache, the advancer (its sweep, and
 * the advance after each node run's end) and the service the routes and the `workflow` job type
 * use.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { EventBus } from '../events.js';
import type { RunEngine } from '../runs/run-engine.js';
import type { Namespaces } from '../services/namespaces.js';
import type { TaskService } from '../services/task-service.js';
import type { Store } from '../store/store.js';
import type { Expressions } from './expressions.js';
import { WorkflowAdvancer } from './workflow-advancer.js';
import { WorkflowService } from './workflow-service.js';

/**
 * How often a node looks for workflow runs owing an advance (a node died between a node run's
 * settlement and its advance) or past their deadline without a timer here (another node's).
 */
const SWEEP_MS = 2000;

export function createWorkflows(deps: {
  expressions: Expressions;
  store: Store;
  clock: Clock;
  events: EventBus;
  engine: RunEngine;
  tasks: TaskService;
  namespaces: Namespaces;
  logger: Logger;
  nodeId: string;
  leaseMs: number;
}): { workflows: WorkflowService; advancer: WorkflowAdvancer } {
  const { expressions } = deps;
  const advancer: WorkflowAdvancer = new WorkflowAdvancer({
    store: deps.store,
    clock: deps.clock,
    logger: deps.logger,
    expressions,
    nodeId: deps.nodeId,
    leaseMs: deps.leaseMs,
    enqueue: (runs) => deps.engine.enqueueStored(runs),
    cancel: (runId) => deps.engine.cancel(runId),
    timeOut: (id) => workflows.timeOut(id),
    onEnded: (run) => deps.events.emit('workflow_run:finished', { run }),
    sweepMs: SWEEP_MS,
  });
  const workflows: WorkflowService = new WorkflowService({ ...deps, expressions, advancer });
  // The node's end is stored (with the mark that an advance is owed) before this is heard: the
  // listener only makes the advance prompt; the sweep does it if this node dies first.
  deps.events.on('run:finished', ({ run }) => {
    if (run.workflowRunId != null) void advancer.advance(run.workflowRunId);
  });
  return { workflows, advancer };
}
