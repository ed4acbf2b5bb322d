/**
 * The latency machinery, as one collaborator given to a node (`startKairos({ latency })`): the
 * layers that keep a burst of runs due at one instant on time, each optional and none needed for
 * correctness. The default does nothing (`noLatencyTuning`): background work runs when it comes,
 * connections open when a request needs one, timers fire when Node fires them and the scheduler
 * claims whenever it polls. `createLatencyTuning` builds the layers a server's settings ask for
 * (docs/configuration.md, `latency*`); bench/lateness.js measures each one on and off.
 *
 * - `share`: background work (event-stream reads and parsing, the run writer's statements, alert
 *   deliveries, pruning and batch writes on SQLite) waits in the moments before a planned run's
 *   release and takes the event loop in slices (EventLoopShare). Reading and parsing event
 *   streams in its turns (stream pacing) is a setting of its own: measured on Dify bursts it is a
 *   different cost from keeping the moments before a release clear (docs/performance.md).
 * - `connections`: connections opened about a second ahead of the runs that will use them
 *   (WarmConnections); the Dify job type asks for them.
 * - `spinTimers`: a run's timer armed 2 ms early and the rest covered by turns of the loop, for
 *   millisecond releases. Only with the system clock (a manual clock never moves while it spins).
 * - `paceClaims`: on SQLite the scheduler's claims stay out of the moments before a release and
 *   are sized to end before it.
 */
import http from 'node:http';
import https from 'node:https';
import { guardAgent } from '../outbound/guarded-transport.js';
import type { DestinationGuard } from '../outbound/outbound-policy.js';
import type { Config } from '../config.js';
import { EventLoopShare } from './event-loop-share.js';
import { WarmConnections } from './warm-connections.js';

/** How background work shares the event loop with the runs due (see EventLoopShare). */
export interface BackgroundShare {
  /** Runs a small synchronous piece of work now or on a later turn; resolves to its result. */
  run<T>(work: () => T): Promise<Awaited<T>>;
  /** Resolves when a background stream may read its next chunk. */
  readTurn(): Promise<void>;
  /** Resolves once no kept-clear instant is near. */
  whenClear(): Promise<void>;
  /** Keeps the moments before the instants `msUntil` names clear; returns a function that stops it. */
  keepClearBefore(msUntil: () => number): () => void;
  /**
   * Whether reads are paced (`readTurn` may wait): a stream's socket must then read no further
   * ahead than a chunk, or it reads on while its reader waits.
   */
  readonly pacesReads: boolean;
}

/** Keep-alive agents for outbound calls, and a way to say a request is coming. */
export interface OutboundConnections {
  readonly agents: { 'http:': http.Agent; 'https:': https.Agent };
  /** A request to `url` (under `guard`) is expected in `dueInMs` (a hint; may do nothing). */
  expect(url: URL, dueInMs: number, guard?: DestinationGuard): void;
}

export interface ConnectionOptions {
  /** Bytes a socket reads ahead of its consumer (absent: Node's default). */
  readAheadBytes?: number | undefined;
  /** Checks every connection's address when a request names no guard. */
  guard: DestinationGuard;
}

export interface LatencyTuning {
  readonly share: BackgroundShare;
  /** The agents for a kind of outbound call (one set per caller). */
  connections(options: ConnectionOptions): OutboundConnections;
  readonly spinTimers: boolean;
  readonly paceClaims: boolean;
}

type LatencyConfig = Pick<
  Config,
  | 'latencyShare'
  | 'latencyStreamPacing'
  | 'latencyWarmConnections'
  | 'latencyTimerSpin'
  | 'latencyClaimPacing'
>;

/** Which layers to build (each `true` turns one on). */
export interface LatencySettings {
  share: boolean;
  /**
   * With `share`: event streams are also read and parsed in its turns (`readTurn`, `run`; their
   * sockets read one chunk ahead). Off: only the keep-clear part (whenClear) is on.
   */
  paceStreams: boolean;
  warmConnections: boolean;
  spinTimers: boolean;
  paceClaims: boolean;
}

const unpacedShare: BackgroundShare = {
  run: <T>(work: () => T): Promise<Awaited<T>> => {
    try {
      return Promise.resolve(work()) as Promise<Awaited<T>>;
    } catch (error) {
      return Promise.reject(error as Error);
    }
  },
  readTurn: () => Promise.resolve(),
  whenClear: () => Promise.resolve(),
  keepClearBefore: () => () => undefined,
  pacesReads: false,
};

/** Plain keep-alive agents under the guard: connections open when a request needs one. */
function plainConnections(options: ConnectionOptions): OutboundConnections {
  const socket = (key: 'readableHighWaterMark' | 'highWaterMark') =>
    options.readAheadBytes === undefined ? {} : { [key]: options.readAheadBytes };
  return {
    agents: {
      'http:': guardAgent(
        new http.Agent({ keepAlive: true, scheduling: 'lifo', ...socket('readableHighWaterMark') }),
        options.guard,
      ),
      // A TLS socket takes only `highWaterMark` (see WarmConnections).
      'https:': guardAgent(
        new https.Agent({ keepAlive: true, scheduling: 'lifo', ...socket('highWaterMark') }),
        options.guard,
      ),
    },
    expect: () => undefined,
  };
}

/** No layer: the default of a node that is given none (tests, tools). */
export const noLatencyTuning: LatencyTuning = {
  share: unpacedShare,
  connections: plainConnections,
  spinTimers: false,
  paceClaims: false,
};

/** The layers a server's settings turn on (`latency*`, each `on` or `off`). */
export function latencyTuningFor(config: LatencyConfig): LatencyTuning {
  return createLatencyTuning({
    share: config.latencyShare === 'on',
    paceStreams: config.latencyStreamPacing === 'on',
    warmConnections: config.latencyWarmConnections === 'on',
    spinTimers: config.latencyTimerSpin === 'on',
    paceClaims: config.latencyClaimPacing === 'on',
  });
}

/** The layers `settings` turn on, each its own instance (one per node). */
export function createLatencyTuning(settings: LatencySettings): LatencyTuning {
  return {
    share: settings.share
      ? settings.paceStreams
        ? new EventLoopShare()
        : keepClearOnly(new EventLoopShare())
      : unpacedShare,
    connections: settings.warmConnections ? (options) => new WarmConnections(options) : plainConnections,
    spinTimers: settings.spinTimers,
    paceClaims: settings.paceClaims,
  };
}

/** The share's keep-clear instants and whenClear, with streams read and parsed as they come. */
function keepClearOnly(share: EventLoopShare): BackgroundShare {
  return {
    run: unpacedShare.run,
    readTurn: unpacedShare.readTurn,
    whenClear: () => share.whenClear(),
    keepClearBefore: (msUntil) => share.keepClearBefore(msUntil),
    pacesReads: false,
  };
}
