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
      query: ListQuery,
      response: listOf(AlertRule),
    },
    async ({ query }) => {
      const namespaceId = query.namespace ? (await ctx.namespaces.resolve(query.namespace)).id : undefined;
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
      body: AlertRuleCreate,
      response: AlertRule,
      status: 201,
    },
    async ({ body }) => show(await alerts.createRule(body)),
  );
  routes.add(
    {
      method: 'GET',
      url: '/api/v1/alert-rules/:id',
      summary: 'Get an alert rule',
      tag: 'alerts',
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
      query: AlertListQuery,
      response: listOf(Alert),
    },
    async ({ query }) => {
      const namespaceId = query.namespace ? (await ctx.namespaces.resolve(query.namespace)).id : undefined;
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
      response: Alert,
    },
    async ({ params }) => {
      const alert = await ctx.store.getAlert(parseId(params.id, 'id'));
      if (!alert) throw new KairosError('NOT_FOUND', `alert ${params.id} does not exist`);
      return presentAlert(alert, await ctx.namespaces.nameOf(alert.namespaceId));
    },
  );
}
