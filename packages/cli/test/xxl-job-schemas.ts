/**
 * XXL-JOB's tables as its `doc/db/tables_xxl_job.sql` defines them (the columns the importer
 * reads, with their documented types), per schema generation: 2.2 (`job_cron`), 2.3-3.4
 * (`schedule_type`/`schedule_conf`), 3.5 (`name` instead of `title` and `job_desc`).
 */
export type XxlSchema = '2.2' | '2.4' | '3.5';

export function xxlTables(schema: XxlSchema): string {
  const title = schema === '3.5' ? '`name` varchar(64) NOT NULL' : '`title` varchar(12) NOT NULL';
  const desc = schema === '3.5' ? '`name` varchar(255) NOT NULL' : '`job_desc` varchar(255) NOT NULL';
  const schedule =
    schema === '2.2'
      ? '`job_cron` varchar(128) NOT NULL,'
      : "`schedule_type` varchar(50) NOT NULL DEFAULT 'NONE', `schedule_conf` varchar(128) DEFAULT NULL, `misfire_strategy` varchar(50) NOT NULL DEFAULT 'DO_NOTHING',";
  return `
CREATE TABLE xxl_job_group (
  id int(11) NOT NULL AUTO_INCREMENT,
  app_name varchar(64) NOT NULL,
  ${title},
  address_type tinyint(4) NOT NULL DEFAULT 0,
  address_list text,
  update_time datetime DEFAULT NULL,
  ${schema === '3.5' ? 'access_token varchar(255) DEFAULT NULL,' : ''}
  PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE xxl_job_info (
  id int(11) NOT NULL AUTO_INCREMENT,
  job_group int(11) NOT NULL,
  ${desc},
  add_time datetime DEFAULT NULL,
  update_time datetime DEFAULT NULL,
  author varchar(64) DEFAULT NULL,
  alarm_email varchar(255) DEFAULT NULL,
  ${schedule}
  executor_route_strategy varchar(50) DEFAULT NULL,
  executor_handler varchar(255) DEFAULT NULL,
  executor_param varchar(512) DEFAULT NULL,
  executor_block_strategy varchar(50) DEFAULT NULL,
  executor_timeout int(11) NOT NULL DEFAULT 0,
  executor_fail_retry_count int(11) NOT NULL DEFAULT 0,
  glue_type varchar(50) NOT NULL,
  glue_source mediumtext,
  glue_remark varchar(128) DEFAULT NULL,
  glue_updatetime datetime DEFAULT NULL,
  child_jobid varchar(255) DEFAULT NULL,
  trigger_status tinyint(4) NOT NULL DEFAULT 0,
  trigger_last_time bigint(13) NOT NULL DEFAULT 0,
  trigger_next_time bigint(13) NOT NULL DEFAULT 0,
  PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE xxl_job_registry (
  id int(11) NOT NULL AUTO_INCREMENT,
  registry_group varchar(50) NOT NULL,
  registry_key varchar(255) NOT NULL,
  registry_value varchar(255) NOT NULL,
  update_time datetime DEFAULT NULL,
  PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
`;
}

export interface XxlJobRow {
  id: number;
  group: number;
  desc: string;
  cron?: string;
  scheduleType?: 'CRON' | 'FIX_RATE' | 'NONE';
  scheduleConf?: string;
  misfire?: string;
  route?: string;
  handler?: string;
  param?: string;
  block?: string;
  timeout?: number;
  retry?: number;
  glueType?: string;
  glueSource?: string;
  children?: string;
  alarmEmail?: string;
  running?: boolean;
}

const q = (v: string | number | null | undefined): string =>
  v === null || v === undefined
    ? 'NULL'
    : typeof v === 'number'
      ? String(v)
      : `'${v.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;

export function insertGroup(
  schema: XxlSchema,
  g: { id: number; appName: string; title: string; manual?: string[] },
): string {
  const title = schema === '3.5' ? 'name' : 'title';
  return `INSERT INTO xxl_job_group (id, app_name, ${title}, address_type, address_list) VALUES (${g.id}, ${q(g.appName)}, ${q(g.title)}, ${g.manual ? 1 : 0}, ${q(g.manual?.join(',') ?? null)});`;
}

export function insertJob(schema: XxlSchema, j: XxlJobRow): string {
  const desc = schema === '3.5' ? 'name' : 'job_desc';
  const scheduleCols = schema === '2.2' ? 'job_cron' : 'schedule_type, schedule_conf, misfire_strategy';
  const scheduleVals =
    schema === '2.2'
      ? q(j.cron ?? j.scheduleConf ?? '')
      : `${q(j.scheduleType ?? 'CRON')}, ${q(j.scheduleConf ?? j.cron ?? null)}, ${q(j.misfire ?? 'DO_NOTHING')}`;
  return `INSERT INTO xxl_job_info (id, job_group, ${desc}, author, alarm_email, ${scheduleCols}, executor_route_strategy, executor_handler, executor_param, executor_block_strategy, executor_timeout, executor_fail_retry_count, glue_type, glue_source, child_jobid, trigger_status)
  VALUES (${j.id}, ${j.group}, ${q(j.desc)}, 'admin', ${q(j.alarmEmail ?? '')}, ${scheduleVals}, ${q(j.route ?? 'FIRST')}, ${q(j.handler ?? '')}, ${q(j.param ?? '')}, ${q(j.block ?? 'SERIAL_EXECUTION')}, ${j.timeout ?? 0}, ${j.retry ?? 0}, ${q(j.glueType ?? 'BEAN')}, ${q(j.glueSource ?? '')}, ${q(j.children ?? '')}, ${j.running === false ? 0 : 1});`;
}
