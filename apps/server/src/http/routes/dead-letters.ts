/**
 * Dead letters: runs whose retries are exhausted, listed (filtered, paged like runs), redriven
 * or discarded many at a time with a result per run.
 */
import {
  DeadLetter,
  DeadLetterActionRequest,
  DeadLetterActionResult,
  DeadLetterListQuery,
  listOf,
} from '@kairos/protocol';
import type { DeadLetter as DeadLetterBody } from '@kairos/protocol';
import { discardDeadLetters, redriveDeadLetters } from '../../services/dead-letters.js';
import type { DeadLetterRecord } from '../../store/dead-letter-store.js';
import type { FastifyRequest } from 'fastify';
import type { ApiContext } from '../context.js';
import { iso, presentRun } from '../present.js';
import type { RouteTable } from '../route-table.js';
import { instant } from '../validation.js';

async function present(ctx: ApiContext, letter: DeadLetterRecord): Promise<DeadLetterBody> {
  const { action } = letter;
  return {
    run: presentRun(letter.run, await ctx.namespaces.nameOf(letter.run.namespaceId)),
    taskName: letter.taskName,
    state: action?.action ?? 'open',
    handledAt: action ? iso(action.at) : null,
    handledBy: action?.actor ?? null,
    redriveRunId: action?.newRunId ?? null,
  };
}

export function deadLetterRoutes(routes: RouteTable, ctx: ApiContext): void {
  const deps = { store: ctx.store, engine: ctx.engine, now: () => ctx.clock.now() };
  const requestOf = (request: FastifyRequest, runIds: number[]) => ({
    runIds,
    actor: request.principal?.name ?? null,
    mayAct: (namespaceId: number) => ctx.access.holds(request, namespaceId, 'operator'),
  });

  routes.add(
    {
      method: 'GET',
      url: '/api/v1/dead-letters',
      summary:
        'Runs whose retries are exhausted (a final failed, timed_out or lost with no retry after it), newest first; `state` open (default), redriven, discarded or all',
      tag: 'dead-letters',
      access: { role: 'viewer', namespace: 'query' },
      query: DeadLetterListQuery,
      response: listOf(DeadLetter),
    },
    async ({ query, request }) => {
      const namespaceId = await ctx.access.listScope(request, query.namespace);
      const page = await ctx.store.listDeadLetters(
        {
          namespaceId,
          taskId: query.taskId,
          statuses: query.status,
          state: query.state,
          since: instant(query.since),
          until: instant(query.until),
        },
        { cursor: query.cursor, limit: query.limit },
      );
      return {
        items: await Promise.all(page.items.map((letter) => present(ctx, letter))),
        nextCursor: page.nextCursor,
      };
    },
  );

  routes.add(
    {
      method: 'POST',
      url: '/api/v1/dead-letters/redrive',
      summary:
        'Run dead letters again with their input (new runs, triggerType redrive, replayOf the dead run); a result per run, in order',
      tag: 'dead-letters',
      access: { role: 'operator', namespace: 'any' },
      body: DeadLetterActionRequest,
      response: DeadLetterActionResult,
    },
    async ({ body, request }) => ({ items: await redriveDeadLetters(deps, requestOf(request, body.runIds)) }),
  );

  routes.add(
    {
      method: 'POST',
      url: '/api/v1/dead-letters/discard',
      summary:
        'Discard dead letters (they leave the open list; the runs and the action are kept); a result per run',
      tag: 'dead-letters',
      access: { role: 'operator', namespace: 'any' },
      body: DeadLetterActionRequest,
      response: DeadLetterActionResult,
    },
    async ({ body, request }) => ({ items: await discardDeadLetters(deps, requestOf(request, body.runIds)) }),
  );
}
