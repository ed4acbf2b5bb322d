/**
 * Reads a self-hosted XXL-JOB's executor groups and jobs from its MySQL or MariaDB database
 * (schemas 2.2 to 3.5, reference: XXL-JOB's `tables_xxl_job.sql` per tag), read-only. The
 * version is told by the columns, not trusted from anywhere: `job_cron` (≤2.2), `schedule_type`
 * (2.3+), `title`/`job_desc` renamed `name` (3.5). mysql2 is the client (well kept, pure
 * JavaScript, MySQL and MariaDB alike); only SELECTs are sent.
 */
import { createConnection } from 'mysql2/promise';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { CliError } from '../args.js';

export interface XxlGroup {
  id: number;
  appName: string;
  title: string;
  /** 0: executors register themselves; 1: the manual `addressList`. */
  addressType: number;
  addressList: string[];
}

export interface XxlJob {
  id: number;
  groupId: number;
  name: string;
  author: string;
  alarmEmails: string[];
  /** `CRON`, `FIX_RATE`, `NONE` (2.2's `job_cron` reads as `CRON`). */
  scheduleType: string;
  scheduleConf: string;
  misfireStrategy: string;
  routeStrategy: string;
  handler: string;
  params: string;
  blockStrategy: string;
  timeoutSeconds: number;
  retryCount: number;
  glueType: string;
  glueSource: string;
  childJobIds: number[];
  running: boolean;
}

export interface XxlSource {
  /** `2.2`, `2.3-3.4` or `3.5`, from the columns found. */
  schema: string;
  groups: XxlGroup[];
  jobs: XxlJob[];
}

/** The URL without its password, for messages and reports. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
}

const list = (text: unknown): string[] =>
  String(text ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

async function columnsOf(db: Connection, table: string): Promise<Set<string>> {
  const [rows] = await db.query<RowDataPacket[]>(
    'SELECT column_name AS c FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = ?',
    [table],
  );
  return new Set(rows.map((r) => String(r.c).toLowerCase()));
}

/** Opens the database, checks it is XXL-JOB's, and reads its groups and jobs. */
export async function readXxlSource(url: string): Promise<XxlSource> {
  if (!/^(mysql|mariadb):\/\//i.test(url)) {
    throw new CliError(
      'INVALID_DATABASE_URL',
      `--database must be a mysql:// URL such as mysql://user:password@host:3306/xxl_job, got '${redactUrl(url)}'`,
      'database',
    );
  }
  let db: Connection;
  try {
    db = await createConnection({ uri: url.replace(/^mariadb:/i, 'mysql:'), connectTimeout: 5000 });
  } catch (error) {
    throw new CliError(
      'DATABASE_UNREACHABLE',
      `cannot connect to ${redactUrl(url)}: ${(error as Error).message}`,
      'database',
    );
  }
  try {
    const group = await columnsOf(db, 'xxl_job_group');
    const info = await columnsOf(db, 'xxl_job_info');
    if (!group.has('app_name') || !info.has('job_group') || !info.has('executor_handler')) {
      throw new CliError(
        'NOT_XXL_JOB',
        `${redactUrl(url)} has no XXL-JOB tables (xxl_job_group, xxl_job_info): name the database XXL-JOB's admin uses (xxl.job datasource, usually xxl_job)`,
        'database',
      );
    }
    const schema = info.has('job_cron') ? '2.2' : group.has('name') ? '3.5' : '2.3-3.4';
    const [groupRows] = await db.query<RowDataPacket[]>(
      `SELECT id, app_name, ${group.has('name') ? 'name' : 'title'} AS title, address_type, address_list FROM xxl_job_group ORDER BY id`,
    );
    const scheduleColumns = info.has('job_cron')
      ? "'CRON' AS schedule_type, job_cron AS schedule_conf, 'DO_NOTHING' AS misfire_strategy"
      : 'schedule_type, schedule_conf, misfire_strategy';
    const [jobRows] = await db.query<RowDataPacket[]>(
      `SELECT id, job_group, ${info.has('name') ? 'name' : 'job_desc'} AS name, author, alarm_email,
              ${scheduleColumns}, executor_route_strategy, executor_handler, executor_param,
              executor_block_strategy, executor_timeout, executor_fail_retry_count, glue_type,
              glue_source, child_jobid, trigger_status
         FROM xxl_job_info ORDER BY id`,
    );
    return {
      schema,
      groups: groupRows.map((r) => ({
        id: Number(r.id),
        appName: String(r.app_name),
        title: String(r.title ?? r.app_name),
        addressType: Number(r.address_type ?? 0),
        addressList: list(r.address_list),
      })),
      jobs: jobRows.map((r) => ({
        id: Number(r.id),
        groupId: Number(r.job_group),
        name: String(r.name ?? ''),
        author: String(r.author ?? ''),
        alarmEmails: list(r.alarm_email),
        scheduleType: String(r.schedule_type ?? 'NONE'),
        scheduleConf: String(r.schedule_conf ?? '').trim(),
        misfireStrategy: String(r.misfire_strategy ?? 'DO_NOTHING'),
        routeStrategy: String(r.executor_route_strategy ?? 'FIRST'),
        handler: String(r.executor_handler ?? '').trim(),
        params: String(r.executor_param ?? ''),
        blockStrategy: String(r.executor_block_strategy ?? 'SERIAL_EXECUTION'),
        timeoutSeconds: Number(r.executor_timeout ?? 0),
        retryCount: Number(r.executor_fail_retry_count ?? 0),
        glueType: String(r.glue_type ?? 'BEAN'),
        glueSource: String(r.glue_source ?? ''),
        childJobIds: list(r.child_jobid)
          .map(Number)
          .filter((n) => Number.isInteger(n) && n > 0),
        running: Number(r.trigger_status) === 1,
      })),
    };
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(
      'NOT_XXL_JOB',
      `reading XXL-JOB's tables in ${redactUrl(url)} failed: ${(error as Error).message}`,
      'database',
    );
  } finally {
    await db.end().catch(() => undefined);
  }
}
