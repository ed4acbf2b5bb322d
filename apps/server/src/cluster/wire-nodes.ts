/**
 * The node's presence and, on PostgreSQL, the liveness watcher and its takeover of dead nodes,
 * wired from the store and configuration (kairos.ts calls this once).
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { LeaseKeeper } from '../scheduler/lease-keeper.js';
import type { Store } from '../store/store.js';
import { LivenessSession } from './liveness-session.js';
import { NodeLiveness } from './node-liveness.js';
import { NodePresence } from './node-presence.js';

/** PostgreSQL: heartbeats every second (the lock, not the heartbeat, says a node is alive). */
const CLUSTER_HEARTBEAT_MS = 1000;
/** SQLite: one node; its heartbeat only shows it running. */
const SINGLE_HEARTBEAT_MS = 5000;

export interface NodeWiring {
  presence: NodePresence;
  /** Absent with SQLite: no other node can die. */
  liveness: NodeLiveness | undefined;
}

export function wireNodes(deps: {
  store: Store;
  clock: Clock;
  logger: Logger;
  nodeId: string;
  version: string;
  databaseUrl: string | undefined;
  leases: LeaseKeeper;
}): NodeWiring {
  const { store, clock, logger, nodeId, leases } = deps;
  const shared = !store.capabilities.exclusiveWriter && deps.databaseUrl !== undefined;
  const session = shared ? new LivenessSession(deps.databaseUrl!, logger) : undefined;
  const presence = new NodePresence({
    store,
    clock,
    logger,
    nodeId,
    version: deps.version,
    heartbeatMs: shared ? CLUSTER_HEARTBEAT_MS : SINGLE_HEARTBEAT_MS,
    lock: session,
  });
  const liveness =
    session &&
    new NodeLiveness({
      store,
      clock,
      logger,
      nodeId,
      probe: session,
      onNodeDead: async (deadNode) => {
        const runs = await store.expireLeasesOf(deadNode);
        logger.info({ deadNode, runs }, 'leases of the dead node expired; recovering its runs now');
        await leases.recoverNow();
      },
    });
  return { presence, liveness };
}
