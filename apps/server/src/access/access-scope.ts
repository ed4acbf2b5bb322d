/**
 * The access checks of a request: the route guard's (route-guard.ts) and the ones handlers make
 * themselves (a list narrowed to the caller's namespaces, a script task that needs the admin
 * role, a token that grants no more than its creator holds).
 */
import type { FastifyRequest } from 'fastify';
import type { NamespaceGrant } from '@kairos/protocol';
import { KairosError } from '../errors.js';
import type { Namespaces } from '../services/namespaces.js';
import type { Store } from '../store/store.js';
import {
  atLeast,
  coversGrant,
  holdsAnywhere,
  holdsEverywhere,
  namedNamespaces,
  roleIn,
  type Principal,
  type Role,
} from './principal.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by authentication for every route that is not public. */
    principal?: Principal;
  }
}

/** A list filter on namespaces: one id, a set of ids, or undefined for every namespace. */
export type NamespaceScope = number | number[] | undefined;

export class AccessScope {
  constructor(
    private readonly store: Store,
    private readonly namespaces: Namespaces,
  ) {}

  principal(request: FastifyRequest): Principal {
    const principal = request.principal;
    if (!principal) throw new KairosError('UNAUTHORIZED', 'this route needs a token or a signed-in user');
    return principal;
  }

  /**
   * Needs `role` in the namespace. A namespace the caller holds no role in answers as if it did
   * not exist (`invisible`, default NAMESPACE_NOT_FOUND), so its name and contents stay hidden.
   */
  /** `invisible`: the error for a namespace the caller holds no role in (made only then). */
  require(request: FastifyRequest, namespace: string, role: Role, invisible?: () => KairosError): void {
    const principal = this.principal(request);
    const held = roleIn(principal, namespace);
    if (held === undefined) {
      throw (
        invisible?.() ??
        new KairosError('NAMESPACE_NOT_FOUND', `namespace "${namespace}" does not exist`, {
          field: 'namespace',
        })
      );
    }
    if (!atLeast(held, role)) {
      throw new KairosError(
        'FORBIDDEN',
        `this needs the ${role} role in namespace ${namespace}; ${principal.name} holds ${held}`,
      );
    }
  }

  requireAnywhere(request: FastifyRequest, role: Role): void {
    const principal = this.principal(request);
    if (!holdsAnywhere(principal, role)) {
      throw new KairosError('FORBIDDEN', `this needs the ${role} role in some namespace`);
    }
  }

  requireEverywhere(request: FastifyRequest, role: Role): void {
    const principal = this.principal(request);
    if (!holdsEverywhere(principal, role)) {
      throw new KairosError('FORBIDDEN', `this needs the ${role} role for every namespace ("*")`);
    }
  }

  /** Needs `role` in every namespace a grant names: nobody hands out more than they hold. */
  requireCovers(request: FastifyRequest, role: Role, namespaces: NamespaceGrant, field = 'namespaces'): void {
    if (!coversGrant(this.principal(request), role, namespaces)) {
      const where = namespaces === '*' ? 'every namespace ("*")' : `namespaces ${namespaces.join(', ')}`;
      throw new KairosError('FORBIDDEN', `${field}: you need the ${role} role in ${where} for this`, {
        field,
      });
    }
  }

  /** True when the caller holds at least `role` in the namespace with this id. */
  async holds(request: FastifyRequest, namespaceId: number, role: Role = 'viewer'): Promise<boolean> {
    return atLeast(roleIn(this.principal(request), await this.namespaces.nameOf(namespaceId)), role);
  }

  /**
   * The namespaces a list answers about: the one asked for (`?namespace=`, which must be one
   * the caller holds `role` in), else every namespace where it holds `role`.
   */
  async listScope(
    request: FastifyRequest,
    namespace: string | undefined,
    role: Role = 'viewer',
  ): Promise<NamespaceScope> {
    if (namespace !== undefined) {
      this.require(request, namespace, role);
      return (await this.namespaces.resolve(namespace)).id;
    }
    const principal = this.principal(request);
    if (holdsEverywhere(principal, role)) return undefined;
    return (await this.idsOf(namedNamespaces(principal, role))) ?? undefined;
  }

  /** Ids of named namespaces (those that do not exist are left out); null for "*". */
  async idsOf(namespaces: NamespaceGrant): Promise<number[] | null> {
    if (namespaces === '*') return null;
    const ids: number[] = [];
    for (const name of namespaces) {
      const ns = await this.store.getNamespaceByName(name);
      if (ns) ids.push(ns.id);
    }
    return ids;
  }
}
