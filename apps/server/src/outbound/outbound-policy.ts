/**
 * Where the server agrees to send requests that API users choose the destination of: `http`
 * tasks, Dify endpoints, alert webhooks and executor addresses. Without it, a task could make the
 * server fetch the cloud metadata service (credentials) or other hosts only the server can reach.
 *
 * Rules, in order: a cloud metadata host name is refused; then an address is refused when it is in
 * a refused range (link-local and metadata addresses by default, plus the server's `outboundDeny`)
 * and not in the server's `outboundAllow`; a namespace's own lists then narrow what is left the
 * same way (its allow list punches holes only in its own deny list: a namespace can never reach
 * what the server refuses). Loopback and private ranges are allowed unless a deny list names them.
 *
 * The check runs on the text of a URL when it is saved (urlProblem: literal addresses, metadata
 * names; no DNS, so saving stays fast and offline), and on the address actually connected to
 * (`lookup` for names, the connect hooks of guarded-transport.ts for literal addresses), for every
 * connection including those of redirects: a name that resolves, or later re-resolves (DNS
 * rebinding), to a refused address cannot be reached.
 */
import { lookup as dnsLookup } from 'node:dns';
import type { LookupAddress, LookupOptions } from 'node:dns';
import { AddressRanges, DEFAULT_REFUSED, METADATA_HOSTS, canonicalAddress } from './address-ranges.js';

/** CIDR lists: deny adds refused ranges, allow makes exceptions to them. */
export interface OutboundRules {
  allow: readonly string[];
  deny: readonly string[];
}

/** What `localhost` names stand for: refused when this is. */
const LOOPBACK_ADDRESS = '127.0.0.1';

export const NO_RULES: OutboundRules = { allow: [], deny: [] };

/** Resolves a host name to its addresses (all of them): dns.lookup by default, injectable in tests. */
export type HostResolver = (hostname: string) => Promise<LookupAddress[]>;

export const systemResolver: HostResolver = (hostname) =>
  new Promise((resolve, reject) =>
    dnsLookup(hostname, { all: true }, (error, addresses) => (error ? reject(error) : resolve(addresses))),
  );

/** The error a refused connection fails with (its `code` is EDESTINATIONREFUSED). */
export class DestinationRefusedError extends Error {
  readonly code = 'EDESTINATIONREFUSED';
  constructor(readonly reason: string) {
    super(`destination refused by the outbound policy: ${reason}`);
    this.name = 'DestinationRefusedError';
  }
}

/** The DestinationRefusedError in an error's cause chain (fetch wraps it twice), if any. */
export function findDestinationRefusal(error: unknown): DestinationRefusedError | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current instanceof Error; depth++) {
    if (current instanceof DestinationRefusedError) return current;
    current = current.cause;
  }
  return undefined;
}

/** A net/dns-compatible lookup (both the `all` and the single-address callback forms). */
export type GuardedLookup = (
  hostname: string,
  options: LookupOptions,
  callback: (error: Error | null, address: string | LookupAddress[], family?: number) => void,
) => void;

class RangeRule {
  readonly #deny: AddressRanges;
  readonly #allow: AddressRanges;
  constructor(deny: readonly string[], allow: readonly string[]) {
    this.#deny = new AddressRanges(deny);
    this.#allow = new AddressRanges(allow);
  }
  refuses(address: string): boolean {
    return this.#deny.has(address) && !this.#allow.has(address);
  }
}

/** The policy in force for one namespace (or for the server alone). */
export class DestinationGuard {
  readonly #server: RangeRule;
  readonly #namespace: RangeRule;
  /** Identifies the rules: connections are pooled per key. */
  readonly key: string;

  constructor(
    server: OutboundRules,
    namespace: OutboundRules,
    private readonly resolve: HostResolver,
  ) {
    this.#server = new RangeRule([...DEFAULT_REFUSED, ...server.deny], server.allow);
    this.#namespace = new RangeRule(namespace.deny, namespace.allow);
    this.key = JSON.stringify([server, namespace]);
  }

