/**
 * The change feed wired to this node (PostgreSQL only): local changes are told to the other
 * nodes, and their changes are replayed here as if made here: a cancel aborts the run if it runs
 * here; a rescheduled or disabled task loses the slots this node planned (TaskService's own
 * dropPlannedRuns), a deleted one is forgotten; then the event is emitted on the local bus with
 * `fromNode`, so the scheduler wakes and the calendar and alert-rule caches refresh as for a
 * local change.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { EventBus } from '../events.js';
import type { RunEngine } from '../runs/run-engine.js';
import type { TaskService } from '../services/task-service.js';
import type { Store } from '../store/store.js';
import { ChangeFeed } from './change-feed.js';
import type { ClusterChange } from './change-feed.js';

export interface ChangeWiring {
  feed: ChangeFeed;
  /** Stops telling other nodes of local changes. */
  unsubscribe: () => void;
}

export function wireChanges(deps: {
  databaseUrl: string;
  store: Store;
  clock: Clock;
  logger: Logger;
  nodeId: string;
  events: EventBus;
  engine: RunEngine;
  tasks: TaskService;
  /** What to re-read after missed notices (the calendar cache, a scheduler pass). */
  resync: () => void;
}): ChangeWiring {
  const { store, events, engine, tasks, logger } = deps;

  const replay = async (change: ClusterChange, fromNode: string): Promise<void> => {
    switch (change.kind) {
      case 'cancel':
        engine.abortLocal([change.runId], { kind: 'cancel' });
        return;
      case 'task': {
        const task = await store.getTask(change.taskId);
        if (task === undefined) return;
        if (change.rescheduled) {
          await tasks.dropPlannedRuns(
            task.id,
            task.enabled ? 'the task was rescheduled' : 'the task was disabled',
          );
        }
        events.emit('task:changed', { task, rescheduled: change.rescheduled, fromNode });
        return;
      }
      case 'task_deleted':
        engine.forgetTask(change.taskId);
        events.emit('task:deleted', { taskId: change.taskId, fromNode });
        return;
      case 'calendar':
        events.emit('calendar:changed', { calendarId: change.calendarId, fromNode });
        return;
      case 'alert_rule':
        events.emit('alert_rule:changed', { ruleId: change.ruleId, fromNode });
        return;
    }
  };

  const feed = new ChangeFeed({
    databaseUrl: deps.databaseUrl,
    clock: deps.clock,
    logger,
    nodeId: deps.nodeId,
    onChange: (change, fromNode) => {
      replay(change, fromNode).catch((error: unknown) =>
        logger.error({ err: error, change, fromNode }, 'applying another node’s change failed'),
      );
    },
    onResync: deps.resync,
  });

  const offs = [
    events.on('run:cancel_requested', ({ run }) => feed.publish({ kind: 'cancel', runId: run.id })),
    events.on('task:changed', ({ task, rescheduled, fromNode }) =>
      fromNode === undefined
        ? feed.publish({ kind: 'task', taskId: task.id, rescheduled: rescheduled ?? false })
        : undefined,
    ),
    events.on('task:deleted', ({ taskId, fromNode }) =>
      fromNode === undefined ? feed.publish({ kind: 'task_deleted', taskId }) : undefined,
    ),
    events.on('calendar:changed', ({ calendarId, fromNode }) =>
      fromNode === undefined ? feed.publish({ kind: 'calendar', calendarId }) : undefined,
    ),
    events.on('alert_rule:changed', ({ ruleId, fromNode }) =>
      fromNode === undefined ? feed.publish({ kind: 'alert_rule', ruleId }) : undefined,
    ),
  ];
  return { feed, unsubscribe: () => offs.forEach((off) => off()) };
}
