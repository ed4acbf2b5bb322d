/**
 * Contract: what the hardening keeps in the store — a namespace's outbound rules and its
 * named secrets.
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

  describe('named secrets', () => {
    it('creates, reads, lists, rotates and deletes by name within a namespace', async () => {
      const store = ctx.store;
      const a = await store.ensureNamespace('a');
      const b = await store.ensureNamespace('b');
      const created = await store.createSecret({
        namespaceId: a.id,
        name: 'token',
        description: null,
        sealedValue: 'enc:v1:one',
      });
      expect(created).toMatchObject({ namespaceId: a.id, name: 'token', sealedValue: 'enc:v1:one' });
      await expect(
        store.createSecret({ namespaceId: a.id, name: 'token', description: null, sealedValue: 'x' }),
      ).rejects.toThrow(/exists already/);
      await store.createSecret({
        namespaceId: b.id,
        name: 'token',
        description: 'b',
        sealedValue: 'enc:v1:b',
      });
      expect((await store.listSecrets(a.id)).map((s) => s.sealedValue)).toEqual(['enc:v1:one']);
      const rotated = await store.updateSecret(a.id, 'token', {
        sealedValue: 'enc:v1:two',
        description: 'd',
      });
      expect(rotated).toMatchObject({ sealedValue: 'enc:v1:two', description: 'd' });
      expect((await store.getSecret(a.id, 'token'))?.sealedValue).toBe('enc:v1:two');
      expect(await store.updateSecret(a.id, 'nope', { sealedValue: 'x' })).toBeUndefined();
      expect(await store.deleteSecret(a.id, 'token')).toBe(true);
      expect(await store.deleteSecret(a.id, 'token')).toBe(false);
      expect(await store.getSecret(b.id, 'token')).toMatchObject({ description: 'b' });
    });
  });
}
