/**
 * Contract: what issue 16's hardening keeps in the store — a namespace's outbound rules.
 */
import { describe, expect, it } from 'vitest';
import type { ContractContext } from './context.js';

export function defineSecurityContract(ctx: ContractContext): void {
  describe('outbound rules', () => {
    it('stores, lists and clears a namespace’s rules; an unknown namespace is not written', async () => {
      const store = ctx.store;
      const a = await store.ensureNamespace('a');
      const b = await store.ensureNamespace('b');
      expect(await store.listOutboundRules()).toEqual(new Map());
      expect(await store.setOutboundRules(a.id, { allow: ['10.5.0.0/16'], deny: ['10.0.0.0/8'] })).toBe(true);
      expect(await store.setOutboundRules(b.id, { allow: [], deny: ['fd00::/8'] })).toBe(true);
      expect(await store.listOutboundRules()).toEqual(
        new Map([
          [a.id, { allow: ['10.5.0.0/16'], deny: ['10.0.0.0/8'] }],
          [b.id, { allow: [], deny: ['fd00::/8'] }],
        ]),
      );
      await store.setOutboundRules(a.id, { allow: [], deny: [] });
      expect([...(await store.listOutboundRules()).keys()]).toEqual([b.id]);
      expect(await store.setOutboundRules(999_999, { allow: [], deny: [] })).toBe(false);
    });
  });
}
