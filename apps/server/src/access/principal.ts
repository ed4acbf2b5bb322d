/**
 * Who is calling, and what they may do where. A principal (an API token or a console user)
 * holds one role per namespace, or one role for every namespace ("*"). Roles are ordered: each
 * may do what the ones below it may (docs/access-control.md).
 */
import { ROLES, type NamespaceGrant, type Role } from '@kairos/protocol';

export type { Role };

export interface Principal {
  type: 'token' | 'user';
  id: number;
  name: string;
  /** Namespace name (or "*") to role. */
  grants: ReadonlyMap<string, Role>;
}

export const EVERY_NAMESPACE = '*';

const rank = (role: Role): number => ROLES.indexOf(role);

export const atLeast = (held: Role | undefined, needed: Role): boolean =>
  held !== undefined && rank(held) >= rank(needed);

/** The principal's role in a namespace: the stronger of its grant there and its "*" grant. */
export function roleIn(principal: Principal, namespace: string): Role | undefined {
  const here = principal.grants.get(namespace);
  const everywhere = principal.grants.get(EVERY_NAMESPACE);
  if (here === undefined) return everywhere;
  if (everywhere === undefined) return here;
  return rank(here) >= rank(everywhere) ? here : everywhere;
}

/** True when the principal holds at least `role` in every namespace, present and future. */
export const holdsEverywhere = (principal: Principal, role: Role): boolean =>
  atLeast(principal.grants.get(EVERY_NAMESPACE), role);

/** The namespaces named in the principal's grants where it holds at least `role` ("*" aside). */
export function namedNamespaces(principal: Principal, role: Role): string[] {
  return [...principal.grants]
    .filter(([ns, r]) => ns !== EVERY_NAMESPACE && atLeast(r, role))
    .map(([ns]) => ns);
}

/** True when the principal holds at least `role` somewhere. */
export const holdsAnywhere = (principal: Principal, role: Role): boolean =>
  [...principal.grants.values()].some((r) => atLeast(r, role));

/** Grants as stored with a token or user: one role in the named namespaces or in every one. */
export function grantsOf(role: Role, namespaces: NamespaceGrant): Map<string, Role> {
  return new Map((namespaces === '*' ? [EVERY_NAMESPACE] : namespaces).map((ns) => [ns, role]));
}

/** True when `principal` holds at least `role` in every namespace `namespaces` names. */
export function coversGrant(principal: Principal, role: Role, namespaces: NamespaceGrant): boolean {
  if (namespaces === '*') return holdsEverywhere(principal, role);
  return namespaces.every((ns) => atLeast(roleIn(principal, ns), role));
}
