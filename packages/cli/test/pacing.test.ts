/**
 * `kairos pools` and `kairos budgets` against a real node.
 */
import { describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startTestNode } from '../../../apps/server/test/support/test-node.js';
import { kairos } from './harness.js';

describe('kairos pools and budgets', () => {
  it('creates, shows, changes and deletes a pool', async () => {
    const node = await startTestNode();
    const env = { KAIROS_URL: node.url, KAIROS_TOKEN: ADMIN_TOKEN };
    const created = await kairos(['pools', 'create', 'openai', '--rpm', '600', '--concurrency', '8'], {
      env,
    });
    expect(created.stderr).toBe('');
    expect(created.stdout).toContain('requestsPerMinute: 600');
    const listed = await kairos(['pools', 'list'], { env });
    expect(listed.stdout).toMatch(/openai\s+600\s+-\s+8\s+0\s+0/);
    const updated = await kairos(['pools', 'update', 'openai', '--concurrency', 'none', '--json'], { env });
    expect(JSON.parse(updated.stdout)).toMatchObject({ requestsPerMinute: 600, concurrency: null });
    const bad = await kairos(['pools', 'create', 'zero', '--rpm', '0'], { env });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('requestsPerMinute');
    expect((await kairos(['pools', 'delete', 'openai'], { env })).code).toBe(0);
  });

  it('lists budgets and sets a namespace budget', async () => {
    const node = await startTestNode();
    const env = { KAIROS_URL: node.url, KAIROS_TOKEN: ADMIN_TOKEN };
    expect((await kairos(['budgets'], { env })).stdout).toContain('(no budgets)');
    const set = await kairos(
      ['budgets', 'set-namespace', 'default', '{"cost": 50, "currency": "USD", "period": "month"}'],
      { env },
    );
    expect(set.stderr).toBe('');
    expect(set.stdout).toContain('namespace default: 0/50 USD per month');
    const listed = await kairos(['budgets'], { env });
    expect(listed.stdout).toMatch(/namespace \d+\s+default\s+month\s+0\/50 USD\s+0 %\s+skip/);
    const bad = await kairos(
      ['budgets', 'set-namespace', 'default', '{"cost": 5, "currency": "XYZ", "period": "day"}'],
      {
        env,
      },
    );
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('budget.currency');
    expect((await kairos(['budgets', 'set-namespace', 'default', 'none'], { env })).stdout).toContain(
      'removed',
    );
  });
});
