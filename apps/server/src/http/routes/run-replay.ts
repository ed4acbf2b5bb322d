/**
 * Replay and compare: POST /runs/{id}/replay runs a past run again with its input (optionally
 * pinned to the target version it ran); GET /runs/compare puts two runs side by side, node by
 * node.
 */
import { CompareQuery, ReplayRequest, Run, RunComparison } from '@kairos/protocol';
import { KairosError } from '../../errors.js';
import { compareRuns } from '../../services/run-comparison.js';
import { replayRun } from '../../services/run-replay.js';
import { readRunTrack } from '../../services/run-track.js';
import type { RunRecord } from '../../store/store.js';
import type { ApiContext } from '../context.js';
import { presentRun } from '../present.js';
import type { RouteTable } from '../route-table.js';
import { parseId } from '../validation.js';

export function runReplayRoutes(routes: RouteTable, ctx: ApiContext): void {
  routes.add(
    {
      method: 'POST',
      url: '/api/v1/runs/:id/replay',
      summary:
        'Run a past run again with the same input, as a new run linked to it (replayOf); `pin: true` runs the target version it ran (Dify: its workflow_id)',
      tag: 'runs',
      access: { role: 'operator', namespace: { resource: 'run' } },
      body: ReplayRequest,
      response: Run,
      status: 201,
    },
    async ({ params, body }) => {
      const id = parseId(params.id, 'id');
      const run = await ctx.store.getRun(id);
      if (!run) throw new KairosError('RUN_NOT_FOUND', `run ${id} does not exist`);
      const replay = await replayRun(ctx, run, body.pin);
      return presentRun(replay, await ctx.namespaces.nameOf(replay.namespaceId));
    },
  );

  routes.add(
    {
      method: 'GET',
      url: '/api/v1/runs/compare',
      summary:
        'Two runs side by side: inputs, outputs, status, tokens and cost, and their tracks node by node (status, outputs, elapsed, tokens)',
      tag: 'runs',
      access: { role: 'viewer', namespace: 'any' },
      query: CompareQuery,
      response: RunComparison,
    },
    async ({ query, request }) => {
      const visible = async (id: number, field: string): Promise<RunRecord> => {
        const run = await ctx.store.getRun(id);
        if (!run || !(await ctx.access.holds(request, run.namespaceId)))
          throw new KairosError('RUN_NOT_FOUND', `${field}: run ${id} does not exist`, { field });
        return run;
      };
      const left = await visible(query.left, 'left');
      const right = await visible(query.right, 'right');
      const [leftTrack, rightTrack] = await Promise.all([
        readRunTrack(ctx.store, ctx.jobTypes, left),
        readRunTrack(ctx.store, ctx.jobTypes, right),
      ]);
      const resultOf = async (run: RunRecord) => {
        const task = await ctx.store.getTask(run.taskId);
        const result = task ? ctx.jobTypes?.get(task.type)?.result : undefined;
        return result ? result(run.output) : run.output;
      };
      return compareRuns(
        presentRun(left, await ctx.namespaces.nameOf(left.namespaceId)),
        presentRun(right, await ctx.namespaces.nameOf(right.namespaceId)),
        { left: leftTrack.nodes, right: rightTrack.nodes },
        { left: await resultOf(left), right: await resultOf(right) },
      );
    },
  );
}
