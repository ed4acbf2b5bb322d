/**
 * A real MariaDB (or MySQL) for the XXL-JOB import tests: one fresh database per test, dropped
 * afterwards. Without it the suites skip with a printed reason, unless KAIROS_REQUIRE_MARIADB=1
 * (CI), where they fail.
 */
import { randomBytes } from 'node:crypto';
import { createConnection } from 'mysql2/promise';
import { onTestFinished } from 'vitest';

export const TEST_MARIADB_URL = process.env.KAIROS_TEST_MARIADB_URL ?? 'mysql://root@127.0.0.1:3306';

async function adminQuery(sql: string): Promise<void> {
  const db = await createConnection({
    uri: TEST_MARIADB_URL,
    connectTimeout: 3000,
    multipleStatements: true,
  });
  try {
    await db.query(sql);
  } finally {
    await db.end();
  }
}

let reachable: Promise<boolean> | undefined;

/** Whether the test MariaDB answers; prints why not and resolves false, or rejects under KAIROS_REQUIRE_MARIADB=1. */
export function mariadbReachable(): Promise<boolean> {
  reachable ??= adminQuery('SELECT 1').then(
    () => true,
    (error: unknown) => {
      const where = `MariaDB not reachable at ${TEST_MARIADB_URL} (${(error as Error).message})`;
      if (process.env.KAIROS_REQUIRE_MARIADB === '1') {
        throw new Error(`${where} and KAIROS_REQUIRE_MARIADB=1: start it or set KAIROS_TEST_MARIADB_URL`);
      }
      console.warn(`${where}: skipping`);
      return false;
    },
  );
  return reachable;
}

let counter = 0;

/** Inside a test: a fresh, empty database with `sql` run in it; its URL. Dropped when the test finishes. */
export async function testMariaDatabase(sql: string): Promise<string> {
  counter += 1;
  const name = `kairos_xxl_${process.pid}_${counter}_${randomBytes(3).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name} CHARACTER SET utf8mb4`);
  onTestFinished(() => adminQuery(`DROP DATABASE IF EXISTS ${name}`));
  const url = `${TEST_MARIADB_URL.replace(/\/$/, '')}/${name}`;
  if (sql.trim() !== '') {
    const db = await createConnection({ uri: url, multipleStatements: true });
    try {
      await db.query(sql);
    } finally {
      await db.end();
    }
  }
  return url;
}
