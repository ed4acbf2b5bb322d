/**
 * `kairos import xxl-job`: a self-hosted XXL-JOB's executor groups and jobs as Kairos apps and
 * tasks (with contacts and failure alert rules for its alarm emails), through the public API.
 * Read from XXL-JOB's MySQL/MariaDB database; idempotent; `--dry-run` shows the plan only.
 */
import { isValidTimeZone } from '@kairos/time';
import { UsageError, parseCommandArgs } from '../args.js';
import { dispatchSubcommand } from '../context.js';
import type { Command, CommandContext } from '../context.js';
import { commandHelp } from '../help.js';
import { applyXxlImport } from '../xxl-import/xxl-apply.js';
import type { Change, ImportReport } from '../xxl-import/xxl-apply.js';
import { planXxlImport } from '../xxl-import/xxl-mapping.js';
import { readXxlSource, redactUrl } from '../xxl-import/xxl-source.js';

const HELP = commandHelp(`
Usage:
  kairos import xxl-job --database mysql://USER:PASSWORD@HOST:3306/xxl_job --timezone ZONE
                        [--namespace NS] [--dry-run]

Reads a self-hosted XXL-JOB's database (MySQL or MariaDB; schemas of XXL-JOB 2.2 to 3.5) and
creates or updates, through the API:
  executor groups   -> apps (a manual address list stays a manual address list)
  jobs              -> executor tasks: cron and fixed-rate schedules, handler and params, GLUE
                       shell/python/nodejs sources, route and block strategies, timeout, retry
                       count, misfire policy, enabled state
  alarm emails      -> contacts, and a failure alert rule per job
Then it reports what was mapped, what could not be and why (child jobs, GLUE types Kairos does
not run, expressions it refuses), and what to do next. Running it again changes nothing unless
XXL-JOB changed. Only SELECTs are sent to the XXL-JOB database.

Flags:
  --database URL   XXL-JOB's database (its spring.datasource.url as mysql://…)
  --timezone ZONE  the zone XXL-JOB's admin ran in (its JVM's default zone): its crons were read
                   there, e.g. Asia/Shanghai
  --namespace NS   import into this namespace (default: default)
  --dry-run        read and compare everything, write nothing; prints the plan

Examples:
  kairos import xxl-job --database mysql://root:secret@10.0.0.9:3306/xxl_job --timezone Asia/Shanghai --dry-run
  kairos import xxl-job --database mysql://root:secret@10.0.0.9:3306/xxl_job --timezone Asia/Shanghai
`);

const SIGN: Record<Change, string> = { create: '+', update: '~', unchanged: '=' };

function counts(items: { change: Change }[]): string {
  const n = (c: Change) => items.filter((i) => i.change === c).length;
  return `${n('create')} to create, ${n('update')} to update, ${n('unchanged')} unchanged`;
}

function printReport(ctx: CommandContext, report: ImportReport, header: string): void {
  const lines: string[] = [header, ''];
  lines.push(`apps: ${counts(report.apps)}`);
  for (const a of report.apps) {
    const where = a.addresses ? ` (manual addresses: ${a.addresses.join(', ')})` : '';
    lines.push(`  ${SIGN[a.change]} ${a.appName}${where}`);
  }
  lines.push(`tasks: ${counts(report.tasks)}`);
  for (const t of report.tasks) {
    const id = t.taskId === undefined ? '' : ` -> task ${t.taskId}`;
    const what = t.changed ? ` (${t.changed.join(', ')})` : '';
    lines.push(`  ${SIGN[t.change]} job #${t.jobId} "${t.name}"${id}${what}`);
  }
  lines.push(`contacts: ${counts(report.contacts)}`);
  for (const c of report.contacts) lines.push(`  ${SIGN[c.change]} ${c.email}`);
  lines.push(`alert rules: ${counts(report.alertRules)}`);
  for (const r of report.alertRules) lines.push(`  ${SIGN[r.change]} ${r.name}`);
  if (report.notMapped.length > 0) {
    lines.push(`not mapped: ${report.notMapped.length}`);
    for (const n of report.notMapped) lines.push(`  ! ${n.what}: ${n.reason}`);
  }
  lines.push('', 'Next:');
  const created = report.apps.filter((a) => a.accessToken);
  for (const a of created) {
    lines.push(`  - app ${a.appName}: its access token (shown once): ${a.accessToken}`);
  }
  lines.push(
    "  - on each executor, set xxl.job.admin.addresses to this Kairos and xxl.job.accessToken to its app's",
    '    token (an app imported before: kairos apps rotate-token <appName> issues a new one), then restart it;',
    "    XXL-JOB's tokens are not carried over",
    '  - stop the jobs in XXL-JOB before enabling them here, or both will run them',
    '  - check the times: kairos tasks list --tz <zone> shows each next fire',
  );
  if (report.dryRun) lines.push('', 'dry run: nothing was written; run again without --dry-run to import');
  ctx.print(...lines);
}

async function xxlJob(args: string[], ctx: CommandContext): Promise<number> {
  const { values, globals } = parseCommandArgs(args, {
    database: { type: 'string' },
    timezone: { type: 'string' },
    namespace: { type: 'string' },
    'dry-run': { type: 'boolean' },
  });
  if (!values.database)
    throw new UsageError('--database is required, e.g. --database mysql://root@127.0.0.1:3306/xxl_job');
  const timezone = values.timezone ?? ctx.zone(globals);
  if (!timezone) {
    throw new UsageError(
      "--timezone is required: the zone XXL-JOB's admin ran in (its JVM default zone), e.g. --timezone Asia/Shanghai",
    );
  }
  if (!isValidTimeZone(timezone))
    throw new UsageError(`--timezone must be an IANA zone such as Asia/Shanghai, got '${timezone}'`);
  const settings = ctx.settings(globals);
  const source = await readXxlSource(values.database);
  const plan = planXxlImport(source, timezone, Date.now());
  const report = await applyXxlImport(ctx.client(settings), plan, {
    namespace: values.namespace,
    dryRun: values['dry-run'] === true,
  });
  if (settings.json)
    ctx.printJson({
      source: { schema: source.schema, groups: source.groups.length, jobs: source.jobs.length },
      ...report,
    });
  else
    printReport(
      ctx,
      report,
      `XXL-JOB ${source.schema} schema at ${redactUrl(values.database)}: ${source.groups.length} executor groups, ${source.jobs.length} jobs (crons read in ${timezone})`,
    );
  return 0;
}

export const importCommand: Command = {
  name: 'import',
  summary: 'import apps and tasks from a self-hosted XXL-JOB database',
  help: HELP,
  run: (args, ctx) => dispatchSubcommand('import', args, ctx, { 'xxl-job': xxlJob }),
};
