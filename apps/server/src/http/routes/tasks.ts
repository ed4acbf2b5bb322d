import {
  NextFiresQuery,
  RunAccepted,
  RunTrigger,
  SchedulePreview,
  Task,
  TaskCreate,
  TaskListQuery,
  TaskUpdate,
  listOf,
} from '@kairos/protocol';
import { z } from 'zod';
import type { FastifyRequest } from 'fastify';
import { atLeast, roleIn } from '../../access/principal.js';
import { KairosError } from '../../errors.js';
import { DEFAULT_NAMESPACE } from '../../services/namespaces.js';
import type { TaskRecord } from '../../store/records.js';
import type { ApiContext } from '../context.js';
import { iso, presentTask } from '../present.js';
import type { RouteTable } from '../route-table.js';
import { instant, parseId } from '../validation.js';

const TaskWithWarnings = Task.extend({ warnings: z.array(z.string()).optional() });

const TaskValidation = z.object({
  valid: z.boolean(),
  warnings: z.array(z.string()),
  errors: z
    .array(z.object({ code: z.string(), message: z.string(), field: z.string().optional() }))
    .optional(),
});

/** Errors that make a task invalid (answered as `valid: false`); others keep their status. */
const INVALID_TASK_CODES = new Set<string>([
  'SCHEDULE_IN_PAST',
  'INVALID_CONFIG',
  'VALIDATION_ERROR',
  'UNKNOWN_JOB_TYPE',
  'INVALID_CRON',
  'INVALID_SCHEDULE',
  'INVALID_TIMEZONE',
]);

