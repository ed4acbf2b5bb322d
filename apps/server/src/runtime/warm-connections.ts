/**
 * Connections opened shortly before the runs that will use them, so that a burst of runs firing
 * at one instant does not open hundreds of TCP (and TLS) connections at that instant: on the
 * bench machine opening a connection costs about 0.15 ms of the event loop, which for 500 Dify
 * runs due together was most of the time before the last request left.
 *
 * A job type says when a request to an origin is expected (`expect`); about a second before, a
 * connection is opened and parked here; the agents (`agents`) hand parked connections
 * to new requests before opening its own. A parked connection that is not used shortly after its
 * instant (the run was cancelled, or an already open keep-alive connection served it) is closed;
 * one the server closes while parked is dropped. Nothing here is required for correctness: with
 * no parked connection the agent connects as usual.
 */
import http from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import type { ClientRequestArgs } from 'node:http';
import { isIP } from 'node:net';
import { clearTimeout, setImmediate, setTimeout } from 'node:timers';
import { GUARD_OPTION, guardAgent } from '../outbound/guarded-transport.js';
import type { DestinationGuard } from '../outbound/outbound-policy.js';

export interface WarmConnectionsOptions {
  /** How long before a request's instant its connection is opened (default 1 s). */
  openAheadMs?: number;
  /** A parked connection unused this long after its request's instant is closed (default 3 s). */
  unusedAfterMs?: number;
  /**
   * How many bytes a connection reads ahead of its consumer (its sockets' readableHighWaterMark;
   * Node's default is 16 KiB). A consumer that reads a stream at its own pace (see
   * EventLoopShare.readTurn) sets it low: the socket then stops reading as soon as the consumer
   * waits, instead of reading another 16 KiB (dozens of small reads) first.
   */
  readAheadBytes?: number;
  /**
   * Checks every connection's address (outbound/): the guard a request or an `expect` names, else
   * this one. Parked connections are kept per guard. Absent: connections are not checked.
   */
  guard?: DestinationGuard;
}

/** Connections opened per turn of the event loop (each costs ~0.15 ms), so timers stay on time. */
const OPEN_PER_TURN = 25;
/** At most this many connections are parked (or waiting to open) per origin. */
const MAX_PER_ORIGIN = 2000;
/** A request due sooner than this is not worth a parked connection. */
const MIN_LEAD_MS = 20;

type Protocol = 'http:' | 'https:';

interface Origin {
  protocol: Protocol;
  host: string;
  port: number;
  guard?: DestinationGuard | undefined;
}

interface Parked {
  socket: Duplex;
  /** performance.now() after which it is closed unused. */
  expiresAt: number;
  release: () => void;
}

interface Pending {
  origin: Origin;
  /** performance.now() of the request's instant. */
  dueAt: number;
}

export class WarmConnections {
  private readonly parked = new Map<string, Parked[]>();
  private readonly pendingByOrigin = new Map<string, number>();
  /** Requests still to get a connection, soonest first. */
  private pending: Pending[] = [];
  private timer: NodeJS.Timeout | null = null;
  private opening = false;
  private sweepTimer: NodeJS.Timeout | null = null;

  /** Keep-alive agents that start new requests on parked connections before opening their own. */
  readonly agents: { 'http:': http.Agent; 'https:': https.Agent };
  /** Each agent's own way of connecting (TLS and its options), used to open parked connections. */
  private readonly connectors = new Map<Protocol, (options: ClientRequestArgs) => Duplex>();

  private readonly openAheadMs: number;
  private readonly unusedAfterMs: number;
  /** Options every socket of the agents is made with, by protocol. */
  private readonly socketOptions: Record<
    Protocol,
    { readableHighWaterMark?: number; highWaterMark?: number }
  >;

  constructor(options: WarmConnectionsOptions = {}) {
    this.openAheadMs = options.openAheadMs ?? 1000;
    this.unusedAfterMs = options.unusedAfterMs ?? 3000;
    const readAhead = options.readAheadBytes;
    // A TLS socket takes only `highWaterMark` (for both directions): `readableHighWaterMark` is
    // ignored there (measured: 33 KB read ahead with it, 2 KB with highWaterMark).
    this.socketOptions = {
      'http:': readAhead === undefined ? {} : { readableHighWaterMark: readAhead },
      'https:': readAhead === undefined ? {} : { highWaterMark: readAhead },
    };
    const guarded = <A extends http.Agent>(agent: A): A =>
      options.guard ? guardAgent(agent, options.guard) : agent;
    this.agents = {
      'http:': this.warmed(
        'http:',
        guarded(new http.Agent({ keepAlive: true, scheduling: 'lifo', ...this.socketOptions['http:'] })),
      ),
      'https:': this.warmed(
        'https:',
        guarded(new https.Agent({ keepAlive: true, scheduling: 'lifo', ...this.socketOptions['https:'] })),
      ),
    };
  }

  /** A request to `url` (under `guard`) is expected in `dueInMs`: have a connection open for it by then. */
  expect(url: URL, dueInMs: number, guard?: DestinationGuard): void {
    if (dueInMs < MIN_LEAD_MS) return;
    const protocol = url.protocol as Protocol;
    if (protocol !== 'http:' && protocol !== 'https:') return;
    const origin = originOf(protocol, url.hostname, url.port, guard);
    const key = keyOf(origin);
    const count = (this.pendingByOrigin.get(key) ?? 0) + (this.parked.get(key)?.length ?? 0);
    if (count >= MAX_PER_ORIGIN) return;
    this.pendingByOrigin.set(key, (this.pendingByOrigin.get(key) ?? 0) + 1);
    const dueAt = performance.now() + dueInMs;
    const entry = { origin, dueAt };
    // Runs are mostly warmed in instant order: append, else insert in place.
    let i = this.pending.length;
    while (i > 0 && this.pending[i - 1]!.dueAt > dueAt) i--;
    this.pending.splice(i, 0, entry);
    this.schedule();
  }

