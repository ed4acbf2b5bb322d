/**
 * A real PostgreSQL for tests: one fresh schema per test (or per file), reached through a URL
 * whose connections use it (`options=-c search_path=<schema>`, which pg passes to the server as
 * a startup option), dropped afterwards.
 *
 *   const pgReachable = await postgresReachable();
 *   describe.skipIf(!pgReachable)('…', () => {
 *     it('…', async () => {
 *       const { databaseUrl } = await testSchema(); // dropped when the test finishes
 *     });
 *   });
 *
 * Without PostgreSQL the suites skip with a printed reason, unless KAIROS_REQUIRE_PG=1 (CI),
 * where they fail.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { onTestFinished } from 'vitest';

export const TEST_DATABASE_URL =
  process.env.KAIROS_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

let reachable: Promise<boolean> | undefined;

/**
 * Whether the test PostgreSQL answers. If not, prints "PostgreSQL not reachable at …: skipping"
 * and resolves false, or rejects when KAIROS_REQUIRE_PG=1 so that the test file fails.
 */
export function postgresReachable(): Promise<boolean> {
  reachable ??= (async () => {
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return true;
    } catch (error) {
      const reason = error instanceof Error && error.message !== '' ? error.message : String(error);
      const where = `PostgreSQL not reachable at ${redacted(TEST_DATABASE_URL)} (${reason})`;
      if (process.env.KAIROS_REQUIRE_PG === '1') {
        throw new Error(`${where} and KAIROS_REQUIRE_PG=1: start it or set KAIROS_TEST_DATABASE_URL`);
      }
      console.warn(`${where}: skipping`);
      return false;
    } finally {
      await client.end().catch(() => undefined);
    }
  })();
  return reachable;
}

export interface TestSchema {
  /** The schema's name, e.g. kairos_test_4242_1_ab12cd. */
  name: string;
  /** TEST_DATABASE_URL with the schema as search_path: give it to openStore or pg. */
  databaseUrl: string;
  /** Drops the schema and everything in it. Close the stores using it first. */
  drop: () => Promise<void>;
}

let counter = 0;

/** Creates a fresh, empty schema; the caller drops it (see testSchema for the usual case). */
export async function createTestSchema(): Promise<TestSchema> {
  counter += 1;
  const name = `kairos_test_${process.pid}_${counter}_${randomBytes(3).toString('hex')}`;
  await adminQuery(`CREATE SCHEMA ${name}`);
  return {
    name,
    databaseUrl: withSearchPath(TEST_DATABASE_URL, name),
    drop: () => adminQuery(`DROP SCHEMA IF EXISTS ${name} CASCADE`),
  };
}

/** Inside a test: a fresh schema, dropped when the test finishes (after its own cleanups). */
export async function testSchema(): Promise<TestSchema> {
  const schema = await createTestSchema();
  onTestFinished(schema.drop);
  return schema;
}

/** Runs SQL on a URL (e.g. a schema's) on a short-lived connection; returns the rows. */
export async function queryAt(databaseUrl: string, sql: string): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const result = await client.query<Record<string, unknown>>(sql);
    return result.rows;
  } finally {
    await client.end();
  }
}

/** The URL with `options=-c search_path=<schema>` added, so every connection starts in the schema. */
export function withSearchPath(databaseUrl: string, schema: string): string {
  const separator = databaseUrl.includes('?') ? '&' : '?';
  return `${databaseUrl}${separator}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
}

async function adminQuery(sql: string): Promise<void> {
  await queryAt(TEST_DATABASE_URL, sql);
}

function redacted(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    if (url.password !== '') url.password = '***';
    return url.toString();
  } catch {
    return databaseUrl;
  }
}
