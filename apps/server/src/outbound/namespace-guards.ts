/**
 * The destination guard of each namespace: the server's policy narrowed by the namespace's own
 * allow and deny lists (stored with the namespace). Runs need their guard at once, without a store
 * read in the way of their request: the rules of every namespace are kept in memory, read again
 * when they change here and at most `refreshMs` after they changed on another node of a cluster.
 * Saving a task or an address reads them fresh (guardNow).
 */
import { KairosError } from '../errors.js';
import type { NamespaceOutboundRules, OutboundRulesStore } from '../store/outbound-rules-queries.js';
import { cidrProblem } from './address-ranges.js';
import type { DestinationGuard, OutboundPolicy } from './outbound-policy.js';

/**
 * What job types, channels and the dispatcher ask for. `extraDeny`: ranges a caller refuses on
 * top (the webhook settings), as if the namespace's deny list named them.
 */
export interface GuardSource {
  /** The guard of a namespace from the rules in memory (refreshed in the background). */
  guardFor(namespaceId: number, extraDeny?: readonly string[]): DestinationGuard;
  /** The guard of a namespace from its rules as stored now. */
  guardNow(namespaceId: number, extraDeny?: readonly string[]): Promise<DestinationGuard>;
}

/** The server's policy for every namespace, without namespace rules (tests, tools). */
export function serverGuards(policy: OutboundPolicy): GuardSource {
  return {
    guardFor: (_namespaceId, extraDeny) => policy.guard(undefined, extraDeny),
    guardNow: (_namespaceId, extraDeny) => Promise.resolve(policy.guard(undefined, extraDeny)),
  };
}

/** At most this many entries per list: each is checked on every connection. */
export const MAX_RULES = 100;

/** Throws a 400 naming the first bad entry (`field` is e.g. `allow`, giving `allow.2`). */
export function checkCidrList(list: readonly string[], field: string): void {
  if (list.length > MAX_RULES)
    throw new KairosError('VALIDATION_ERROR', `${field}: at most ${MAX_RULES} ranges`, { field });
  list.forEach((cidr, i) => {
    const problem = cidrProblem(cidr);
    if (problem !== undefined) {
      throw new KairosError('VALIDATION_ERROR', `${field}.${i}: ${cidr} ${problem}`, {
        field: `${field}.${i}`,
      });
    }
  });
}

export class NamespaceGuards implements GuardSource {
  #rules = new Map<number, NamespaceOutboundRules>();
  #readAt = Number.NEGATIVE_INFINITY;
  #reading: Promise<void> | undefined;

  constructor(
    private readonly policy: OutboundPolicy,
    private readonly store: OutboundRulesStore,
    private readonly now: () => number,
    private readonly refreshMs = 5000,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {}

  /** Reads every namespace's rules (at start, and after a change). */
  async load(): Promise<void> {
    const at = this.now();
    this.#rules = await this.store.listOutboundRules();
    this.#readAt = at;
  }

  guardFor(namespaceId: number, extraDeny?: readonly string[]): DestinationGuard {
    if (this.now() - this.#readAt >= this.refreshMs && this.#reading === undefined) {
      this.#reading = this.load()
        .catch(this.onError)
        .finally(() => (this.#reading = undefined));
    }
    return this.policy.guard(this.#rules.get(namespaceId), extraDeny);
  }

  async guardNow(namespaceId: number, extraDeny?: readonly string[]): Promise<DestinationGuard> {
    await this.load();
    return this.policy.guard(this.#rules.get(namespaceId), extraDeny);
  }

  rulesOf(namespaceId: number): NamespaceOutboundRules {
    return this.#rules.get(namespaceId) ?? { allow: [], deny: [] };
  }

  /** Validates and stores a namespace's rules; a bad CIDR is a 400 naming it. */
  async setRules(namespaceId: number, rules: NamespaceOutboundRules): Promise<void> {
    checkCidrList(rules.allow, 'allow');
    checkCidrList(rules.deny, 'deny');
    await this.store.setOutboundRules(namespaceId, rules);
    await this.load();
  }
}
