/**
 * Alerting resources: contacts, contact groups, alert rules and the alert history.
 * The server adds what a schema cannot know (ids that exist, templates that render, webhook
 * destinations its policy allows) and answers 400 naming the field.
 */
import { z } from 'zod';
import { patchOf } from './schemas.js';

const id = z.number().int().positive();
const namespaceName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'must be 1-63 lowercase letters, digits, "_" or "-"');
const isoInstant = z.iso.datetime({
  offset: true,
  message: 'must be an ISO-8601 instant, e.g. 2026-03-15T06:00:00Z',
});

// ---------------------------------------------------------------- contacts

export const WEBHOOK_KINDS = ['generic', 'slack', 'dingtalk', 'feishu', 'wecom', 'teams'] as const;
export const WebhookKind = z.enum(WEBHOOK_KINDS);
export type WebhookKind = z.infer<typeof WebhookKind>;

export const CHANNELS = ['webhook', 'email', 'sms', 'phone'] as const;
export const Channel = z.enum(CHANNELS);
export type Channel = z.infer<typeof Channel>;

const httpUrl = z
  .string()
  .max(2000)
  .refine((s) => {
    try {
      const url = new URL(s);
      return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
    } catch {
      return false;
    }
  }, 'must be an http:// or https:// URL');

export const WebhookTarget = z.strictObject({
  url: httpUrl,
  kind: WebhookKind.default('generic'),
  /** generic: the HMAC-SHA256 key; dingtalk, feishu: the robot's signing secret. Never shown back. */
  secret: z.string().min(1).max(500).optional(),
});

export const ContactCreate = z
  .strictObject({
    namespace: namespaceName.optional(),
    name: z.string().min(1).max(200),
    email: z.email('must be an email address').max(320).optional(),
    /** E.164: +, country code, number. */
    phone: z
      .string()
      .regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 phone number, e.g. +8613800138000')
      .optional(),
    webhook: WebhookTarget.optional(),
  })
  .refine((c) => c.email !== undefined || c.phone !== undefined || c.webhook !== undefined, {
    message: 'a contact needs at least one of email, phone or webhook',
    path: ['email'],
  });
export type ContactCreateInput = z.input<typeof ContactCreate>;

export const ContactUpdate = z.strictObject({
  name: z.string().min(1).max(200).optional(),
  email: z.email('must be an email address').max(320).nullable().optional(),
  phone: z
    .string()
    .regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 phone number, e.g. +8613800138000')
    .nullable()
    .optional(),
  webhook: WebhookTarget.nullable().optional(),
});
export type ContactUpdateInput = z.input<typeof ContactUpdate>;

