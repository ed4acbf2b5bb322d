/**
 * The workflows sub-clients of the API client (client.ts): `client.workflows` (definitions and
 * their versions) and `client.workflowRuns` (runs of a workflow: list, read, cancel, resume).
 */
import type { List } from './schemas.js';
import { segment, type createTransport } from './client-http.js';
import type { ListOptions, Ref } from './client-types.js';
import type {
  Workflow,
  WorkflowCreateInput,
  WorkflowRun,
  WorkflowRunStatus,
  WorkflowUpdateInput,
  WorkflowValidation,
  WorkflowVersion,
} from './workflows.js';

export interface WorkflowRunListOptions extends ListOptions {
  workflowId?: number | undefined;
  status?: WorkflowRunStatus | undefined;
}

export interface WorkflowsClient {
  /** @example `const { items } = await client.workflows.list({ namespace: 'billing' });` */
  list(options?: ListOptions): Promise<List<Workflow>>;
  /**
   * @example
   * ```ts
   * const wf = await client.workflows.create({
   *   name: 'tickets', app: 'support',
   *   nodes: [{ key: 'summarise', taskId: 7 }, { key: 'post', taskId: 8, input: '{ "text": nodes.summarise.output.text }' }],
   *   edges: [{ from: 'summarise', to: 'post' }],
   * });
   * ```
   */
  create(input: WorkflowCreateInput): Promise<Workflow>;
  /** Checks a definition as create would, saving nothing. @example `const { valid, errors } = await client.workflows.validate(body);` */
  validate(input: WorkflowCreateInput): Promise<WorkflowValidation>;
  /** @example `const wf = await client.workflows.get(3);` */
  get(id: Ref): Promise<Workflow>;
  /** A new version. @example `await client.workflows.update(3, { timeoutSeconds: 600 });` */
  update(id: Ref, patch: WorkflowUpdateInput): Promise<Workflow>;
  /** @example `await client.workflows.delete(3);` */
  delete(id: Ref): Promise<void>;
  /** @example `const versions = await client.workflows.versions(3);` */
  versions(id: Ref): Promise<WorkflowVersion[]>;
  /** The definition as it was at `version`. @example `const v1 = await client.workflows.version(3, 1);` */
  version(id: Ref, version: number): Promise<Workflow>;
  /** Starts a workflow run now. @example `const run = await client.workflows.run(3, { input: { day: '2026-03-15' } });` */
  run(id: Ref, body?: { input?: Record<string, unknown> | undefined }): Promise<WorkflowRun>;
}

export interface WorkflowRunsClient {
  /** @example `const { items } = await client.workflowRuns.list({ workflowId: 3, status: 'failed' });` */
  list(options?: WorkflowRunListOptions): Promise<List<WorkflowRun>>;
  /** @example `const run = await client.workflowRuns.get(12);` */
  get(id: Ref): Promise<WorkflowRun>;
  /** Cancels the workflow run and its running nodes. @example `await client.workflowRuns.cancel(12);` */
  cancel(id: Ref): Promise<WorkflowRun>;
  /**
   * A new workflow run (resumedFrom = id) reusing the succeeded nodes' results and running the rest.
   * @example `const again = await client.workflowRuns.resume(12);`
   */
  resume(id: Ref): Promise<WorkflowRun>;
}

export function workflowClients(
  http: ReturnType<typeof createTransport>,
  v1: string,
): { workflows: WorkflowsClient; workflowRuns: WorkflowRunsClient } {
  const wf = (id: Ref) => `${v1}/workflows/${segment(id)}`;
  const wr = (id: Ref) => `${v1}/workflow-runs/${segment(id)}`;
  return {
    workflows: {
      list: (o = {}) => http.request('GET', `${v1}/workflows`, { query: { ...o } }),
      create: (input) => http.request('POST', `${v1}/workflows`, { body: input }),
      validate: (input) => http.request('POST', `${v1}/workflows/validate`, { body: input }),
      get: (id) => http.request('GET', wf(id)),
      update: (id, patch) => http.request('PATCH', wf(id), { body: patch }),
      delete: (id) => http.request('DELETE', wf(id)),
      versions: (id) => http.request('GET', `${wf(id)}/versions`),
      version: (id, version) => http.request('GET', `${wf(id)}/versions/${segment(version)}`),
      run: (id, body = {}) => http.request('POST', `${wf(id)}/run`, { body }),
    },
    workflowRuns: {
      list: (o = {}) => http.request('GET', `${v1}/workflow-runs`, { query: { ...o } }),
      get: (id) => http.request('GET', wr(id)),
      cancel: (id) => http.request('POST', `${wr(id)}/cancel`),
      resume: (id) => http.request('POST', `${wr(id)}/resume`),
    },
  };
}
