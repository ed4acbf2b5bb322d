/**
 * XXL-JOB's groups and jobs as Kairos apps, tasks, contacts and failure alert rules, with what
 * could not be carried over and why. Pure: the command reads the source (xxl-source.ts) and
 * applies the result through the API (xxl-apply.ts).
 */
import type { ScheduleInput, TaskCreateInput } from '@kairos/protocol';
import { validateSchedule } from '@kairos/time';
import type { XxlJob, XxlSource } from './xxl-source.js';

export interface AppSpec {
  appName: string;
  name: string;
  /** The group's manual address list (address_type 1); null: executors register themselves. */
  addresses: string[] | null;
}

export interface TaskSpec {
  jobId: number;
  body: Omit<TaskCreateInput, 'namespace'> & { description: string };
  /** Who gets an email when it fails (XXL-JOB's alarm_email). */
  alarmEmails: string[];
}

/** Something of the source that Kairos does not take as it is, and why. */
export interface NotMapped {
  what: string;
  reason: string;
}

export interface ImportPlan {
  apps: AppSpec[];
  tasks: TaskSpec[];
  notMapped: NotMapped[];
}

/** The mark an imported task carries in its description; a second import finds it by it. */
export const jobMarker = (jobId: number): string => `[xxl-job:${jobId}]`;
export const MARKER_PATTERN = /\[xxl-job:(\d+)\]/;

const ROUTES: Record<string, string> = {
  FIRST: 'first',
  LAST: 'last',
  ROUND: 'round',
  RANDOM: 'random',
  CONSISTENT_HASH: 'consistent_hash',
  LEAST_FREQUENTLY_USED: 'least_frequently_used',
  LEAST_RECENTLY_USED: 'least_recently_used',
  FAILOVER: 'failover',
  BUSYOVER: 'busyover',
  SHARDING_BROADCAST: 'sharding_broadcast',
};
const BLOCKS: Record<string, string> = {
  SERIAL_EXECUTION: 'serial',
  DISCARD_LATER: 'discard_later',
  COVER_EARLY: 'cover_early',
};
const GLUES: Record<string, 'shell' | 'python' | 'nodejs'> = {
  GLUE_SHELL: 'shell',
  GLUE_PYTHON: 'python',
  GLUE_NODEJS: 'nodejs',
};

const jobLabel = (job: XxlJob): string => `job #${job.id} "${job.name}"`;

class Refused extends Error {}

function scheduleOf(job: XxlJob, timezone: string, now: number): ScheduleInput {
  const misfire = job.misfireStrategy === 'FIRE_ONCE_NOW' ? 'fire_once' : 'skip';
  let schedule: ScheduleInput;
  switch (job.scheduleType) {
    case 'CRON':
      schedule = { type: 'cron', expression: job.scheduleConf, timezone, misfire };
      break;
    case 'FIX_RATE': {
      const seconds = Number(job.scheduleConf);
      if (!Number.isInteger(seconds) || seconds < 1) {
        throw new Refused(`FIX_RATE "${job.scheduleConf}" is not a whole number of seconds`);
      }
      schedule = { type: 'fixed_rate', intervalSeconds: seconds, timezone, misfire };
      break;
    }
    case 'NONE':
      schedule = { type: 'api', timezone };
      break;
    default:
      throw new Refused(`schedule type ${job.scheduleType} is not one Kairos knows (CRON, FIX_RATE, NONE)`);
  }
  try {
    validateSchedule(
      {
        misfire: { policy: misfire, thresholdSeconds: 5, maxCatchUp: 100 },
        dstGap: 'shift',
        ...schedule,
      } as Parameters<typeof validateSchedule>[0],
      now,
    );
  } catch (error) {
    throw new Refused(`Kairos refuses its schedule: ${(error as Error).message}`);
  }
  return schedule;
}

function configOf(job: XxlJob): Record<string, unknown> {
  const routeStrategy = ROUTES[job.routeStrategy];
  if (!routeStrategy) throw new Refused(`route strategy ${job.routeStrategy} is unknown`);
  const blockStrategy = BLOCKS[job.blockStrategy] ?? 'serial';
  const config: Record<string, unknown> = { params: job.params, routeStrategy, blockStrategy };
  if (job.glueType === 'BEAN') {
    if (job.handler === '') throw new Refused('a BEAN job without a handler');
    return { handler: job.handler, ...config };
  }
  const glue = GLUES[job.glueType];
  if (!glue) {
    throw new Refused(
      `${job.glueType} sources are not supported by Kairos executor tasks (GLUE_SHELL, GLUE_PYTHON and GLUE_NODEJS are); ` +
        'rewrite it as a BEAN handler or a Kairos script task',
    );
  }
  return { ...config, glue: { type: glue, source: job.glueSource } };
}

/**
 * The plan for `source`: `timezone` is the zone the XXL-JOB admin's JVM ran in (its crons were
 * read there), `now` judges schedules that can no longer fire.
 */
export function planXxlImport(source: XxlSource, timezone: string, now: number): ImportPlan {
  const notMapped: NotMapped[] = [];
  const groups = new Map(source.groups.map((g) => [g.id, g]));
  const apps: AppSpec[] = source.groups.map((g) => ({
    appName: g.appName,
    name: g.title || g.appName,
    addresses: g.addressType === 1 && g.addressList.length > 0 ? g.addressList : null,
  }));
  const tasks: TaskSpec[] = [];
  for (const job of source.jobs) {
    const group = groups.get(job.groupId);
    if (!group) {
      notMapped.push({ what: jobLabel(job), reason: `its executor group ${job.groupId} does not exist` });
      continue;
    }
    try {
      const body = {
        name: (job.name || `xxl-job ${job.id}`).slice(0, 200),
        description: `Imported from XXL-JOB job #${job.id}${job.author ? ` (author: ${job.author})` : ''}. ${jobMarker(job.id)}`,
        app: group.appName,
        type: 'executor',
        config: configOf(job),
        schedule: scheduleOf(job, timezone, now),
        timeoutSeconds: job.timeoutSeconds > 0 ? job.timeoutSeconds : null,
        // XXL-JOB retries a failed trigger about 10 s later, without back-off.
        retry: {
          maxAttempts: Math.min(100, Math.max(0, job.retryCount) + 1),
          backoff: 'fixed' as const,
          delaySeconds: 10,
        },
        enabled: job.running,
      };
      tasks.push({ jobId: job.id, body, alarmEmails: job.alarmEmails });
      const children = job.childJobIds.filter((id) => id !== job.id);
      if (children.length > 0) {
        notMapped.push({
          what: `${jobLabel(job)}: child jobs ${children.join(', ')}`,
          reason:
            'Kairos has no child tasks or workflows yet: the children are imported as tasks of their own but are not ' +
            'triggered when this one succeeds; trigger them from the parent (POST /api/v1/tasks/{id}/run) until workflows land',
        });
      }
    } catch (error) {
      if (!(error instanceof Refused)) throw error;
      notMapped.push({ what: jobLabel(job), reason: `${error.message}; not imported` });
    }
  }
  return { apps, tasks, notMapped };
}
