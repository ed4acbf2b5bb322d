/**
 * Executor routes of the REST API: the registry listing, an app's manual address list,
 * a run's executions (shards), and the pull-mode endpoints. The pull endpoints authenticate the
 * executor like the XXL-JOB admin endpoints do (XXL-JOB-APPNAME + XXL-JOB-ACCESS-TOKEN: the app's
 * own token), not with the admin bearer token, so they are marked public to the bearer check.
 */
import {
  Execution,
  Executor,
  ExecutorAddressList,
  ExecutorListQuery,
  PullCallback,
  PullCallbackResult,
  PullDisconnect,
  PullLogs,
  PullPoll,
  PullPollResult,
  listOf,
} from '@kairos/protocol';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ExecutorAuthError } from '../../job-types/executor/app-auth.js';
import { refuseExecutorAddress } from '../../job-types/executor/executor-address.js';
import type { Executors } from '../../job-types/executor/index.js';
import { KairosError } from '../../errors.js';
import type { AppRecord } from '../../store/records.js';
import type { ApiContext } from '../context.js';
import { executorAppOf } from '../executor-auth-hook.js';
import { iso } from '../present.js';
import type { RouteTable } from '../route-table.js';
import { parseId } from '../validation.js';

const header = (request: FastifyRequest, name: string): string | undefined => {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

export function executorRoutes(routes: RouteTable, ctx: ApiContext, executors: Executors): void {
  const authenticate = async (request: FastifyRequest): Promise<AppRecord> => {
    const app = executorAppOf(request);
    if (app !== undefined) return app;
    try {
      return await executors.auth.verify(
        header(request, 'xxl-job-appname'),
        header(request, 'xxl-job-access-token'),
      );
    } catch (error) {
      if (error instanceof ExecutorAuthError) throw new KairosError('UNAUTHORIZED', error.message);
      throw error;
    }
  };

  routes.add(
    {
      method: 'GET',
      url: '/api/v1/executors',
      summary:
        'List executors (of one app with ?app=), with address, mode, last heartbeat, status and running runs',
      tag: 'executors',
      access: { role: 'viewer', namespace: 'query' },
      query: ExecutorListQuery,
      response: listOf(Executor),
    },
    async ({ query, request }) => {
      const namespaceId = await ctx.access.listScope(request, query.namespace);
      const apps = query.app
        ? [await ctx.apps.find(query.app, query.namespace)]
        : (await ctx.store.listApps({ namespaceId }, { limit: 500 })).items;
      const visible = [];
      for (const app of apps) if (await ctx.access.holds(request, app.namespaceId)) visible.push(app);
      if (query.app && visible.length === 0) {
        throw new KairosError('APP_NOT_FOUND', `app ${query.app} does not exist`, { field: 'app' });
      }
      const byId = new Map(visible.map((a) => [a.id, a]));
      // Every executor only for a caller who sees every namespace; others see their apps' ones.
      const everyApp = !query.app && namespaceId === undefined;
      const records = await executors.registry.list(everyApp ? undefined : [...byId.keys()]);
      const running = new Map<number, Map<string, number>>();
      for (const appId of new Set(records.map((r) => r.appId))) {
        running.set(appId, await ctx.store.countOpenExecutions(appId));
      }
      const items = [];
      for (const r of records) {
        const app = byId.get(r.appId) ?? (await ctx.store.getApp(r.appId));
        items.push({
          id: r.id,
          appId: r.appId,
          appName: app?.appName ?? '',
          address: r.address,
          mode: r.mode,
          protocol: r.protocol,
          status: r.status,
          registeredAt: iso(r.registeredAt),
          lastHeartbeatAt: iso(r.lastHeartbeatAt),
          runningRuns: running.get(r.appId)?.get(r.address) ?? 0,
        });
      }
      return { items, nextCursor: null };
    },
  );

  routes.add(
    {
      method: 'GET',
      url: '/api/v1/apps/:app/executor-addresses',
      summary: "An app's manual executor address list (null: it routes to registered executors)",
      tag: 'executors',
      access: { role: 'viewer', namespace: { resource: 'app' } },
      response: ExecutorAddressList,
    },
    async ({ params }) => {
      const app = await ctx.apps.find(params.app!);
      return { addresses: await ctx.store.getAppExecutorAddresses(app.id) };
    },
  );

  routes.add(
    {
      method: 'PUT',
      url: '/api/v1/apps/:app/executor-addresses',
      summary:
        "Set an app's manual executor addresses (http or https; no link-local or metadata addresses), or null",
      tag: 'executors',
      access: { role: 'admin', namespace: { resource: 'app' } },
      body: ExecutorAddressList,
      response: ExecutorAddressList,
    },
    async ({ params, body }) => {
      const app = await ctx.apps.find(params.app!);
      const addresses = body.addresses === null ? null : [...new Set(body.addresses.map((a) => a.trim()))];
      const guard = await executors.guards.guardNow(app.namespaceId);
      addresses?.forEach((address, i) => {
        const refusal = refuseExecutorAddress(address, guard);
        if (refusal !== undefined) {
          const code = /outbound/.test(refusal) ? 'DESTINATION_REFUSED' : 'VALIDATION_ERROR';
          throw new KairosError(code, `addresses.${i}: ${address} ${refusal}`, {
            field: `addresses.${i}`,
          });
        }
      });
      await ctx.store.setAppExecutorAddresses(app.id, addresses, ctx.clock.now());
      executors.registry.invalidate(app.id);
      return { addresses };
    },
  );

  routes.add(
    {
      method: 'GET',
      url: '/api/v1/runs/:id/executions',
      summary: "A run's executions on executors: one per shard, with status, executor and message",
      tag: 'runs',
      access: { role: 'viewer', namespace: { resource: 'run' } },
      response: listOf(Execution),
    },
    async ({ params }) => {
      const id = parseId(params.id, 'id');
      if (!(await ctx.store.getRun(id))) throw new KairosError('RUN_NOT_FOUND', `run ${id} does not exist`);
      const items = (await ctx.store.listExecutionsOfRun(id)).map((e) => ({
        id: e.id,
        runId: e.runId,
        shardIndex: e.shardIndex,
        shardTotal: e.shardTotal,
        executor: e.executorAddress,
        status: e.status,
        handleCode: e.handleCode,
        message: e.handleMsg,
        createdAt: iso(e.createdAt),
        finishedAt: e.finishedAt === null ? null : iso(e.finishedAt),
      }));
      return { items, nextCursor: null };
    },
  );

  // ---------------------------------------------------------------- pull mode (the SDK)

  routes.add(
    {
      method: 'POST',
      url: '/api/v1/executor/poll',
      summary:
        'Pull executors: report results ready, heartbeat and long-poll for executions to run and kills (XXL-JOB-APPNAME + XXL-JOB-ACCESS-TOKEN)',
      tag: 'executors',
      body: PullPoll,
      response: PullPollResult,
      public: true,
    },
    async ({ body, request }) => {
      const app = await authenticate(request);
      // Results apply as a /callback batch does (items that do not apply are skipped), alongside
      // the poll rather than before it: on PostgreSQL their statements wait for connections, and
      // the executor's next work must not wait for them. Should they fail, the executions taken
      // are still handed out, and the executor is told to send the results again.
      const applied =
        body.results !== undefined && body.results.length > 0
          ? executors.callbacks
              .apply(body.results, { token: header(request, 'xxl-job-access-token'), appName: app.appName })
              .then(
                () => true,
                (error: unknown) => {
                  request.log.error({ err: error }, 'applying the results a poll carried failed');
                  return false;
                },
              )
          : true;
      const answer = await executors.pull.poll(app, body.executorId, { waitMs: body.waitMs, max: body.max });
      return (await applied) ? answer : { ...answer, resendResults: true };
    },
  );

  routes.add(
    {
      method: 'POST',
      url: '/api/v1/executor/callback',
      summary: 'Pull executors: report results (handleCode 200 = success); repeated callbacks change nothing',
      tag: 'executors',
      body: PullCallback,
      response: PullCallbackResult,
      public: true,
    },
    async ({ body, request }) => {
      const app = await authenticate(request);
      const report = await executors.callbacks.apply(body.items, {
        token: header(request, 'xxl-job-access-token'),
        appName: app.appName,
      });
      return { applied: report.applied, skipped: report.skipped };
    },
  );

  routes.add(
    {
      method: 'POST',
      url: '/api/v1/executor/logs',
      summary: "Pull executors: append lines to their executions' run logs",
      tag: 'executors',
      body: PullLogs,
      response: z.object({ appended: z.number().int() }),
      public: true,
    },
    async ({ body, request }) => {
      const app = await authenticate(request);
      const executions = new Map<number, Awaited<ReturnType<typeof ctx.store.getExecution>>>();
      const lines = [];
      for (const entry of body.entries) {
        if (!executions.has(entry.logId))
          executions.set(entry.logId, await ctx.store.getExecution(entry.logId));
        const execution = executions.get(entry.logId);
        if (!execution || execution.appId !== app.id) continue;
        const prefix =
          execution.shardTotal > 1 ? `[shard ${execution.shardIndex}/${execution.shardTotal}] ` : '';
        lines.push({
          runId: execution.runId,
          at: ctx.clock.now(),
          stream: entry.stream,
          text: prefix + entry.text,
        });
      }
      if (lines.length > 0) await ctx.store.appendRunLogs(lines);
      return { appended: lines.length };
    },
  );

  routes.add(
    {
      method: 'POST',
      url: '/api/v1/executor/disconnect',
      summary: 'Pull executors: unregister at shutdown (no longer routed to)',
      tag: 'executors',
      body: PullDisconnect,
      status: 204,
      public: true,
    },
    async ({ body, request }) => {
      const app = await authenticate(request);
      await executors.pull.disconnect(app, body.executorId);
    },
  );
}
