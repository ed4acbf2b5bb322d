import {
  AlertListQuery,
  AlertRule,
  AlertRuleCreate,
  AlertRuleUpdate,
  Alert,
  ListQuery,
  listOf,
} from '@kairos/protocol';
import type { AlertService } from '../../alerts/alert-service.js';
import type { AlertRuleRecord } from '../../store/alert-records.js';
import { KairosError } from '../../errors.js';
import type { ApiContext } from '../context.js';
import { presentAlert, presentAlertRule } from '../present-alerts.js';
import type { RouteTable } from '../route-table.js';
import { parseId } from '../validation.js';

/** Alert rules and the alert history (with every delivery's channel, status, attempts and error). */
export function alertRoutes(routes: RouteTable, ctx: ApiContext, alerts: AlertService): void {
  const show = async (rule: AlertRuleRecord) =>
    presentAlertRule(
      rule,
      await ctx.namespaces.nameOf(rule.namespaceId),
      rule.scope.kind === 'app' ? (await ctx.store.getApp(rule.scope.appId))?.appName : undefined,
    );

  routes.add(
    {
      method: 'GET',
      url: '/api/v1/alert-rules',
      summary: 'List alert rules',
      tag: 'alerts',
      access: { role: 'viewer', namespace: 'query' },
      query: ListQuery,
      response: listOf(AlertRule),
    },
    async ({ query, request }) => {
      const namespaceId = await ctx.access.listScope(request, query.namespace);
      const page = await ctx.store.listAlertRules(
        { namespaceId },
        { cursor: query.cursor, limit: query.limit },
      );
      return { items: await Promise.all(page.items.map(show)), nextCursor: page.nextCursor };
    },
  );
  routes.add(
    {
      method: 'POST',
      url: '/api/v1/alert-rules',
      summary: 'Create an alert rule',
      tag: 'alerts',
      access: { role: 'editor', namespace: 'body' },
      body: AlertRuleCreate,
      response: AlertRule,
      status: 201,
    },
    async ({ body, request }) => {
      // A rule lives in its scope's namespace (a task's, or the one named), not only the body's.
      const scope = body.scope;
      if ('taskId' in scope) {
        const task = await ctx.store.getTask(scope.taskId);
        const invisible = () =>
          new KairosError('VALIDATION_ERROR', `scope.taskId: task ${scope.taskId} does not exist`, {
            field: 'scope.taskId',
          });
        if (!task) throw invisible();
        ctx.access.require(request, await ctx.namespaces.nameOf(task.namespaceId), 'editor', invisible);
      } else if ('namespace' in scope) {
        ctx.access.require(
          request,
          scope.namespace,
          'editor',
          () =>
            new KairosError(
              'NAMESPACE_NOT_FOUND',
              `scope.namespace: namespace "${scope.namespace}" does not exist`,
              {
                field: 'scope.namespace',
              },
            ),
        );
      }
      return show(await alerts.createRule(body));
    },
  );
  routes.add(
    {
      method: 'GET',
      url: '/api/v1/alert-rules/:id',
      summary: 'Get an alert rule',
      tag: 'alerts',
      access: { role: 'viewer', namespace: { resource: 'alertRule' } },
      response: AlertRule,
    },
    async ({ params }) => show(await alerts.rule(parseId(params.id, 'id'))),
  );
  routes.add(
    {
      method: 'PATCH',
      url: '/api/v1/alert-rules/:id',
      summary: 'Change an alert rule (mute it with mutedUntil)',
      tag: 'alerts',
      access: { role: 'editor', namespace: { resource: 'alertRule' } },
      body: AlertRuleUpdate,
      response: AlertRule,
    },
    async ({ params, body }) => show(await alerts.updateRule(parseId(params.id, 'id'), body)),
  );
  routes.add(
    {
      method: 'DELETE',
      url: '/api/v1/alert-rules/:id',
      summary: 'Delete an alert rule (its alerts stay in the history)',
      tag: 'alerts',
      access: { role: 'editor', namespace: { resource: 'alertRule' } },
      status: 204,
    },
    async ({ params }) => alerts.deleteRule(parseId(params.id, 'id')),
  );

  routes.add(
    {
      method: 'GET',
      url: '/api/v1/alerts',
      summary: 'Alert history, newest first, with deliveries',
      tag: 'alerts',
      access: { role: 'viewer', namespace: 'query' },
      query: AlertListQuery,
      response: listOf(Alert),
    },
    async ({ query, request }) => {
      const namespaceId = await ctx.access.listScope(request, query.namespace);
      const page = await ctx.store.listAlerts(
        { namespaceId, ruleId: query.ruleId },
        { cursor: query.cursor, limit: query.limit },
      );
      return {
        items: await Promise.all(
          page.items.map(async (a) => presentAlert(a, await ctx.namespaces.nameOf(a.namespaceId))),
        ),
        nextCursor: page.nextCursor,
      };
    },
  );
  routes.add(
    {
      method: 'GET',
      url: '/api/v1/alerts/:id',
      summary: 'One alert with its deliveries',
      tag: 'alerts',
      access: { role: 'viewer', namespace: { resource: 'alert' } },
      response: Alert,
    },
    async ({ params }) => {
      const alert = await ctx.store.getAlert(parseId(params.id, 'id'));
      if (!alert) throw new KairosError('NOT_FOUND', `alert ${params.id} does not exist`);
      return presentAlert(alert, await ctx.namespaces.nameOf(alert.namespaceId));
    },
  );
}
