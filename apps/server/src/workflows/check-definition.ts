/**
 * A workflow definition checked against its namespace: the graph and expressions
 * (validate-definition.ts), then each node's task: an existing task of the namespace (not a
 * workflow's own), or an inline definition whose app, job type and config are checked as a
 * task's would be (its config then in stored form). Problems name the node's place.
 */
import type { WorkflowCreate } from '@kairos/protocol';
import { KairosError } from '../errors.js';
import type { TaskService } from '../services/task-service.js';
import type { Store, TaskRecord } from '../store/store.js';
import type { Expressions } from './expressions.js';
import { validateDefinition, type DefinitionProblem } from './validate-definition.js';

export type { DefinitionProblem };

export interface CheckedDefinition {
  problems: DefinitionProblem[];
  /** Per inline node: its app and its config as stored. */
  inline: Map<string, { appId: number; config: Record<string, unknown> }>;
}

export async function checkDefinition(
  deps: { store: Pick<Store, 'getTask'>; tasks: TaskService; expressions: Expressions },
  namespaceId: number,
  input: Pick<WorkflowCreate, 'nodes' | 'edges' | 'app'>,
  /**
   * The hidden task of each inline node of the version before, by node key: a masked secret sent
   * back (as reads show it) keeps the value stored there.
   */
  previousInline: ReadonlyMap<string, TaskRecord> = new Map(),
): Promise<CheckedDefinition> {
  const problems = validateDefinition(input.nodes, input.edges, deps.expressions);
  const inline = new Map<string, { appId: number; config: Record<string, unknown> }>();
  for (const [i, node] of input.nodes.entries()) {
    if (node.taskId !== undefined) {
      const task = await deps.store.getTask(node.taskId);
      if (!task || task.namespaceId !== namespaceId || task.workflowId != null) {
        problems.push({ field: `nodes.${i}.taskId`, message: `no task ${node.taskId} in this namespace` });
      }
      continue;
    }
    const task = node.task;
    if (task === undefined) continue;
    if (task.type === 'workflow') {
      problems.push({ field: `nodes.${i}.task.type`, message: 'a node cannot be a workflow fire' });
      continue;
    }
    try {
      const app = await deps.tasks.resolveApp(namespaceId, task.app ?? input.app);
      const { config } = await deps.tasks.checkConfig(
        namespaceId,
        task.type,
        task.config,
        previousInline.get(node.key),
      );
      inline.set(node.key, { appId: app.id, config });
    } catch (error) {
      if (!(error instanceof KairosError) || error.status !== 400) throw error;
      const field = error.field === 'type' || error.field === undefined ? 'type' : error.field;
      problems.push({
        field: `nodes.${i}.task.${field}`,
        message: error.message.replace(/^[^:]+: /, ''),
      });
    }
  }
  return { problems, inline };
}
