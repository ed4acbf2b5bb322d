/**
 * A namespace's outbound destination rules, kept as two JSON arrays of CIDRs on its
 * row: the store part of outbound/namespace-guards.ts. Both dialects.
 */
import type { Kysely } from 'kysely';
import type { Database } from './db-schema.js';

/** CIDR lists of one namespace: deny adds refused ranges, allow makes exceptions to them. */
export interface NamespaceOutboundRules {
  allow: string[];
  deny: string[];
}

export interface OutboundRulesStore {
  /** Every namespace that has rules of its own, by namespace id. */
  listOutboundRules(): Promise<Map<number, NamespaceOutboundRules>>;
  /** Replaces a namespace's rules (empty lists: none of its own). False when it does not exist. */
  setOutboundRules(namespaceId: number, rules: NamespaceOutboundRules): Promise<boolean>;
}

const parseList = (text: string | null): string[] => (text === null ? [] : (JSON.parse(text) as string[]));
const listText = (list: string[]): string | null => (list.length === 0 ? null : JSON.stringify(list));

export function outboundRulesOperations(parts: { db: Kysely<Database> }): OutboundRulesStore {
  const { db } = parts;
  return {
    async listOutboundRules() {
      const rows = await db
        .selectFrom('namespaces')
        .select(['id', 'outbound_allow', 'outbound_deny'])
        .where((eb) => eb.or([eb('outbound_allow', 'is not', null), eb('outbound_deny', 'is not', null)]))
        .execute();
      return new Map(
        rows.map((row) => [
          Number(row.id),
          { allow: parseList(row.outbound_allow), deny: parseList(row.outbound_deny) },
        ]),
      );
    },
    async setOutboundRules(namespaceId, rules) {
      const result = await db
        .updateTable('namespaces')
        .set({ outbound_allow: listText(rules.allow), outbound_deny: listText(rules.deny) })
        .where('id', '=', namespaceId)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
  };
}