  /** Why an IP address may not be connected to, or undefined (a non-address is not judged here). */
  addressProblem(address: string): string | undefined {
    const ip = canonicalAddress(address);
    if (ip === undefined) return undefined;
    if (this.#server.refuses(ip))
      return `${ip} is refused by the server (link-local and cloud metadata addresses are refused by default; see outboundAllow/outboundDeny)`;
    if (this.#namespace.refuses(ip)) return `${ip} is refused by the namespace's outbound rules`;
    return undefined;
  }

  /** Why a host (name or literal address) may not be called, judged without DNS. */
  hostProblem(host: string): string | undefined {
    const name = host.toLowerCase().replace(/\.$/, '');
    if (METADATA_HOSTS.has(name)) return `${name} is a cloud metadata host`;
    const loopbackName = name === 'localhost' || name.endsWith('.localhost');
    if (loopbackName && this.addressProblem(LOOPBACK_ADDRESS) !== undefined) {
      return `${name} is a loopback name and loopback addresses are refused`;
    }
    return this.addressProblem(name);
  }

  /** Why a URL may not be called (http/https, host by hostProblem), or undefined. */
  urlProblem(value: string): string | undefined {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return 'is not a URL';
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be an http:// or https:// URL';
    return this.hostProblem(url.hostname);
  }

  /** urlProblem, then every address the host resolves to. */
  async resolvedProblem(value: string): Promise<string | undefined> {
    const problem = this.urlProblem(value);
    if (problem) return problem;
    const host = new URL(value).hostname;
    if (canonicalAddress(host) !== undefined) return undefined;
    return this.resolvedAddressesProblem(host, await this.resolve(host));
  }

  /** Every address must pass: one refused answer refuses the name (no picking the good one). */
  private resolvedAddressesProblem(host: string, addresses: readonly LookupAddress[]): string | undefined {
    for (const { address } of addresses) {
      const problem = this.addressProblem(address);
      if (problem) return `${host} resolves to ${address}: ${problem}`;
    }
    return undefined;
  }

  /** For connections: resolves through the resolver and fails with DestinationRefusedError on a refused answer. */
  readonly lookup: GuardedLookup = (hostname, options, callback) => {
    const problem = this.hostProblem(hostname);
    if (problem) {
      process.nextTick(callback, new DestinationRefusedError(problem), '');
      return;
    }
    this.resolve(hostname).then(
      (all) => {
        const refused = this.resolvedAddressesProblem(hostname, all);
        if (refused) return callback(new DestinationRefusedError(refused), '');
        const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : options.family;
        const wanted = family === 4 || family === 6 ? all.filter((a) => a.family === family) : all;
        if (wanted.length === 0) {
          return callback(
            Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }),
            '',
          );
        }
        if (options.all) callback(null, wanted);
        else callback(null, wanted[0]!.address, wanted[0]!.family);
      },
      (error: Error) => callback(error, ''),
    );
  };

  /**
   * Checks the host a connection is about to be opened to: a literal address here (net skips
   * lookup for those), a name through `lookup`. Undefined when the connection may go ahead.
   */
  connectProblem(host: string): DestinationRefusedError | undefined {
    const problem = canonicalAddress(host) !== undefined ? this.addressProblem(host) : this.hostProblem(host);
    return problem ? new DestinationRefusedError(problem) : undefined;
  }
}

/** The server's rules and the resolver; hands out the guard of each namespace. */
export class OutboundPolicy {
  readonly server: DestinationGuard;
  readonly #guards = new Map<string, DestinationGuard>();

  constructor(
    readonly rules: OutboundRules = NO_RULES,
    readonly resolve: HostResolver = systemResolver,
  ) {
    this.server = new DestinationGuard(rules, NO_RULES, resolve);
  }

  /** The guard for a namespace's rules (the server's alone when it has none). Cached per rules. */
  guard(namespace: OutboundRules | undefined, extraDeny: readonly string[] = []): DestinationGuard {
    if ((namespace === undefined || isEmpty(namespace)) && extraDeny.length === 0) return this.server;
    const rules = { allow: namespace?.allow ?? [], deny: [...(namespace?.deny ?? []), ...extraDeny] };
    const key = JSON.stringify(rules);
    let guard = this.#guards.get(key);
    if (guard === undefined) {
      if (this.#guards.size >= 1000) this.#guards.clear();
      guard = new DestinationGuard(this.rules, rules, this.resolve);
      this.#guards.set(key, guard);
    }
    return guard;
  }
}

const isEmpty = (rules: OutboundRules): boolean => rules.allow.length === 0 && rules.deny.length === 0;
