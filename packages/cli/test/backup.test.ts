/**
 * `kairos backup`: an online copy of a running SQLite server's database, restored into a new data
 * directory and served by a new server with everything in it; a PostgreSQL server refuses with
 * the pg_dump advice.
 */
import { copyFileSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../src/run-cli.js';
import { postgresReachable, testSchema } from '../../../apps/server/test/support/postgres.js';
import { ADMIN_TOKEN, startTestNode, tempDataDir } from '../../../apps/server/test/support/test-node.js';

async function kairos(url: string, argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    env: { KAIROS_URL: url, KAIROS_TOKEN: ADMIN_TOKEN },
    stdout: { write: (chunk: string) => (stdout += chunk) },
    stderr: { write: (chunk: string) => (stderr += chunk) },
  });
  return { code, stdout, stderr };
}

const pg = await postgresReachable();

describe('kairos backup', () => {
  it('copies the live database; a new server on a data directory restored from it has everything', async () => {
    const node = await startTestNode();
    await node.api('POST', '/api/v1/apps', { appName: 'billing', name: 'Billing' });
    const task = await node.api('POST', '/api/v1/tasks', {
      name: 'nightly',
      app: 'billing',
      type: 'http',
      config: { url: 'http://127.0.0.1:9/hook' },
      schedule: { type: 'cron', expression: '0 0 2 * * ?', timezone: 'Asia/Shanghai' },
    });
    expect(task.status).toBe(201);

    const out = tempDataDir();
    const file = join(out, 'kairos-backup.db');
    const backup = await kairos(node.url, ['backup', file]);
    expect(backup.stderr).toBe('');
    expect(backup.code).toBe(0);
    expect(backup.stdout).toMatch(/^backup written to .*kairos-backup\.db \(\d+ bytes\)\n$/);
    expect(statSync(file).size).toBeGreaterThan(0);
    expect(existsSync(`${file}.partial`)).toBe(false);
    // An existing file is not replaced without --force.
    const again = await kairos(node.url, ['backup', file]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/exists: choose another name, or pass --force.*\(FILE_EXISTS, field file\)/);
    expect((await kairos(node.url, ['backup', file, '--force'])).code).toBe(0);

    // The restore, as docs/production.md says: kairos.db (and the secret key) in an empty directory.
    const restored = join(tempDataDir(), 'data');
    mkdirSync(restored);
    copyFileSync(file, join(restored, 'kairos.db'));
    copyFileSync(join(node.dataDir, 'secret.key'), join(restored, 'secret.key'));
    const second = await startTestNode({ dataDir: restored });
    const tasks = (await second.api('GET', '/api/v1/tasks')).body.items;
    expect(tasks).toEqual([
      expect.objectContaining({
        id: task.body.id,
        name: 'nightly',
        appName: 'billing',
        schedule: expect.objectContaining({ expression: '0 0 2 * * ?', timezone: 'Asia/Shanghai' }),
      }),
    ]);
  });

  it.skipIf(!pg)('a PostgreSQL server refuses with the pg_dump advice', async () => {
    const { databaseUrl } = await testSchema();
    const node = await startTestNode({ config: { databaseUrl } });
    const file = join(tempDataDir(), 'x.db');
    const r = await kairos(node.url, ['backup', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/PostgreSQL: back it up with pg_dump.*\(BACKUP_NOT_SUPPORTED\)/);
    expect(existsSync(file)).toBe(false);
  });
});
