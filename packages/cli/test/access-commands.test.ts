/**
 * `kairos tokens` and `kairos audit` against a real Kairos node (SQLite, HTTP on 127.0.0.1).
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../src/run-cli.js';
import { ADMIN_TOKEN, startTestNode } from '../../../apps/server/test/support/test-node.js';

async function kairos(url: string, argv: string[], token = ADMIN_TOKEN) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    env: { KAIROS_URL: url, KAIROS_TOKEN: token },
    stdout: { write: (chunk: string) => (stdout += chunk) },
    stderr: { write: (chunk: string) => (stderr += chunk) },
  });
  return { code, stdout, stderr };
}

describe('kairos tokens and kairos audit', () => {
  it('creates a token (secret printed once), lists it masked, revokes it, and shows it all in the audit log', async () => {
    const node = await startTestNode();
    const created = await kairos(node.url, [
      'tokens',
      'create',
      '--name',
      'ci',
      '--role',
      'operator',
      '--namespaces',
      'default',
      '--json',
    ]);
    expect(created.code).toBe(0);
    const token = JSON.parse(created.stdout);
    expect(token).toMatchObject({ name: 'ci', role: 'operator', namespaces: ['default'] });
    expect(token.token).toMatch(/^kairos_/);

    // The new token works for the CLI.
    expect((await kairos(node.url, ['tasks', 'list'], token.token)).code).toBe(0);

    const listed = await kairos(node.url, ['tokens', 'list']);
    expect(listed.stdout).toMatch(/^ID\s+NAME\s+ROLE\s+NAMESPACES\s+TOKEN/);
    expect(listed.stdout).toContain(`kairos_****${token.token.slice(-4)}`);
    expect(listed.stdout).not.toContain(token.token);

    const revoked = await kairos(node.url, ['tokens', 'revoke', String(token.id)]);
    expect(revoked).toMatchObject({ code: 0, stdout: `token ${token.id} (ci) revoked\n` });
    const refused = await kairos(node.url, ['tasks', 'list'], token.token);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/revoked/);

    const bad = await kairos(node.url, [
      'tokens',
      'create',
      '--name',
      'x',
      '--role',
      'root',
      '--namespaces',
      '*',
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--role, one of viewer, operator, editor, admin/);

    const audit = await kairos(node.url, ['audit', '--resource', `tokens/${token.id}`]);
    expect(audit.code).toBe(0);
    const lines = audit.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^AT\s+ACTOR\s+ACTION\s+RESOURCE/);
    expect(lines.slice(1).map((l) => l.split(/\s{2,}/)[2])).toEqual(['tokens.delete', 'tokens.create']);
    const failed = await kairos(node.url, ['audit', '--action', 'auth.failed', '--json']);
    expect(JSON.parse(failed.stdout).items).toHaveLength(1);
  });
});
