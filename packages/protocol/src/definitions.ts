/**
 * Definitions as code: the document `kairos export` writes and `POST /api/v1/apply` (`kairos
 * apply -f`) takes back. A document is one namespace's apps, calendars and tasks, referring to
 * one another by name (a task's `app` is an appName, a schedule's calendar `{name, mode}`), with
 * no ids and no secret values. Every object is strict: an unknown field is refused, naming it.
 */
import { z } from 'zod';
import { AppCreate, CalendarCreate, TaskCreate } from './schemas.js';

export const DEFINITIONS_KIND = 'kairos/definitions';

export const AppDefinition = AppCreate.omit({ namespace: true }).extend({
  /** Manual executor addresses; absent or null: the app routes to its registered executors. */
  executorAddresses: z.array(z.string().min(1).max(2000)).max(1000).nullable().optional(),
});
export type AppDefinition = z.output<typeof AppDefinition>;

export const CalendarDefinition = CalendarCreate.omit({ namespace: true });
export type CalendarDefinition = z.output<typeof CalendarDefinition>;

/** A task as `tasks create` takes it, its app by appName (ids differ from server to server). */
export const TaskDefinition = TaskCreate.omit({ namespace: true }).extend({ app: z.string().min(1) });
export type TaskDefinition = z.output<typeof TaskDefinition>;

/**
 * One namespace's definitions. A kind left out (`apps`, `calendars`, `tasks`) is left alone,
 * even by a prune; a kind given, even empty, is the whole of that kind in the namespace for a
 * prune. `alertRules`, which export writes, are not applied yet: a warning says so.
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
  alertRules: z.array(z.unknown()).max(10_000).optional(),
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
  kind: z.enum(['app', 'calendar', 'task']),
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
  /** What creating or updating would warn about (ambiguous zones…), and what is not applied. */
  warnings: z.array(z.object({ field: z.string(), message: z.string() })),
});
export type ApplyPlan = z.infer<typeof ApplyPlan>;
