/**
 * Redriving and discarding dead letters, many at once, each item answered on its own (a run that
 * is no dead letter, handled already, or out of the caller's reach fails its item only). A
 * redrive is a new run with the same input (triggerType `redrive`, replayOf the dead run) keyed
 * `redrive:<run id>`, so a repeated or concurrent redrive of one run makes one new run; the new
 * run is stored before the action that records it, so a crash in between leaves the dead letter
 * open, and redriving it again finds the same run.
 */
import type { DeadLetterActionResult } from '@kairos/protocol';
import type { RunEngine } from '../runs/run-engine.js';
import type { DeadLetterRecord } from '../store/dead-letter-store.js';
import type { Store, TaskRecord } from '../store/store.js';

type Item = DeadLetterActionResult['items'][number];

export interface DeadLetterDeps {
  store: Store;
  engine: RunEngine;
  now: () => number;
}

export interface DeadLetterRequest {
  runIds: number[];
  actor: string | null;
  /** Whether the caller may act on runs of this namespace (false: the run is unknown to it). */
  mayAct: (namespaceId: number) => Promise<boolean>;
}

export async function redriveDeadLetters(deps: DeadLetterDeps, request: DeadLetterRequest) {
  const { results, open } = await openDeadLetters(deps, request);
  const tasks = new Map<number, TaskRecord | undefined>();
  for (const letter of open) {
    if (!tasks.has(letter.run.taskId))
      tasks.set(letter.run.taskId, await deps.store.getTask(letter.run.taskId));
  }
  const runnable = open.filter((letter) => tasks.get(letter.run.taskId) !== undefined);
  const runs = await deps.engine.triggerMany(
    runnable.map((letter) => ({
      task: tasks.get(letter.run.taskId)!,
      input: letter.run.input,
      triggerType: 'redrive' as const,
      replayOf: letter.run.id,
      versionPin: null,
      idempotencyKey: `redrive:${letter.run.id}`,
    })),
  );
  const at = deps.now();
  await deps.store.recordDeadLetterActions(
    runnable.map((letter, i) => ({
      runId: letter.run.id,
      namespaceId: letter.run.namespaceId,
      action: 'redriven' as const,
      newRunId: runs[i]!.run.id,
      actor: request.actor,
      at,
    })),
  );
  const newRun = new Map(runnable.map((letter, i) => [letter.run.id, runs[i]!.run.id]));
  return request.runIds.map(
    (runId, index): Item =>
      results.get(index) ??
      (newRun.has(runId)
        ? { runId, newRunId: newRun.get(runId)! }
        : failure(runId, index, 'TASK_NOT_FOUND', `the task of run ${runId} does not exist any more`)),
  );
}

export async function discardDeadLetters(deps: DeadLetterDeps, request: DeadLetterRequest) {
  const { results, open } = await openDeadLetters(deps, request);
  const recorded = await deps.store.recordDeadLetterActions(
    open.map((letter) => ({
      runId: letter.run.id,
      namespaceId: letter.run.namespaceId,
      action: 'discarded' as const,
      newRunId: null,
      actor: request.actor,
      at: deps.now(),
    })),
  );
  return request.runIds.map(
    (runId, index): Item =>
      results.get(index) ??
      (recorded.has(runId)
        ? { runId, newRunId: null }
        : failure(runId, index, 'CONFLICT', `dead letter ${runId} was handled meanwhile`)),
  );
}

const failure = (runId: number, index: number, code: string, message: string): Item => ({
  runId,
  error: { code, message, field: `runIds.${index}` },
});

/** The open dead letters among the request's runs; the refusals of the others, by index. */
async function openDeadLetters(deps: DeadLetterDeps, request: DeadLetterRequest) {
  const letters = await deps.store.getDeadLetters([...new Set(request.runIds)]);
  const results = new Map<number, Item>();
  const open: DeadLetterRecord[] = [];
  const seen = new Set<number>();
  for (const [index, runId] of request.runIds.entries()) {
    const letter = letters.get(runId);
    if (!letter || !(await request.mayAct(letter.run.namespaceId))) {
      results.set(
        index,
        failure(
          runId,
          index,
          'NOT_FOUND',
          `run ${runId} is not a dead letter (a final failure with no retry after it)`,
        ),
      );
    } else if (letter.action !== null) {
      results.set(
        index,
        failure(runId, index, 'CONFLICT', `dead letter ${runId} was ${letter.action.action} already`),
      );
    } else if (seen.has(runId)) {
      results.set(index, failure(runId, index, 'CONFLICT', `run ${runId} is named twice`));
    } else {
      seen.add(runId);
      open.push(letter);
    }
  }
  return { results, open };
}
