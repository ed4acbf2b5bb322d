/**
 * A namespace's definitions as one YAML-ready document: apps, calendars, tasks, contact groups,
 * alert rules and workflows, referring to one another by name (a task's app by appName, a
 * schedule's calendar by name, a group's members and a rule's task, contacts and groups by name,
 * a workflow node's task by name or inline), with no ids, no timestamps, and no secret: a
 * value under a secret-looking key (`password`, `token`, `apiKey`, `Authorization`…) becomes
 * `{secretRef: <where it is>}`, the value staying in Kairos; app access tokens are never read.
 */
import type {
  AlertRule,
  App,
  Calendar,
  Contact,
  ContactGroup,
  Schedule,
  Task,
  Workflow,
} from '@kairos/protocol';

const SECRET_KEY = /pass(word)?|secret|token|api[-_]?key|authorization|credential|cookie|private[-_]?key/i;

/** `value` with the values of secret-looking keys replaced by `{secretRef: path}`. */
export function withSecretRefs(value: unknown, path: string): unknown {
  // A named secret's reference ({"$secret": name}) is no secret: it is written as it is.
  if (isNamedSecret(value)) return value;
  if (Array.isArray(value)) return value.map((v, i) => withSecretRefs(v, `${path}.${i}`));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, v]) => [
        key,
        SECRET_KEY.test(key) && typeof v === 'string'
          ? { secretRef: `${path}.${key}` }
          : withSecretRefs(v, `${path}.${key}`),
      ]),
    );
  }
  return value;
}

const isNamedSecret = (value: unknown): boolean =>
  typeof value === 'object' &&
  value !== null &&
  Object.keys(value).length === 1 &&
  typeof (value as { $secret?: unknown }).$secret === 'string';

export interface Definitions {
  namespace: string;
  apps: App[];
  addresses: Map<number, string[] | null>;
  calendars: Calendar[];
  tasks: Task[];
  alertRules: AlertRule[];
  contacts: Contact[];
  groups: ContactGroup[];
  workflows: Workflow[];
}

const defined = (entries: [string, unknown][]): Record<string, unknown> =>
  Object.fromEntries(entries.filter(([, v]) => v !== undefined && v !== null));

/** A schedule with its calendar by name, as the API takes it too. */
function scheduleByName(schedule: Schedule, calendarNames: Map<number, string>) {
  const { calendar, ...rest } = schedule;
  return calendar
    ? { ...rest, calendar: { name: calendarNames.get(calendar.id) ?? calendar.id, mode: calendar.mode } }
    : rest;
}

/**
 * A workflow by name: its app an appName, each node's task a task name (`task: nightly`) or the
 * node's own task inline (its hidden task is not a task of the document), its config's secrets
 * by reference.
 */
function workflowByName(
  w: Workflow,
  names: { apps: Map<number, string>; tasks: Map<number, string>; calendars: Map<number, string> },
) {
  return defined([
    ['name', w.name],
    ['app', w.appName],
    ['description', w.description],
    ['schedule', scheduleByName(w.schedule, names.calendars)],
    ['concurrency', w.concurrency],
    ['timeoutSeconds', w.timeoutSeconds],
    ['input', w.input],
    [
      'nodes',
      w.nodes.map(({ taskId, task, ...node }) => {
        if (!task) return { ...node, task: names.tasks.get(taskId!) ?? taskId };
        const { app, config, ...inline } = task;
        const at = `workflows.${w.name}.nodes.${node.key}.task.config`;
        return {
          ...node,
          task: defined([
            ['type', inline.type],
            ['app', typeof app === 'number' ? (names.apps.get(app) ?? app) : app],
            ['config', withSecretRefs(config, at)],
            ['timeoutSeconds', inline.timeoutSeconds],
            ['retry', inline.retry],
          ]),
        };
      }),
    ],
    ['edges', w.edges],
    ['enabled', w.enabled],
  ]);
}

export function definitionsDocument(d: Definitions): Record<string, unknown> {
  const calendarNames = new Map(d.calendars.map((c) => [c.id, c.name]));
  const appNames = new Map(d.apps.map((a) => [a.id, a.appName]));
  const taskNames = new Map(d.tasks.map((t) => [t.id, t.name]));
  const contactNames = new Map(d.contacts.map((c) => [c.id, c.name]));
  const groupNames = new Map(d.groups.map((g) => [g.id, g.name]));
  // By name, not by id: the file reads the same from any server holding the same definitions.
  const byName = <T>(items: T[], name: (t: T) => string) =>
    [...items].sort((a, b) => (name(a) < name(b) ? -1 : name(a) > name(b) ? 1 : 0));
  return {
    kind: 'kairos/definitions',
    namespace: d.namespace,
    apps: byName(d.apps, (a) => a.appName).map((a) =>
      defined([
        ['appName', a.appName],
        ['name', a.name],
        ['description', a.description],
        ['maxConcurrency', a.maxConcurrency],
        ['executorAddresses', d.addresses.get(a.id)],
      ]),
    ),
    calendars: byName(d.calendars, (c) => c.name).map((c) => ({
      name: c.name,
      timezone: c.timezone,
      dates: c.dates,
    })),
    tasks: byName(d.tasks, (t) => t.name).map((t) => {
      return defined([
        ['name', t.name],
        ['app', t.appName],
        ['description', t.description],
        ['type', t.type],
        ['config', withSecretRefs(t.config, `tasks.${t.name}.config`)],
        ['schedule', scheduleByName(t.schedule, calendarNames)],
        ['timeoutSeconds', t.timeoutSeconds],
        ['retry', t.retry],
        ['concurrency', t.concurrency],
        [
          'childTasks',
          t.childTaskIds?.length ? t.childTaskIds.map((id) => taskNames.get(id) ?? id) : undefined,
        ],
        // A judge is named by its task id (another environment's import needs that task).
        ['outputGate', t.outputGate ?? undefined],
        ['priority', t.priority === 0 ? undefined : t.priority],
        ['pool', t.pool],
        ['budget', t.budget],
        ['enabled', t.enabled],
      ]);
    }),
    // Members in the group's order (it is who is told first); contacts themselves are not written.
    contactGroups: byName(d.groups, (g) => g.name).map((g) => ({
      name: g.name,
      contacts: g.contacts.map((id) => contactNames.get(id) ?? id),
    })),
    alertRules: byName(d.alertRules, (r) => r.name).map((r) => {
      const scope = 'taskId' in r.scope ? { task: taskNames.get(r.scope.taskId) ?? r.scope.taskId } : r.scope;
      return defined([
        ['name', r.name],
        ['scope', scope],
        ['on', r.on],
        ['threshold', r.threshold],
        ['windowSeconds', r.windowSeconds],
        [
          'notify',
          defined([
            ['contacts', r.notify.contacts.map((id) => contactNames.get(id) ?? id)],
            [
              'groups',
              r.notify.groups.length > 0 ? r.notify.groups.map((id) => groupNames.get(id) ?? id) : undefined,
            ],
            ['channels', r.notify.channels],
          ]),
        ],
        ['silenceSeconds', r.silenceSeconds],
        ['templates', r.templates],
        ['enabled', r.enabled],
      ]);
    }),
    workflows: byName(d.workflows, (w) => w.name).map((w) =>
      workflowByName(w, { apps: appNames, tasks: taskNames, calendars: calendarNames }),
    ),
  };
}
