/**
 * Connection hooks that apply a DestinationGuard to the address a connection is actually opened
 * to, for the two HTTP stacks the server uses: node:http(s) agents (Dify calls, executor calls) and
 * undici dispatchers (fetch: `http` tasks, webhooks). Both resolve names through the guard's
 * `lookup`, so the address checked is the address connected to (no second DNS answer in between),
 * and both check literal addresses themselves, since net.connect skips lookup for those.
 *
 * Redirects: fetch opens each hop's connection through the same dispatcher, so every hop is
 * checked; node:http never follows redirects.
 */
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { Agent, buildConnector } from 'undici';
import { BlockedPortError, isBlockedPort } from './blocked-ports.js';
import type { Dispatcher } from 'undici';
import type { DestinationGuard } from './outbound-policy.js';

/** A request option naming the guard of the request's namespace (read by guardAgent's connections). */
export const GUARD_OPTION = 'kairosOutboundGuard';

type ConnectionOptions = http.ClientRequestArgs & { [GUARD_OPTION]?: DestinationGuard };
type CreateConnection = (
  options: ConnectionOptions,
  callback?: (error: Error | null, socket: Duplex) => void,
) => Duplex | null | undefined;

/**
 * Makes every new connection of a node:http(s) agent pass the guard given in the request's
 * options (`{ [GUARD_OPTION]: guard }`), else `fallback`. Connections are pooled per guard, so a
 * kept-alive connection opened under one namespace's rules never serves another's request.
 */
export function guardAgent<A extends http.Agent>(agent: A, fallback: DestinationGuard): A {
  const connect = (agent.createConnection as CreateConnection).bind(agent);
  const guarded: CreateConnection = (options, callback) => {
    const guard = options[GUARD_OPTION] ?? fallback;
    const host = String(options.host ?? options.hostname ?? 'localhost');
    const refused = guard.connectProblem(host);
    if (refused) {
      if (callback) {
        process.nextTick(callback, refused);
        return undefined;
      }
      throw refused;
    }
    return connect({ ...options, lookup: guard.lookup as http.ClientRequestArgs['lookup'] }, callback);
  };
  agent.createConnection = guarded as typeof agent.createConnection;
  const name = agent.getName.bind(agent);
  agent.getName = (options) => {
    const guard = (options as ConnectionOptions | undefined)?.[GUARD_OPTION];
    return guard === undefined || guard === fallback ? name(options) : `${name(options)}:${guard.key}`;
  };
  return agent;
}

/** An undici dispatcher whose every connection (redirect hops included) passes the guard. */
export function guardedDispatcher(guard: DestinationGuard, options: Agent.Options = {}): Dispatcher {
  const connector = buildConnector({ lookup: guard.lookup as never });
  return new Agent({
    ...options,
    connect: (connectOptions, callback) => {
      const refused = guard.connectProblem(connectOptions.hostname);
      if (refused) {
        callback(refused, null);
        return;
      }
      // A redirect hop to a port of another protocol (the first URL is checked before sending).
      if (connectOptions.port !== '' && isBlockedPort(connectOptions.port)) {
        callback(new BlockedPortError(Number(connectOptions.port)), null);
        return;
      }
      connector(connectOptions, callback);
    },
  });
}

/** One dispatcher per guard, made on first use. */
export class GuardedDispatchers {
  readonly #byGuard = new WeakMap<DestinationGuard, Dispatcher>();

  constructor(private readonly options: Agent.Options = {}) {}

  for(guard: DestinationGuard): Dispatcher {
    let dispatcher = this.#byGuard.get(guard);
    if (dispatcher === undefined) {
      dispatcher = guardedDispatcher(guard, this.options);
      this.#byGuard.set(guard, dispatcher);
    }
    return dispatcher;
  }
}