export const Contact = z.object({
  id,
  namespace: z.string(),
  name: z.string(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  webhook: z.object({ url: z.string(), kind: WebhookKind, hasSecret: z.boolean() }).nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Contact = z.infer<typeof Contact>;

export const ContactGroupCreate = z.strictObject({
  namespace: namespaceName.optional(),
  name: z.string().min(1).max(200),
  contacts: z.array(id).max(500),
});
export type ContactGroupCreateInput = z.input<typeof ContactGroupCreate>;
export const ContactGroupUpdate = patchOf(ContactGroupCreate.omit({ namespace: true }));
export type ContactGroupUpdateInput = z.input<typeof ContactGroupUpdate>;
export const ContactGroup = z.object({
  id,
  namespace: z.string(),
  name: z.string(),
  contacts: z.array(id),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type ContactGroup = z.infer<typeof ContactGroup>;

// ---------------------------------------------------------------- rules

/** Fired by a run's end (decided in the settlement), by a running run, or by the threshold evaluator. */
export const RUN_END_KINDS = [
  'failure',
  'failure_attempt',
  'timeout',
  'success',
  'lost',
  'consecutive_failures',
] as const;
export const THRESHOLD_KINDS = [
  'duration',
  'failure_rate',
  'no_success',
  'executors_online',
  'token_budget',
  'cost_budget',
  /** The scope's budget (task, app or namespace; see pacing.ts) reached 80 % and 100 %. */
  'budget',
] as const;
export const AlertOn = z.enum([...RUN_END_KINDS, ...THRESHOLD_KINDS]);
export type AlertOn = z.infer<typeof AlertOn>;

export const AlertScope = z.union([
  z.strictObject({ taskId: id }),
  z.strictObject({ app: z.string().min(1).max(64) }),
  z.strictObject({ namespace: namespaceName }),
]);
export type AlertScope = z.infer<typeof AlertScope>;

export const AlertNotify = z
  .strictObject({
    contacts: z.array(id).max(500).default([]),
    groups: z.array(id).max(100).default([]),
    /** The channels to use of each contact; default: webhook, email and sms (phone only when asked). */
    channels: z.array(Channel).min(1).max(4).optional(),
  })
  .refine((n) => n.contacts.length + n.groups.length > 0, {
    message: 'name at least one contact or group',
    path: ['contacts'],
  });

/** Per `on`: is a threshold needed, its range, and is a window needed. */
export const THRESHOLD_RULES: Record<
  AlertOn,
  { threshold?: { min: number; max: number; integer: boolean; what: string }; window?: 'required' | 'budget' }
> = {
  failure: {},
  failure_attempt: {},
  timeout: {},
  success: {},
  lost: {},
  consecutive_failures: { threshold: { min: 2, max: 1000, integer: true, what: 'failed runs in a row' } },
  duration: { threshold: { min: 1, max: 7 * 86_400, integer: true, what: 'seconds a run may take' } },
  failure_rate: {
    threshold: { min: 0.001, max: 1, integer: false, what: 'the failed share of finished runs (0-1]' },
    window: 'required',
  },
  no_success: { window: 'required' },
  executors_online: {
    threshold: { min: 1, max: 10_000, integer: true, what: 'the fewest executors online' },
  },
  token_budget: { threshold: { min: 1, max: 1e12, integer: true, what: 'tokens' }, window: 'budget' },
  cost_budget: { threshold: { min: 0.0001, max: 1e9, integer: false, what: 'cost' }, window: 'budget' },
  budget: {},
};

const ruleShape = {
  namespace: namespaceName.optional(),
  name: z.string().min(1).max(200),
  scope: AlertScope,
  on: AlertOn,
  threshold: z.number().optional(),
  windowSeconds: z
    .number()
    .int()
    .min(60)
    .max(30 * 86_400)
    .optional(),
  notify: AlertNotify,
  /** After an alert, the same rule and target stay quiet this long (repeats are counted, not sent). */
  silenceSeconds: z
    .number()
    .int()
    .min(0)
    .max(7 * 86_400)
    .default(300),
  /** The rule sends nothing until then. */
  mutedUntil: isoInstant.nullable().optional(),
  enabled: z.boolean().default(true),
  /** Message templates per channel (Mustache), replacing the built-in ones. */
  templates: z.partialRecord(Channel, z.string().min(1).max(10_000)).optional(),
};

type RuleFields = {
  on?: AlertOn | undefined;
  threshold?: number | undefined;
  windowSeconds?: number | undefined;
  scope?: AlertScope | undefined;
};

/** Threshold and window against `on`: a problem names its field. */
export function checkRuleThreshold(rule: RuleFields, ctx: z.RefinementCtx): void {
  if (rule.on === undefined) return;
  const spec = THRESHOLD_RULES[rule.on];
  if (spec.threshold) {
    const t = spec.threshold;
    if (rule.threshold === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['threshold'],
        message: `on "${rule.on}" needs a threshold: ${t.what}`,
      });
    } else if (
      rule.threshold < t.min ||
      rule.threshold > t.max ||
      (t.integer && !Number.isInteger(rule.threshold))
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['threshold'],
        message: `must be ${t.integer ? 'a whole number ' : ''}from ${t.min} to ${t.max} (${t.what})`,
      });
    }
  } else if (rule.threshold !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['threshold'], message: `on "${rule.on}" takes no threshold` });
  }
  if (spec.window === 'required' && rule.windowSeconds === undefined) {
    ctx.addIssue({ code: 'custom', path: ['windowSeconds'], message: `on "${rule.on}" needs windowSeconds` });
  }
  if (spec.window === 'budget' && rule.windowSeconds !== 3600 && rule.windowSeconds !== 86_400) {
    ctx.addIssue({
      code: 'custom',
      path: ['windowSeconds'],
      message: `a budget is per hour (3600) or per day (86400)`,
    });
  }
  if (spec.window === undefined && rule.windowSeconds !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['windowSeconds'], message: `on "${rule.on}" takes no window` });
  }
  if (rule.on === 'executors_online' && rule.scope !== undefined && !('app' in rule.scope)) {
    ctx.addIssue({
      code: 'custom',
      path: ['scope'],
      message: 'executors_online is watched per app: scope {app}',
    });
  }
}

