/**
 * Workflows and workflow runs as the API shows them (packages/protocol workflows.ts): a node's
 * resolved task id is shown only for nodes that name an existing task (an inline node shows
 * its definition), and a workflow run's nodes come in the order of its version's definition,
 * each with its ordinary runs.
 */
import type { InlineTaskDefinition, Workflow, WorkflowNode, WorkflowRun } from '@kairos/protocol';
import type { RunRecord } from '../store/records.js';
import type {
  WorkflowDefinition,
  WorkflowRecord,
  WorkflowRunNodeRecord,
  WorkflowRunRecord,
} from '../store/workflow-records.js';
import { iso } from './present.js';

export function presentDefinitionNodes(definition: WorkflowDefinition): WorkflowNode[] {
  return definition.nodes.map(({ taskId, task, ...node }) =>
    task ? { ...node, task: task as InlineTaskDefinition } : { ...node, taskId },
  ) as WorkflowNode[];
}

export function presentWorkflow(
  workflow: WorkflowRecord,
  namespace: string,
  appName: string,
  nextFireAt: number | null,
  definition: WorkflowDefinition = workflow.definition,
  version: number = workflow.version,
): Workflow {
  return {
    id: workflow.id,
    namespace,
    appId: workflow.appId,
    appName,
    name: workflow.name,
    ...(workflow.description !== null ? { description: workflow.description } : {}),
    enabled: workflow.enabled,
    version,
    schedule: definition.schedule,
    concurrency: definition.concurrency,
    ...(definition.timeoutSeconds !== null ? { timeoutSeconds: definition.timeoutSeconds } : {}),
    ...(definition.input !== null ? { input: definition.input } : {}),
    nodes: presentDefinitionNodes(definition),
    edges: definition.edges,
    nextFireAt: nextFireAt === null ? null : iso(nextFireAt),
    createdAt: iso(workflow.createdAt),
    updatedAt: iso(workflow.updatedAt),
  };
}

export function presentWorkflowRun(
  run: WorkflowRunRecord,
  workflowName: string,
  namespace: string,
  definition: WorkflowDefinition | undefined,
  nodes: readonly WorkflowRunNodeRecord[],
  nodeRuns: readonly RunRecord[],
): WorkflowRun {
  const byKey = new Map(nodes.map((n) => [n.key, n]));
  const order = definition ? definition.nodes.map((n) => n.key) : nodes.map((n) => n.key);
  return {
    id: run.id,
    workflowId: run.workflowId,
    workflowName,
    namespace,
    version: run.version,
    status: run.status,
    triggerType: run.triggerType,
    input: run.input,
    ...(run.resumedFrom !== null ? { resumedFrom: run.resumedFrom } : {}),
    createdAt: iso(run.createdAt),
    ...(run.startedAt !== null ? { startedAt: iso(run.startedAt) } : {}),
    ...(run.finishedAt !== null ? { finishedAt: iso(run.finishedAt) } : {}),
    ...(run.error ? { error: run.error } : {}),
    nodes: order.flatMap((key) => {
      const node = byKey.get(key);
      if (!node) return [];
      return [
        {
          key,
          status: node.status,
          runIds: nodeRuns.filter((r) => r.workflowNode === key).map((r) => r.id),
          // A running forEach node keeps its list of items there until its end: not an output yet.
          ...(node.output !== null && node.status !== 'running' ? { output: node.output } : {}),
          ...(node.error ? { error: node.error } : {}),
        },
      ];
    }),
  };
}
