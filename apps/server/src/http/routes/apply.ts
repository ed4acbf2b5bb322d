/**
 * POST /api/v1/apply: definitions as code (services/apply-service.ts). The caller needs the
 * editor role in every namespace the documents name, and admin in those where apps change (as
 * the apps routes need); a dry run answers the same plan and stores nothing.
 */
import { ApplyPlan, ApplyRequest } from '@kairos/protocol';
import { refuseExecutorAddress } from '../../job-types/executor/executor-address.js';
import { KairosError } from '../../errors.js';
import { ApplyService } from '../../services/apply-service.js';
import type { ApiContext } from '../context.js';
import type { RouteTable } from '../route-table.js';

export function applyRoutes(routes: RouteTable, ctx: ApiContext): void {
  const executors = ctx.executors;
  const service = new ApplyService({
    store: ctx.store,
    clock: ctx.clock,
    namespaces: ctx.namespaces,
    apps: ctx.apps,
    calendars: ctx.calendars,
    tasks: ctx.tasks,
    workflows: ctx.workflows,
    alerts: ctx.alerts,
    ...(executors
      ? {
          addressProblem: async (namespaceId: number, address: string) => {
            const refusal = refuseExecutorAddress(
              address.trim(),
              await executors.guards.guardNow(namespaceId),
            );
            if (refusal === undefined) return undefined;
            const code = /outbound/.test(refusal) ? 'DESTINATION_REFUSED' : 'VALIDATION_ERROR';
            return new KairosError(code, `${address} ${refusal}`);
          },
          addressesChanged: (appId: number) => executors.registry.invalidate(appId),
        }
      : {}),
  });

  routes.add(
    {
      method: 'POST',
      url: '/api/v1/apply',
      summary:
        'Create, update (and with prune delete) apps, calendars, tasks, contact groups, alert rules and workflows from definition documents, in one transaction',
      tag: 'definitions',
      // Editor in every namespace named, admin where apps change: checked in the handler.
      access: { role: 'editor', namespace: 'any' },
      body: ApplyRequest,
      response: ApplyPlan,
    },
    async ({ body, request }) => {
      body.documents.forEach(({ namespace }, i) =>
        ctx.access.require(
          request,
          namespace,
          'editor',
          () =>
            new KairosError(
              'NAMESPACE_NOT_FOUND',
              `documents.${i}.namespace: namespace "${namespace}" does not exist`,
              {
                field: `documents.${i}.namespace`,
              },
            ),
        ),
      );
      const prepared = await service.prepare(body);
      for (const [namespace, role] of prepared.roles) ctx.access.require(request, namespace, role);
      return body.dryRun ? prepared.plan : service.commit(prepared);
    },
  );
}