  /** A parked connection to the request's origin, or undefined. */
  private take(options: ClientRequestArgs, protocol: Protocol): Duplex | undefined {
    const guard = (options as { [GUARD_OPTION]?: DestinationGuard })[GUARD_OPTION];
    const key = keyOf(
      originOf(protocol, options.host ?? options.hostname ?? 'localhost', options.port, guard),
    );
    const list = this.parked.get(key);
    while (list !== undefined && list.length > 0) {
      const parked = list.pop()!;
      parked.release();
      if (!parked.socket.destroyed) return parked.socket;
    }
    return undefined;
  }

  /** Closes every parked connection and forgets what was expected. */
  close(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.sweepTimer) clearTimeout(this.sweepTimer);
    this.timer = this.sweepTimer = null;
    this.pending = [];
    this.pendingByOrigin.clear();
    for (const list of this.parked.values()) for (const p of list) p.socket.destroy();
    this.parked.clear();
  }

  /** Number of parked connections (for tests and metrics). */
  get parkedCount(): number {
    let n = 0;
    for (const list of this.parked.values()) n += list.length;
    return n;
  }

  private warmed<A extends http.Agent>(protocol: Protocol, agent: A): A {
    const connect = agent.createConnection.bind(agent);
    this.connectors.set(protocol, (options) => {
      const socket = connect(options);
      if (!socket) throw new Error('the agent opened no connection');
      return socket;
    });
    agent.createConnection = (options, callback) =>
      this.take(options, protocol) ?? connect(options, callback);
    return agent;
  }

  private schedule(): void {
    if (this.opening || this.pending.length === 0) return;
    const wait = this.pending[0]!.dueAt - this.openAheadMs - performance.now();
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.openDue(), Math.max(0, wait));
    this.timer.unref();
  }

  /** Opens the connections whose time has come, a few per turn. */
  private openDue(): void {
    this.timer = null;
    const now = performance.now();
    let opened = 0;
    while (this.pending.length > 0 && this.pending[0]!.dueAt - this.openAheadMs <= now) {
      if (opened === OPEN_PER_TURN) {
        this.opening = true;
        setImmediate(() => {
          this.opening = false;
          this.openDue();
        }).unref();
        return;
      }
      const { origin, dueAt } = this.pending.shift()!;
      const key = keyOf(origin);
      const left = (this.pendingByOrigin.get(key) ?? 1) - 1;
      if (left === 0) this.pendingByOrigin.delete(key);
      else this.pendingByOrigin.set(key, left);
      this.park(key, origin, dueAt);
      opened++;
    }
    this.schedule();
  }

  private park(key: string, origin: Origin, dueAt: number): void {
    let socket: Duplex;
    try {
      socket = this.connectors.get(origin.protocol)!({
        ...connectOptions(origin),
        ...this.socketOptions[origin.protocol],
      });
    } catch {
      return;
    }
    const list = this.parked.get(key) ?? [];
    this.parked.set(key, list);
    const drop = (): void => {
      const i = list.indexOf(parked);
      if (i >= 0) list.splice(i, 1);
      parked.release();
      socket.destroy();
    };
    const parked: Parked = {
      socket,
      expiresAt: dueAt + this.unusedAfterMs,
      release: () => {
        socket.off('error', drop);
        socket.off('close', drop);
        socket.off('end', drop);
        (socket as { ref?: () => void }).ref?.();
      },
    };
    socket.on('error', drop);
    socket.on('close', drop);
    socket.on('end', drop);
    // A parked connection does not keep the process alive.
    (socket as { unref?: () => void }).unref?.();
    list.push(parked);
    this.scheduleSweep();
  }

  private scheduleSweep(): void {
    if (this.sweepTimer) return;
    this.sweepTimer = setTimeout(
      () => {
        this.sweepTimer = null;
        const now = performance.now();
        for (const [key, list] of this.parked) {
          for (const p of list.filter((p) => p.expiresAt <= now)) {
            list.splice(list.indexOf(p), 1);
            p.release();
            p.socket.destroy();
          }
          if (list.length === 0) this.parked.delete(key);
        }
        if (this.parkedCount > 0) this.scheduleSweep();
      },
      Math.min(1000, this.unusedAfterMs),
    );
    this.sweepTimer.unref();
  }
}

/** The origin a URL or a request's options name: IPv6 brackets dropped, the default port filled in. */
function originOf(
  protocol: Protocol,
  host: string,
  port: string | number | null | undefined,
  guard?: DestinationGuard,
): Origin {
  return {
    protocol,
    host: host.replace(/^\[(.*)\]$/, '$1'),
    port: Number(port || (protocol === 'https:' ? 443 : 80)),
    guard,
  };
}

function keyOf(origin: Origin): string {
  const base = `${origin.protocol}//${origin.host}:${origin.port}`;
  return origin.guard === undefined ? base : `${base} ${origin.guard.key}`;
}

/** The options an agent of `protocol` would connect to `origin` with. */
function connectOptions(origin: Origin): ClientRequestArgs & { servername?: string } {
  const options: ClientRequestArgs & { servername?: string; [GUARD_OPTION]?: DestinationGuard } = {
    host: origin.host,
    port: origin.port,
  };
  if (origin.guard !== undefined) options[GUARD_OPTION] = origin.guard;
  if (origin.protocol === 'https:' && isIP(origin.host) === 0) options.servername = origin.host;
  return options;
}
