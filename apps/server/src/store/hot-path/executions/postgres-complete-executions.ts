/**
 * Completes executions in one statement over arrays, each only while still open (handle_code
 * NULL) and, where an app list is given, only if it is of one of those apps: the conditional
 * UPDATE makes each completion happen once, whichever node receives the callback. A repeated id
 * in one call is left to a later statement (an UPDATE … FROM updates a row once whatever the
 * number of matching rows, and which match it took would be arbitrary).
 */
import type { Selectable } from 'kysely';
import type { ExecutionsTable } from '../../db-schema.js';
import type { ExecutionResult } from '../../executor-records.js';
import type { Queryable } from '../postgres-queryable.js';

export interface CompletionRequest {
  id: number;
  result: ExecutionResult;
  /** Only an execution of one of these apps; absent: of any app. */
  appIds?: number[] | undefined;
}

type Row = Selectable<ExecutionsTable>;

const COMPLETE = `
  WITH v AS (
    SELECT * FROM unnest($1::bigint[], $2::text[], $3::integer[], $4::text[], $5::boolean[], $6::bigint[], $7::text[])
      AS v(id, status, handle_code, handle_msg, retryable, finished_at, app_ids)
  )
  UPDATE executions e
  SET status = v.status, handle_code = v.handle_code, handle_msg = v.handle_msg,
      retryable = v.retryable, finished_at = v.finished_at
  FROM v
  WHERE e.id = v.id AND e.handle_code IS NULL
    AND (v.app_ids IS NULL OR e.app_id = ANY (v.app_ids::bigint[]))
  RETURNING e.*`;

/** A request's outcome: the row it completed, undefined when it completed nothing, or its error. */
export type CompletionOutcome = Row | undefined | CompletionFailed;

/** A request whose statement failed (its values refused by the database, the connection lost). */
export class CompletionFailed {
  constructor(readonly error: unknown) {}
}

/**
 * The outcome of each request, in order. A statement that fails is tried again request by
 * request, so that one request the database refuses (a value out of its column's range) fails
 * alone; a round already run keeps its outcomes whatever a later round does.
 */
export async function completeExecutionsOnPostgres(
  client: Queryable,
  requests: CompletionRequest[],
): Promise<CompletionOutcome[]> {
  const outcomes: CompletionOutcome[] = requests.map(() => undefined);
  let pending = requests.map((request, index) => ({ request, index }));
  while (pending.length > 0) {
    const now: typeof pending = [];
    const later: typeof pending = [];
    const seen = new Set<number>();
    for (const p of pending) {
      if (seen.has(p.request.id)) later.push(p);
      else {
        seen.add(p.request.id);
        now.push(p);
      }
    }
    pending = later;
    try {
      const rows = await complete(
        client,
        now.map((p) => p.request),
      );
      for (const { request, index } of now) outcomes[index] = rows.get(request.id);
    } catch (error) {
      if (now.length === 1) outcomes[now[0]!.index] = new CompletionFailed(error);
      else {
        for (const { request, index } of now) {
          try {
            outcomes[index] = (await complete(client, [request])).get(request.id);
          } catch (alone) {
            outcomes[index] = new CompletionFailed(alone);
          }
        }
      }
    }
  }
  return outcomes;
}

/** One statement: the rows completed, by id. */
async function complete(client: Queryable, requests: CompletionRequest[]): Promise<Map<number, Row>> {
  const column = <T>(pick: (r: CompletionRequest) => T) => requests.map(pick);
  const { rows } = await client.query<Row>(COMPLETE, [
    column((r) => r.id),
    column((r) => r.result.status),
    column((r) => r.result.handleCode),
    column((r) => r.result.handleMsg),
    column((r) => r.result.retryable),
    column((r) => r.result.finishedAt),
    column((r) => (r.appIds === undefined ? null : `{${r.appIds.join(',')}}`)),
  ]);
  return new Map(rows.map((row) => [Number(row.id), row]));
}
