/**
 * /api/v1/workflows and /api/v1/workflow-runs: definitions with their versions, and
 * their runs (start, list, read, cancel, resume). The contract the console follows is in the
 * protocol's workflows.ts.
 */
import {
  Workflow,
  WorkflowCreate,
  WorkflowListQuery,
  WorkflowRun,
  WorkflowRunListQuery,
  WorkflowRunTrigger,
  WorkflowUpdate,
  WorkflowValidation,
  WorkflowVersion,
  listOf,
  type WorkflowNode,
} from '@kairos/protocol';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { atLeast, roleIn } from '../../access/principal.js';
import { KairosError } from '../../errors.js';
import { DEFAULT_NAMESPACE } from '../../services/namespaces.js';
import type { WorkflowRecord, WorkflowRunRecord } from '../../store/workflow-records.js';
import type { ApiContext } from '../context.js';
import { presentWorkflow, presentWorkflowRun } from '../present-workflows.js';
import type { RouteTable } from '../route-table.js';
import { parseId } from '../validation.js';

export function workflowRoutes(routes: RouteTable, ctx: ApiContext): void {
  const present = async (workflow: WorkflowRecord) => {
    const [namespace, app, driver] = await Promise.all([
      ctx.namespaces.nameOf(workflow.namespaceId),
      ctx.store.getApp(workflow.appId),
      workflow.driverTaskId === null ? undefined : ctx.store.getTask(workflow.driverTaskId),
    ]);
    return presentWorkflow(
      workflow,
      namespace,
      app?.appName ?? String(workflow.appId),
      driver?.nextFireAt ?? null,
    );
  };
  const presentRun = async (run: WorkflowRunRecord) => {
    const [workflow, version, nodes, nodeRuns, namespace] = await Promise.all([
      ctx.store.getWorkflow(run.workflowId),
      ctx.store.getWorkflowVersion(run.workflowId, run.version),
      ctx.store.listWorkflowRunNodes(run.id),
      ctx.store.listNodeRuns(run.id),
      ctx.namespaces.nameOf(run.namespaceId),
    ]);
    return presentWorkflowRun(run, workflow?.name ?? '', namespace, version?.definition, nodes, nodeRuns);
  };
  /** An inline `script` node runs code as the server's user: as for script tasks, admins only. */
  const guardScript = (
    request: FastifyRequest,
    nodes: readonly WorkflowNode[] | undefined,
    namespace: string,
  ) => {
    const i = (nodes ?? []).findIndex((n) => n.task?.type === 'script');
    if (i < 0) return;
    if (!ctx.jobTypes?.get('script')) {
      throw new KairosError(
        'VALIDATION_ERROR',
        `nodes.${i}.task.type: script tasks are switched off on this server`,
        {
          field: `nodes.${i}.task.type`,
        },
      );
    }
    if (!atLeast(roleIn(ctx.access.principal(request), namespace), 'admin')) {
      throw new KairosError(
        'FORBIDDEN',
        `nodes.${i}.task.type: script nodes run code as the server's user and need the admin role in namespace ${namespace}`,
        { field: `nodes.${i}.task.type` },
      );
    }
  };

  routes.add(
    {
      method: 'GET',
      url: '/api/v1/workflows',
      summary: 'List workflows',
      tag: 'workflows',
      access: { role: 'viewer', namespace: 'query' },
      query: WorkflowListQuery,
      response: listOf(Workflow),
    },
    async ({ query, request }) => {
      const namespaceId = await ctx.access.listScope(request, query.namespace);
      const page = await ctx.store.listWorkflows(
        { namespaceId },
        { cursor: query.cursor, limit: query.limit },
      );
      return { items: await Promise.all(page.items.map(present)), nextCursor: page.nextCursor };
    },
  );

  routes.add(
    {
      method: 'POST',
      url: '/api/v1/workflows',
      summary: 'Create a workflow (400 names the place: nodes.2.input, edges.1.to, "cycle: a → b → a")',
      tag: 'workflows',
      access: { role: 'editor', namespace: 'body' },
      body: WorkflowCreate,
      response: Workflow,
      status: 201,
    },
    async ({ body, request }) => {
      guardScript(request, body.nodes, body.namespace ?? DEFAULT_NAMESPACE);
      return present(await ctx.workflows.create(body));
    },
  );

  routes.add(
    {
      method: 'POST',
      url: '/api/v1/workflows/validate',
      summary: 'Check a workflow as create would, saving nothing: every problem with its place',
      tag: 'workflows',
      access: { role: 'editor', namespace: 'body', audit: false },
      body: WorkflowCreate,
      response: WorkflowValidation,
    },
    async ({ body }) => {
      const errors = await ctx.workflows.validate(body);
      return { valid: errors.length === 0, errors };
    },
  );

  routes.add(
    {
      method: 'GET',
      url: '/api/v1/workflows/:id',
      summary: 'Get a workflow (its current version)',
      tag: 'workflows',
      access: { role: 'viewer', namespace: { resource: 'workflow' } },
      response: Workflow,
    },
    async ({ params }) => present(await ctx.workflows.get(parseId(params.id, 'id'))),
  );

  routes.add(
    {
      method: 'PATCH',
      url: '/api/v1/workflows/:id',
      summary: 'Change a workflow: the fields given replace the current ones, as a new version',
      tag: 'workflows',
      access: { role: 'editor', namespace: { resource: 'workflow' } },
      body: WorkflowUpdate,
      response: Workflow,
    },
    async ({ params, body, request }) => {
      const current = await ctx.workflows.get(parseId(params.id, 'id'));
      guardScript(request, body.nodes, await ctx.namespaces.nameOf(current.namespaceId));
      return present(await ctx.workflows.update(current.id, body));
    },
  );

  routes.add(
    {
      method: 'DELETE',
      url: '/api/v1/workflows/:id',
      summary: 'Delete a workflow, its versions and its runs (running ones are cancelled)',
      tag: 'workflows',
      access: { role: 'editor', namespace: { resource: 'workflow' } },
      status: 204,
    },
    async ({ params }) => ctx.workflows.delete(parseId(params.id, 'id')),
  );

  routes.add(
    {
      method: 'GET',
      url: '/api/v1/workflows/:id/versions',
      summary: "A workflow's versions, newest first",
      tag: 'workflows',
      access: { role: 'viewer', namespace: { resource: 'workflow' } },
      response: z.array(WorkflowVersion),
    },
    async ({ params }) => {
      const workflow = await ctx.workflows.get(parseId(params.id, 'id'));
      const versions = await ctx.store.listWorkflowVersions(workflow.id);
      return versions.map((v) => ({ version: v.version, createdAt: new Date(v.createdAt).toISOString() }));
    },
  );

  routes.add(
    {
      method: 'GET',
      url: '/api/v1/workflows/:id/versions/:version',
      summary: 'A workflow as it was at a version',
      tag: 'workflows',
      access: { role: 'viewer', namespace: { resource: 'workflow' } },
      response: Workflow,
    },
    async ({ params }) => {
      const workflow = await ctx.workflows.get(parseId(params.id, 'id'));
      const number = parseId(params.version, 'version');
      const version = await ctx.store.getWorkflowVersion(workflow.id, number);
      if (!version) throw new KairosError('NOT_FOUND', `workflow ${workflow.id} has no version ${number}`);
      const shown = await present(workflow);
      return presentWorkflow(workflow, shown.namespace, shown.appName, null, version.definition, number);
    },
  );

  routes.add(
    {
      method: 'POST',
      url: '/api/v1/workflows/:id/run',
      summary: 'Start a run of the workflow now (its current version)',
      tag: 'workflows',
      access: { role: 'operator', namespace: { resource: 'workflow' } },
      body: WorkflowRunTrigger,
      response: WorkflowRun,
      status: 201,
    },
    async ({ params, body }) => presentRun(await ctx.workflows.run(parseId(params.id, 'id'), body.input)),
  );

  routes.add(
    {
      method: 'GET',
      url: '/api/v1/workflow-runs',
      summary: 'List workflow runs, newest first',
      tag: 'workflows',
      access: { role: 'viewer', namespace: 'query' },
      query: WorkflowRunListQuery,
      response: listOf(WorkflowRun),
    },
    async ({ query, request }) => {
      const namespaceId = await ctx.access.listScope(request, query.namespace);
      const page = await ctx.store.listWorkflowRuns(
        { namespaceId, workflowId: query.workflowId, status: query.status },
        { cursor: query.cursor, limit: query.limit },
      );
      return { items: await Promise.all(page.items.map(presentRun)), nextCursor: page.nextCursor };
    },
  );

  routes.add(
    {
      method: 'GET',
      url: '/api/v1/workflow-runs/:id',
      summary: 'Get a workflow run with its nodes and their runs',
      tag: 'workflows',
      access: { role: 'viewer', namespace: { resource: 'workflowRun' } },
      response: WorkflowRun,
    },
    async ({ params }) => presentRun(await ctx.workflows.getRun(parseId(params.id, 'id'))),
  );

  routes.add(
    {
      method: 'POST',
      url: '/api/v1/workflow-runs/:id/cancel',
      summary: 'Cancel a workflow run and its running nodes',
      tag: 'workflows',
      access: { role: 'operator', namespace: { resource: 'workflowRun' } },
      response: WorkflowRun,
    },
    async ({ params }) => presentRun(await ctx.workflows.cancel(parseId(params.id, 'id'))),
  );

  routes.add(
    {
      method: 'POST',
      url: '/api/v1/workflow-runs/:id/resume',
      summary: 'Resume a failed workflow run: a new run reusing the nodes that succeeded',
      tag: 'workflows',
      access: { role: 'operator', namespace: { resource: 'workflowRun' } },
      response: WorkflowRun,
      status: 201,
    },
    async ({ params }) => presentRun(await ctx.workflows.resume(parseId(params.id, 'id'))),
  );
}
