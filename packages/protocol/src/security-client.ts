/**
 * The security sub-clients of the API client (client.ts): named secrets and a namespace's
 * outbound destination rules.
 */
import type { OutboundRules, Secret } from './security.js';
import type { List } from './schemas.js';
import { segment, type createTransport } from './client-http.js';

export interface SecretsClient {
  /** @example `const { items } = await client.secrets.list({ namespace: 'billing' });` */
  list(options?: { namespace?: string | undefined }): Promise<List<Secret>>;
  /** @example `await client.secrets.create({ name: 'reports-token', value: process.env.TOKEN! });` */
  create(input: {
    name: string;
    value: string;
    description?: string | null;
    namespace?: string;
  }): Promise<Secret>;
  /** @example `const secret = await client.secrets.get('reports-token');` (never the value) */
  get(name: string, options?: { namespace?: string | undefined }): Promise<Secret>;
  /** Rotates the value: runs that start from now on use it. @example `await client.secrets.rotate('reports-token', { value })` */
  rotate(
    name: string,
    input: { value: string; description?: string | null },
    options?: { namespace?: string | undefined },
  ): Promise<Secret>;
  /** @example `await client.secrets.delete('reports-token');` */
  delete(name: string, options?: { namespace?: string | undefined }): Promise<void>;
}

export interface OutboundRulesClient {
  /** @example `const { allow, deny } = await client.outbound.get('default');` */
  get(namespace: string): Promise<OutboundRules>;
  /** @example `await client.outbound.set('default', { allow: [], deny: ['10.0.0.0/8'] });` */
  set(namespace: string, rules: { allow?: string[]; deny?: string[] }): Promise<OutboundRules>;
}

export function securityClients(
  http: ReturnType<typeof createTransport>,
  v1: string,
): { secrets: SecretsClient; outbound: OutboundRulesClient } {
  return {
    secrets: {
      list: (o = {}) => http.request('GET', `${v1}/secrets`, { query: { ...o } }),
      create: (input) => http.request('POST', `${v1}/secrets`, { body: input }),
      get: (name, o = {}) => http.request('GET', `${v1}/secrets/${segment(name)}`, { query: { ...o } }),
      rotate: (name, input, o = {}) =>
        http.request('PUT', `${v1}/secrets/${segment(name)}`, { body: input, query: { ...o } }),
      delete: (name, o = {}) => http.request('DELETE', `${v1}/secrets/${segment(name)}`, { query: { ...o } }),
    },
    outbound: {
      get: (namespace) => http.request('GET', `${v1}/namespaces/${segment(namespace)}/outbound`),
      set: (namespace, rules) =>
        http.request('PUT', `${v1}/namespaces/${segment(namespace)}/outbound`, { body: rules }),
    },
  };
}
