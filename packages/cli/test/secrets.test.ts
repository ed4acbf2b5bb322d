/**
 * `kairos secrets` against a real node: the value goes in on stdin and never comes out.
 */
import { describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startTestNode } from '../../../apps/server/test/support/test-node.js';
import { kairos } from './harness.js';

const VALUE = 'rt-cli-SECRET-0042';

describe('kairos secrets', () => {
  it('creates from stdin, lists and shows without the value, rotates and deletes', async () => {
    const node = await startTestNode();
    const env = { KAIROS_URL: node.url, KAIROS_TOKEN: ADMIN_TOKEN };
    const created = await kairos(['secrets', 'create', 'reports-token', '--description', 'reports API'], {
      env,
      stdin: `${VALUE}\n`,
    });
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect(created.stdout).toContain('reports-token');
    const listed = await kairos(['secrets', 'list'], { env });
    expect(listed.stdout).toContain('reports API');
    const shown = await kairos(['secrets', 'get', 'reports-token', '--json'], { env });
    expect(JSON.parse(shown.stdout)).toMatchObject({ name: 'reports-token', namespace: 'default' });
    const rotated = await kairos(['secrets', 'rotate', 'reports-token'], { env, stdin: 'new-value-0043' });
    expect(rotated.code).toBe(0);
    const empty = await kairos(['secrets', 'rotate', 'reports-token'], { env, stdin: '' });
    expect(empty.code).not.toBe(0);
    for (const out of [created, listed, shown, rotated]) expect(out.stdout).not.toContain(VALUE);
    expect((await kairos(['secrets', 'delete', 'reports-token'], { env })).code).toBe(0);
    const gone = await kairos(['secrets', 'get', 'reports-token'], { env });
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain('SECRET_NOT_FOUND');
  });
});
