/**
 * How a route finds the namespace of the resource its path names (RouteAccess `{resource}`):
 * one loader per resource kind. A loader also returns the resource as the audit log shows it
 * "before" a change.
 */
import { KairosError } from '../errors.js';
import type { ApiContext } from '../http/context.js';
import type { TaskRecord } from '../store/records.js';
import type { ResourceKind } from './route-access.js';

export interface LoadedResource {
  /** Null: a server-wide thing (a token or user for every namespace). */
  namespaceIds: number[] | null;
  /** The resource before the change, for the audit log (masked there). */
  before: unknown;
  /** The task the path names, as stored (the handler uses it rather than read it again). */
  task?: TaskRecord;
}

export type ResourceLoader = (
  ctx: ApiContext,
  params: Record<string, string>,
  query: Record<string, unknown>,
) => Promise<LoadedResource | undefined>;

/** A path id that is not a positive integer loads nothing; the handler then names the field. */
const idOf = (value: string | undefined): number | undefined =>
  value !== undefined && /^[1-9]\d{0,15}$/.test(value) ? Number(value) : undefined;

const one = <T extends { namespaceId: number }>(record: T | undefined): LoadedResource | undefined =>
  record && { namespaceIds: [record.namespaceId], before: record };

const byId =
  <T extends { namespaceId: number }>(get: (ctx: ApiContext, id: number) => Promise<T | undefined>) =>
  async (ctx: ApiContext, params: Record<string, string>) => {
    const id = idOf(params.id);
    return id === undefined ? undefined : one(await get(ctx, id));
  };

export const RESOURCE_LOADERS: Record<ResourceKind, ResourceLoader> = {
  task: async (ctx, params) => {
    const id = idOf(params.id);
    const task = id === undefined ? undefined : await ctx.store.getTask(id);
    return (
      task && {
        namespaceIds: [task.namespaceId],
        before: { ...task, config: ctx.tasks.shownConfig(task) },
        task,
      }
    );
  },
  run: byId((ctx, id) => ctx.store.getRun(id)),
  app: async (ctx, params, query) => {
    const ref = params.app ?? '';
    const namespace = typeof query.namespace === 'string' ? query.namespace : undefined;
    try {
      return one(await ctx.apps.find(ref, namespace));
    } catch (error) {
      if (error instanceof KairosError && error.status === 404) return undefined;
      throw error;
    }
  },
  calendar: byId((ctx, id) => ctx.store.getCalendar(id)),
  contact: byId((ctx, id) => ctx.store.getContact(id)),
  contactGroup: byId((ctx, id) => ctx.store.getContactGroup(id)),
  alertRule: byId((ctx, id) => ctx.store.getAlertRule(id)),
  alert: byId((ctx, id) => ctx.store.getAlert(id)),
  batch: byId(async (ctx, id) => {
    const batch = await ctx.store.getBatch(id);
    return batch?.status === 'preparing' ? undefined : batch;
  }),
  workflow: byId((ctx, id) => ctx.store.getWorkflow(id)),
  workflowRun: byId((ctx, id) => ctx.store.getWorkflowRun(id)),
  token: async (ctx, params) => {
    const id = idOf(params.id);
    const token = id === undefined ? undefined : await ctx.store.getApiToken(id);
    if (!token) return undefined;
    return { namespaceIds: await ctx.access.idsOf(token.namespaces), before: token };
  },
  user: async (ctx, params) => {
    const id = idOf(params.id);
    const user = id === undefined ? undefined : await ctx.store.getUser(id);
    if (!user || user.deletedAt !== null) return undefined;
    return { namespaceIds: await ctx.access.idsOf(user.namespaces), before: user };
  },
};

/** The 404 a route answers for a resource that does not exist or that the caller cannot see. */
export function notFoundOf(kind: ResourceKind, params: Record<string, string>): KairosError {
  switch (kind) {
    case 'task':
      return new KairosError('TASK_NOT_FOUND', `task ${params.id} does not exist`);
    case 'run':
      return new KairosError('RUN_NOT_FOUND', `run ${params.id} does not exist`);
    case 'app':
      return new KairosError('APP_NOT_FOUND', `app ${params.app} does not exist`);
    case 'calendar':
      return new KairosError('CALENDAR_NOT_FOUND', `calendar ${params.id} does not exist`);
    case 'batch':
      return new KairosError('BATCH_NOT_FOUND', `batch ${params.id} does not exist`);
    default:
      return new KairosError('NOT_FOUND', `${KIND_NAMES[kind]} ${params.id} does not exist`);
  }
}

const KIND_NAMES: Record<ResourceKind, string> = {
  task: 'task',
  run: 'run',
  app: 'app',
  calendar: 'calendar',
  contact: 'contact',
  contactGroup: 'contact group',
  alertRule: 'alert rule',
  alert: 'alert',
  token: 'token',
  user: 'user',
  batch: 'batch',
  workflow: 'workflow',
  workflowRun: 'workflow run',
};
