/**
 * Definitions as code: the document `kairos export` writes and `POST /api/v1/apply` (`kairos
 * apply -f`) takes back. A document is one namespace's apps, calendars, tasks, contact groups,
 * alert rules and workflows, referring to one another by name (a task's `app` is an appName, a
 * schedule's calendar `{name, mode}`, a group's members and a rule's contacts and groups, a
 * workflow node's task), with no ids and no secret values. Every object is strict: an unknown
 * field is refused, naming it.
 */
import { z } from 'zod';
import { AlertOn, Channel, checkRuleThreshold } from './alerts.js';
import { ScheduleRequest } from './schedules.js';
import { AppCreate, CalendarCreate, TaskCreate } from './schemas.js';
import { InlineTaskDefinition, WorkflowCreate, WorkflowNode } from './workflows.js';

export const DEFINITIONS_KIND = 'kairos/definitions';

export const AppDefinition = AppCreate.omit({ namespace: true }).extend({
  /** Manual executor addresses; absent or null: the app routes to its registered executors. */
  executorAddresses: z.array(z.string().min(1).max(2000)).max(1000).nullable().optional(),
});
export type AppDefinition = z.output<typeof AppDefinition>;

export const CalendarDefinition = CalendarCreate.omit({ namespace: true });
export type CalendarDefinition = z.output<typeof CalendarDefinition>;

/**
 * A task as `tasks create` takes it, its app by appName and its child tasks by name (ids differ
 * from server to server); its pool by name, as always.
 */
export const TaskDefinition = TaskCreate.omit({ namespace: true, childTaskIds: true }).extend({
  app: z.string().min(1),
  /** Tasks of the namespace (in the files or kept on the server) to trigger when a run succeeds. */
  childTasks: z.array(z.string().min(1).max(200)).max(100).optional(),
});
export type TaskDefinition = z.output<typeof TaskDefinition>;

const names = (max: number) => z.array(z.string().min(1).max(200)).max(max);

/**
 * A contact group, its members by contact name, in order. Contacts themselves are not written:
 * they hold addresses (people's email and phone numbers), so they must exist on the target.
 */
export const ContactGroupDefinition = z.strictObject({
  name: z.string().min(1).max(200),
  contacts: names(500),
});
export type ContactGroupDefinition = z.output<typeof ContactGroupDefinition>;

/**
 * An alert rule as export writes it: its task, app, contacts and groups by name. A mute
 * (`mutedUntil`) is the operators' state, not a definition: apply leaves it as it is.
 */
export const AlertRuleDefinition = z
  .strictObject({
    name: z.string().min(1).max(200),
    scope: z.union([
      z.strictObject({ task: z.string().min(1).max(200) }),
      z.strictObject({ app: z.string().min(1).max(64) }),
      z.strictObject({ namespace: z.string().min(1).max(63) }),
    ]),
    on: AlertOn,
    threshold: z.number().optional(),
    windowSeconds: z
      .number()
      .int()
      .min(60)
      .max(30 * 86_400)
      .optional(),
    notify: z
      .strictObject({
        contacts: names(500).default([]),
        groups: names(100).default([]),
        channels: z.array(Channel).min(1).max(4).optional(),
      })
      .refine((n) => n.contacts.length + n.groups.length > 0, {
        message: 'name at least one contact or group',
        path: ['contacts'],
      }),
    silenceSeconds: z
      .number()
      .int()
      .min(0)
      .max(7 * 86_400)
      .default(300),
    templates: z.partialRecord(Channel, z.string().min(1).max(10_000)).optional(),
    enabled: z.boolean().default(true),
  })
  // The checks of POST /alert-rules (only whether the scope is an app matters to them).
  .superRefine((rule, ctx) =>
    checkRuleThreshold({ ...rule, scope: 'app' in rule.scope ? rule.scope : { namespace: '-' } }, ctx),
  );
export type AlertRuleDefinition = z.output<typeof AlertRuleDefinition>;

const taskName = z.string().min(1).max(200);

