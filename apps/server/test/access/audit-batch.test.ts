/**
 * The audit entries of one turn of the event loop are written in one statement, in order; a
 * write that fails is logged and the change it records stands (nothing is thrown at the caller).
 */
import type { FastifyRequest } from 'fastify';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { AuditLog } from '../../src/access/audit-log.js';
import { systemClock } from '../../src/clock.js';
import { startTestNode } from '../support/test-node.js';

const request = (name: string) =>
  ({ ip: '127.0.0.1', principal: { type: 'user', id: 1, name } }) as unknown as FastifyRequest;

describe('audit log writes', () => {
  it('writes one turn of entries in one statement, in order; a failed write is only logged', async () => {
    const node = await startTestNode();
    const store = node.store;
    const appendAudit = store.appendAudit.bind(store);
    const calls: number[] = [];
    store.appendAudit = (entries) => {
      calls.push(entries.length);
      return appendAudit(entries);
    };
    const audit = new AuditLog(store, systemClock, pino({ level: 'silent' }));
    const change = (n: number) => ({
      action: `things.${n}`,
      resourceType: 'things',
      resourceId: String(n),
      namespace: null,
      before: null,
      after: { n },
    });
    await Promise.all([1, 2, 3, 4, 5].map((n) => audit.change(request(`user ${n}`), change(n))));
    expect(calls).toEqual([5]);
    const page = await store.listAudit({}, { limit: 10 });
    const ours = page.items.filter((e) => e.action.startsWith('things.'));
    expect(ours.map((e) => e.action).sort()).toEqual([
      'things.1',
      'things.2',
      'things.3',
      'things.4',
      'things.5',
    ]);

    store.appendAudit = () => Promise.reject(new Error('disk full'));
    await expect(audit.change(request('user 6'), change(6))).resolves.toBeUndefined();
  });
});
