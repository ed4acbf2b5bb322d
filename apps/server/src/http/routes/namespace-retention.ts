/**
 * GET and PUT /api/v1/namespaces/:name/retention: a namespace's run history retention (issue
 * 17), applied by the run pruner (retention/run-pruner.ts). PUT changes only the settings it
 * names; null hands a setting back to the server's default.
 */
import { Retention, RetentionUpdate } from '@kairos/protocol';
import type { NamespaceRecord } from '../../store/records.js';
import type { RetentionSettings } from '../../store/retention-store.js';
import { effectiveRetention, type RetentionDefaults } from '../../retention/retention-policy.js';
import type { ApiContext } from '../context.js';
import type { RouteTable } from '../route-table.js';

/** Without the server's settings (a context built by hand): keep everything. */
const KEEP_ALL: RetentionDefaults = { keepDays: 0, keepRunsPerTask: 0, keepLogsDays: 0 };
const UNSET: RetentionSettings = { keepDays: null, keepRunsPerTask: null, keepLogsDays: null };

export function namespaceRetentionRoutes(routes: RouteTable, ctx: ApiContext): void {
  const present = (ns: NamespaceRecord, settings: RetentionSettings) => ({
    namespace: ns.name,
    ...settings,
    effective: effectiveRetention(settings, ctx.retentionDefaults ?? KEEP_ALL),
  });
  routes.add(
    {
      method: 'GET',
      url: '/api/v1/namespaces/:name/retention',
      summary: "A namespace's run history retention",
      access: { role: 'viewer', namespace: { param: 'name' } },
      tag: 'namespaces',
      response: Retention,
    },
    async ({ params }) => {
      const ns = await ctx.namespaces.resolve(params.name, 'name');
      return present(ns, (await ctx.store.getRetention(ns.id)) ?? UNSET);
    },
  );
  routes.add(
    {
      method: 'PUT',
      url: '/api/v1/namespaces/:name/retention',
      summary:
        "Set a namespace's run history retention (days, runs per task, log days; null: the server's default)",
      access: { role: 'admin', namespace: { param: 'name' } },
      tag: 'namespaces',
      body: RetentionUpdate,
      response: Retention,
    },
    async ({ params, body }) => {
      const ns = await ctx.namespaces.resolve(params.name, 'name');
      const current = (await ctx.store.getRetention(ns.id)) ?? UNSET;
      const next: RetentionSettings = {
        keepDays: body.keepDays === undefined ? current.keepDays : body.keepDays,
        keepRunsPerTask: body.keepRunsPerTask === undefined ? current.keepRunsPerTask : body.keepRunsPerTask,
        keepLogsDays: body.keepLogsDays === undefined ? current.keepLogsDays : body.keepLogsDays,
      };
      return present(ns, await ctx.store.setRetention(ns.id, next));
    },
  );
}