export const AlertRuleCreate = z.strictObject(ruleShape).superRefine(checkRuleThreshold);
export type AlertRuleCreateInput = z.input<typeof AlertRuleCreate>;
export type AlertRuleCreate = z.output<typeof AlertRuleCreate>;

/** A PATCH; the merged rule is checked again as a whole by the server. */
export const AlertRuleUpdate = z.strictObject({
  name: ruleShape.name.optional(),
  on: AlertOn.optional(),
  threshold: z.number().nullable().optional(),
  windowSeconds: ruleShape.windowSeconds.nullable(),
  notify: AlertNotify.optional(),
  silenceSeconds: z
    .number()
    .int()
    .min(0)
    .max(7 * 86_400)
    .optional(),
  mutedUntil: isoInstant.nullable().optional(),
  enabled: z.boolean().optional(),
  templates: ruleShape.templates.nullable(),
});
export type AlertRuleUpdateInput = z.input<typeof AlertRuleUpdate>;

export const AlertRule = z.object({
  id,
  namespace: z.string(),
  name: z.string(),
  scope: z.union([
    z.object({ taskId: id }),
    z.object({ app: z.string() }),
    z.object({ namespace: z.string() }),
  ]),
  on: AlertOn,
  threshold: z.number().nullable(),
  windowSeconds: z.number().nullable(),
  notify: z.object({ contacts: z.array(id), groups: z.array(id), channels: z.array(Channel).optional() }),
  silenceSeconds: z.number(),
  mutedUntil: z.string().nullable(),
  enabled: z.boolean(),
  templates: z.record(z.string(), z.string()).nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type AlertRule = z.infer<typeof AlertRule>;

// ---------------------------------------------------------------- history

export const DeliveryStatus = z.enum(['pending', 'sent', 'failed']);
export const AlertDelivery = z.object({
  id,
  contactId: id.nullable(),
  channel: Channel,
  target: z.string(),
  status: DeliveryStatus,
  attempts: z.number().int(),
  lastError: z.string().nullable(),
  nextAttemptAt: z.string().nullable(),
  sentAt: z.string().nullable(),
});
export type AlertDelivery = z.infer<typeof AlertDelivery>;

export const Alert = z.object({
  id,
  ruleId: id.nullable(),
  namespace: z.string(),
  on: z.string(),
  /** `firing`, `resolved` (a threshold cleared) or `test`. */
  state: z.enum(['firing', 'resolved', 'test']),
  appId: id.nullable(),
  taskId: id.nullable(),
  runId: id.nullable(),
  facts: z.record(z.string(), z.unknown()),
  /** Repeats of this alert within the rule's silence window, counted instead of sent. */
  repeats: z.number().int(),
  createdAt: z.string(),
  deliveries: z.array(AlertDelivery),
});
export type Alert = z.infer<typeof Alert>;

export const AlertListQuery = z.strictObject({
  namespace: namespaceName.optional(),
  ruleId: z.coerce.number().int().positive().optional(),
  cursor: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});