/**
 * A workflow node as export writes it: `task` is either the name of a task of the namespace (in
 * the files or kept on the server) or, for a node with its own task, that task inline as `POST
 * /workflows` takes it, its app (if any) by appName. The hidden task behind an inline node is
 * never a task of the document.
 */
export const WorkflowNodeDefinition = WorkflowNode.omit({ taskId: true, task: true }).extend({
  task: z.union([taskName, InlineTaskDefinition.extend({ app: z.string().min(1).max(64).optional() })], {
    error: 'give the name of a task, or a task inline ({type, config, …})',
  }),
});
export type WorkflowNodeDefinition = z.output<typeof WorkflowNodeDefinition>;

/**
 * A workflow as `POST /workflows` takes it, by name: its app an appName, its schedule's calendar
 * `{name, mode}`, each node's task a task name or an inline task.
 */
export const WorkflowDefinition = WorkflowCreate.omit({ namespace: true }).extend({
  app: z.string().min(1).max(64),
  schedule: ScheduleRequest.default({
    type: 'api',
    timezone: 'UTC',
    misfire: { policy: 'skip', thresholdSeconds: 5, maxCatchUp: 100 },
    dstGap: 'shift',
  }),
  nodes: z.array(WorkflowNodeDefinition).min(1, 'must hold at least one node').max(500),
});
export type WorkflowDefinition = z.output<typeof WorkflowDefinition>;

/**
 * One namespace's definitions. A kind left out (`apps`, `calendars`, `tasks`, `contactGroups`,
 * `alertRules`, `workflows`) is left alone, even by a prune; a kind given, even empty, is the
 * whole of that kind in the namespace for a prune.
 */
export const DefinitionsDocument = z.strictObject({
  kind: z.literal(DEFINITIONS_KIND),
  namespace: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'must be 1-63 lowercase letters, digits, "_" or "-"')
    .default('default'),
  apps: z.array(AppDefinition).max(10_000).optional(),
  calendars: z.array(CalendarDefinition).max(10_000).optional(),
  tasks: z.array(TaskDefinition).max(10_000).optional(),
  contactGroups: z.array(ContactGroupDefinition).max(10_000).optional(),
  alertRules: z.array(AlertRuleDefinition).max(10_000).optional(),
  workflows: z.array(WorkflowDefinition).max(10_000).optional(),
});
export type DefinitionsDocumentInput = z.input<typeof DefinitionsDocument>;
export type DefinitionsDocument = z.output<typeof DefinitionsDocument>;

export const ApplyRequest = z.strictObject({
  documents: z.array(DefinitionsDocument).min(1).max(1000),
  /** Delete what the documents do not name, within the namespaces and kinds they give. */
  prune: z.boolean().default(false),
  /** Only answer the plan; change nothing. */
  dryRun: z.boolean().default(false),
});
export type ApplyRequestInput = z.input<typeof ApplyRequest>;
export type ApplyRequest = z.output<typeof ApplyRequest>;

/** One field that differs: its dotted path under the definition, the stored and the wanted value. */
export const FieldChange = z.object({
  field: z.string(),
  from: z.unknown().optional(),
  to: z.unknown().optional(),
});
export type FieldChange = z.infer<typeof FieldChange>;

export const ApplyChange = z.object({
  namespace: z.string(),
  kind: z.enum(['app', 'calendar', 'task', 'contactGroup', 'alertRule', 'workflow']),
  name: z.string(),
  action: z.enum(['create', 'update', 'unchanged', 'delete']),
  /** For `update`: the fields that change (secret values masked). */
  fields: z.array(FieldChange),
});
export type ApplyChange = z.infer<typeof ApplyChange>;

export const ApplyPlan = z.object({
  dryRun: z.boolean(),
  /** true when the changes were stored (all of them, in one transaction). */
  applied: z.boolean(),
  changes: z.array(ApplyChange),
  /** What creating or updating would warn about (ambiguous zones…). */
  warnings: z.array(z.object({ field: z.string(), message: z.string() })),
});
export type ApplyPlan = z.infer<typeof ApplyPlan>;
