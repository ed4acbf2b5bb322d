/** The workflow sub-clients of the signed-in session's API client. */
import { useClient } from '../../api/session-context.js';
import type { WorkflowRunsClient, WorkflowsClient } from './workflow-types.js';

export function useWorkflowClients(): { workflows: WorkflowsClient; workflowRuns: WorkflowRunsClient } {
  const client = useClient() as unknown as { workflows: WorkflowsClient; workflowRuns: WorkflowRunsClient };
  return { workflows: client.workflows, workflowRuns: client.workflowRuns };
}
