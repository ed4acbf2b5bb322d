import { SchedulePreview, SchedulePreviewRequest } from '@kairos/protocol';
import { explainCron } from '@kairos/time';
import type { ApiContext } from '../context.js';
import { iso } from '../present.js';
import type { RouteTable } from '../route-table.js';
import { instant } from '../validation.js';

export function scheduleRoutes(routes: RouteTable, ctx: ApiContext): void {
  routes.add(
    {
      method: 'POST',
      url: '/api/v1/schedules/preview',
      summary:
        'The next fires of a schedule, strictly after `from` (default now), time zone, DST and calendar applied',
      tag: 'schedules',
      access: { role: 'viewer', namespace: 'body', audit: false },
      body: SchedulePreviewRequest,
      response: SchedulePreview,
    },
    async ({ body }) => {
      const ns = await ctx.namespaces.resolve(body.namespace);
      const fires = await ctx.tasks.preview(
        body.schedule,
        ns.id,
        instant(body.from) ?? ctx.clock.now(),
        body.count,
      );
      const explanation = body.schedule.type === 'cron' ? explainCron(body.schedule.expression) : undefined;
      return { fires: fires.map(iso), ...(explanation ? { explanation } : {}) };
    },
  );
}
