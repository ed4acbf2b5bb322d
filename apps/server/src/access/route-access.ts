/**
 * What every route of the REST API declares about access (http/route-table.ts): the role it
 * needs, and the namespace it acts in, that is where the route finds it. The route × role test
 * (test/access/route-roles.test.ts) is generated from these declarations, and the OpenAPI
 * document shows them as `x-kairos-access`.
 */
import type { Role } from './principal.js';

/** The resources a route may load by its path to learn their namespace. */
export type ResourceKind =
  | 'task'
  | 'run'
  | 'app'
  | 'calendar'
  | 'contact'
  | 'contactGroup'
  | 'alertRule'
  | 'alert'
  | 'token'
  | 'user'
  | 'workflow'
  | 'workflowRun';

export type NamespaceSource =
  /** `namespace` of the JSON body (default: "default"): creations. */
  | 'body'
  /**
   * `?namespace=`: the role is needed there; without it, the route answers about every
   * namespace where the caller holds the role (lists; see AccessScope.listScope).
   */
  | 'query'
  /** `?namespace=` (default: "default"): the role is needed there, as for one resource. */
  | 'query-or-default'
  /** The caller needs the role in some namespace; the handler narrows to where it holds it. */
  | 'any'
  /** Server-wide (nodes, creating namespaces): the role for every namespace ("*"). */
  | 'server'
  /** The namespace named by a path parameter. */
  | { param: string }
  /**
   * The resource named by the path: the route answers 404 when it is in a namespace the caller
   * cannot see, 403 when the caller's role there is too weak.
   */
  | { resource: ResourceKind };

export interface RouteAccess {
  role: Role;
  namespace: NamespaceSource;
  /** false: not a change (a preview, a check): not written to the audit log. */
  audit?: false;
}

export const describeSource = (source: NamespaceSource): string =>
  typeof source === 'string'
    ? source
    : 'param' in source
      ? `param:${source.param}`
      : `resource:${source.resource}`;