export function taskRoutes(routes: RouteTable, ctx: ApiContext): void {
  const present = async (task: TaskRecord, warnings?: string[]) => {
    const app = await ctx.store.getApp(task.appId);
    const pool = task.poolId == null ? undefined : await ctx.store.getPool(task.poolId);
    const shown = presentTask(
      { ...task, config: ctx.tasks.shownConfig(task) },
      await ctx.namespaces.nameOf(task.namespaceId),
      app?.appName ?? String(task.appId),
      pool?.name ?? null,
    );
    return warnings && warnings.length > 0 ? { ...shown, warnings } : shown;
  };

  /**
   * `script` tasks run code as the server's user: only an admin of the namespace may create,
   * change or check one, and none can when the server has them switched off.
   */
  const guardScript = (request: FastifyRequest, type: string | undefined, namespace: string): void => {
    if (type !== 'script') return;
    if (!ctx.jobTypes?.get('script')) {
      throw new KairosError(
        'VALIDATION_ERROR',
        'type: script tasks are switched off on this server (KAIROS_SCRIPT_TASKS=off)',
        {
          field: 'type',
        },
      );
    }
    if (!atLeast(roleIn(ctx.access.principal(request), namespace), 'admin')) {
      throw new KairosError(
        'FORBIDDEN',
        `type: script tasks run code as the server's user and need the admin role in namespace ${namespace}`,
        { field: 'type' },
      );
    }
  };

  routes.add(
    {
      method: 'GET',
      url: '/api/v1/tasks',
      summary: 'List tasks',
      tag: 'tasks',
      access: { role: 'viewer', namespace: 'query' },
      query: TaskListQuery,
      response: listOf(Task),
    },
    async ({ query, request }) => {
      const namespaceId = await ctx.access.listScope(request, query.namespace);
      const page = await ctx.store.listTasks(
        {
          namespaceId,
          appId: query.appId,
          enabled: query.enabled === undefined ? undefined : query.enabled === 'true',
        },
        { cursor: query.cursor, limit: query.limit },
      );
      return { items: await Promise.all(page.items.map((t) => present(t))), nextCursor: page.nextCursor };
    },
  );

  routes.add(
    {
      method: 'POST',
      url: '/api/v1/tasks',
      summary: 'Create a task',
      tag: 'tasks',
      access: { role: 'editor', namespace: 'body' },
      body: TaskCreate,
      response: TaskWithWarnings,
      status: 201,
    },
    async ({ body, request }) => {
      guardScript(request, body.type, body.namespace ?? DEFAULT_NAMESPACE);
      const { task, warnings } = await ctx.tasks.create(body);
      return present(task, warnings);
    },
  );

  routes.add(
    {
      method: 'POST',
      url: '/api/v1/tasks/validate',
      summary:
        "Check a task as create would (config against its target, e.g. a Dify app's /info and /parameters; schedule) without saving it",
      tag: 'tasks',
      access: { role: 'editor', namespace: 'body', audit: false },
      body: TaskCreate,
      response: TaskValidation,
    },
    async ({ body, request }) => {
      guardScript(request, body.type, body.namespace ?? DEFAULT_NAMESPACE);
      try {
        return { valid: true, ...(await ctx.tasks.validate(body)) };
      } catch (error) {
        if (!(error instanceof KairosError) || !INVALID_TASK_CODES.has(error.code)) throw error;
        return {
          valid: false,
          warnings: [],
          errors: [
            { code: error.code, message: error.message, ...(error.field ? { field: error.field } : {}) },
          ],
        };
      }
    },
  );

  routes.add(
    {
      method: 'GET',
      url: '/api/v1/tasks/:id',
      summary: 'Get a task',
      tag: 'tasks',
      access: { role: 'viewer', namespace: { resource: 'task' } },
      response: Task,
    },
    async ({ params }) => present(await ctx.tasks.get(parseId(params.id, 'id'))),
  );

  routes.add(
    {
      method: 'PATCH',
      url: '/api/v1/tasks/:id',
      summary: 'Change a task',
      tag: 'tasks',
      access: { role: 'editor', namespace: { resource: 'task' } },
      body: TaskUpdate,
      response: TaskWithWarnings,
    },
    async ({ params, body, request }) => {
      const current = await ctx.tasks.get(parseId(params.id, 'id'));
      const namespace = await ctx.namespaces.nameOf(current.namespaceId);
      guardScript(request, current.type, namespace);
      guardScript(request, body.type, namespace);
      const { task, warnings } = await ctx.tasks.update(current.id, body);
      return present(task, warnings);
    },
  );

  routes.add(
    {
      method: 'DELETE',
      url: '/api/v1/tasks/:id',
      summary: 'Delete a task and its run history',
      tag: 'tasks',
      access: { role: 'editor', namespace: { resource: 'task' } },
      status: 204,
    },
    async ({ params }) => ctx.tasks.delete(parseId(params.id, 'id')),
  );

  for (const action of ['enable', 'disable'] as const) {
    routes.add(
      {
        method: 'POST',
        url: `/api/v1/tasks/:id/${action}`,
        summary: `${action === 'enable' ? 'Enable' : 'Disable'} a task`,
        tag: 'tasks',
        access: { role: 'operator', namespace: { resource: 'task' } },
        response: Task,
      },
      async ({ params }) =>
        present((await ctx.tasks.setEnabled(parseId(params.id, 'id'), action === 'enable')).task),
    );
  }

  routes.add(
    {
      method: 'POST',
      url: '/api/v1/tasks/:id/run',
      summary:
        'Run a task now (also how `api` tasks are triggered). Idempotency-Key header: a repeat returns the same run.',
      tag: 'tasks',
      access: { role: 'operator', namespace: { resource: 'task' } },
      body: RunTrigger,
      response: RunAccepted,
      status: 202,
    },
    async ({ params, body, request, guarded }) => {
      const task = guarded.resource?.task ?? (await ctx.tasks.get(parseId(params.id, 'id')));
      const key = request.headers['idempotency-key'];
      if (Array.isArray(key) || (typeof key === 'string' && (key.length === 0 || key.length > 200))) {
        throw new KairosError('VALIDATION_ERROR', 'Idempotency-Key: must be one value of 1-200 characters', {
          field: 'Idempotency-Key',
        });
      }
      const { run } = await ctx.engine.trigger(task, {
        input: body.input,
        priority: body.priority,
        triggerType: task.schedule.type === 'api' ? 'api' : 'manual',
        idempotencyKey: key,
      });
      return { runId: run.id };
    },
  );

  routes.add(
    {
      method: 'GET',
      url: '/api/v1/tasks/:id/next-fires',
      summary: 'The next fires of a task',
      tag: 'tasks',
      access: { role: 'viewer', namespace: { resource: 'task' } },
      query: NextFiresQuery,
      response: SchedulePreview,
    },
    async ({ params, query }) => {
      const task = await ctx.tasks.get(parseId(params.id, 'id'));
      const fires = await ctx.tasks.previewTask(task, instant(query.from) ?? ctx.clock.now(), query.count);
      return { fires: fires.map(iso) };
    },
  );
}
