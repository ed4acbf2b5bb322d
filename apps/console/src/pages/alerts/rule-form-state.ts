/**
 * The alert rule form's state, which fields matter for each `on` (from the protocol's
 * THRESHOLD_RULES, so the form and the server agree), and the request bodies made from it.
 */
import {
  RUN_END_KINDS,
  THRESHOLD_RULES,
  type AlertOn,
  type AlertRule,
  type AlertRuleCreateInput,
  type AlertRuleUpdateInput,
  type AlertScope,
  type Channel,
} from '@kairos/protocol';

export type ScopeKind = 'task' | 'app' | 'namespace';

export interface RuleFormState {
  name: string;
  on: AlertOn;
  scopeKind: ScopeKind;
  /** Select values are strings. */
  taskId: string;
  app: string;
  namespace: string;
  threshold: number | string;
  /** A sliding window (failure_rate, no_success), in minutes. */
  windowMinutes: number | string;
  /** A budget's period (token_budget, cost_budget), in seconds. */
  budgetWindow: '3600' | '86400';
  contacts: string[];
  groups: string[];
  /** Empty: the default channels (webhook, email, SMS). */
  channels: Channel[];
  silenceSeconds: number | string;
  enabled: boolean;
}

/** What each `on` watches, in the words of the rule list and the form. */
export const ON_LABELS: Record<AlertOn, string> = {
  failure: 'a run failed after its last attempt',
  failure_attempt: 'any attempt failed, retried or not',
  timeout: 'a run timed out',
  success: 'a run succeeded',
  lost: 'a run was lost (its node or executor died)',
  consecutive_failures: 'runs failed N times in a row',
  duration: 'a run is still running after N seconds',
  failure_rate: 'the failed share of runs in a window is at least N',
  no_success: 'no run succeeded in a window',
  executors_online: 'fewer than N executors of the app are online',
  token_budget: 'tokens in the last hour or day reach N',
  cost_budget: 'cost in the last hour or day reaches N',
  budget: 'the budget of the task, app or namespace reaches 80 % and 100 %',
};

export const thresholdOf = (on: AlertOn) => THRESHOLD_RULES[on].threshold;
export const windowOf = (on: AlertOn) => THRESHOLD_RULES[on].window;
/** A silence applies to the rules decided when a run ends; threshold rules fire once per crossing. */
export const takesSilence = (on: AlertOn): boolean => (RUN_END_KINDS as readonly string[]).includes(on);
/** executors_online is watched per app. */
export const scopeKindsFor = (on: AlertOn): ScopeKind[] =>
  on === 'executors_online' ? ['app'] : ['task', 'app', 'namespace'];

export function emptyRuleForm(taskId?: number): RuleFormState {
  return {
    name: '',
    on: 'failure',
    scopeKind: 'task',
    taskId: taskId === undefined ? '' : String(taskId),
    app: '',
    namespace: 'default',
    threshold: '',
    windowMinutes: 60,
    budgetWindow: '86400',
    contacts: [],
    groups: [],
    channels: [],
    silenceSeconds: 300,
    enabled: true,
  };
}

export function formOfRule(rule: AlertRule): RuleFormState {
  const scope = rule.scope;
  return {
    name: rule.name,
    on: rule.on,
    scopeKind: 'taskId' in scope ? 'task' : 'app' in scope ? 'app' : 'namespace',
    taskId: 'taskId' in scope ? String(scope.taskId) : '',
    app: 'app' in scope ? scope.app : '',
    namespace: 'namespace' in scope ? scope.namespace : rule.namespace,
    threshold: rule.threshold ?? '',
    windowMinutes: windowOf(rule.on) === 'required' && rule.windowSeconds ? rule.windowSeconds / 60 : 60,
    budgetWindow: rule.windowSeconds === 3600 ? '3600' : '86400',
    contacts: rule.notify.contacts.map(String),
    groups: rule.notify.groups.map(String),
    channels: rule.notify.channels ?? [],
    silenceSeconds: rule.silenceSeconds,
    enabled: rule.enabled,
  };
}

const numberOf = (v: number | string): number | undefined =>
  typeof v === 'number' ? v : v.trim() === '' ? undefined : Number(v);

function scopeOf(form: RuleFormState): AlertScope {
  if (form.scopeKind === 'task') return { taskId: Number(form.taskId) };
  if (form.scopeKind === 'app') return { app: form.app };
  return { namespace: form.namespace };
}

function windowSecondsOf(form: RuleFormState): number | undefined {
  const window = windowOf(form.on);
  if (window === 'budget') return Number(form.budgetWindow);
  if (window === 'required') {
    const minutes = numberOf(form.windowMinutes);
    return minutes === undefined ? undefined : Math.round(minutes * 60);
  }
  return undefined;
}

/** Only the fields that matter for `on`: the server refuses a threshold or window where none is taken. */
function commonOf(form: RuleFormState) {
  return {
    name: form.name.trim(),
    on: form.on,
    threshold: thresholdOf(form.on) ? numberOf(form.threshold) : undefined,
    windowSeconds: windowSecondsOf(form),
    notify: {
      contacts: form.contacts.map(Number),
      groups: form.groups.map(Number),
      ...(form.channels.length > 0 ? { channels: form.channels } : {}),
    },
    ...(takesSilence(form.on) ? { silenceSeconds: numberOf(form.silenceSeconds) ?? 0 } : {}),
    enabled: form.enabled,
  };
}

export function createBodyOf(form: RuleFormState): AlertRuleCreateInput {
  const { threshold, windowSeconds, ...rest } = commonOf(form);
  return {
    ...rest,
    scope: scopeOf(form),
    ...(threshold !== undefined ? { threshold } : {}),
    ...(windowSeconds !== undefined ? { windowSeconds } : {}),
  };
}

/** A PATCH (the scope of a rule does not change): a threshold or window `on` no longer takes is cleared. */
export function patchBodyOf(form: RuleFormState): AlertRuleUpdateInput {
  const { threshold, windowSeconds, ...rest } = commonOf(form);
  return {
    ...rest,
    threshold: threshold ?? null,
    windowSeconds: windowSeconds ?? null,
  };
}

/** "task nightly-report", "app billing", "namespace default". */
export function describeScope(scope: AlertRule['scope'], taskNames: Map<number, string>): string {
  if ('taskId' in scope) return `task ${taskNames.get(scope.taskId) ?? scope.taskId}`;
  if ('app' in scope) return `app ${scope.app}`;
  return `namespace ${scope.namespace}`;
}

/** "≥ 0.5 in 60 min", "3 in a row", "per day ≥ 100000", or "—". */
export function describeThreshold(rule: Pick<AlertRule, 'on' | 'threshold' | 'windowSeconds'>): string {
  const window = rule.windowSeconds === null ? '' : formatWindow(rule.windowSeconds);
  if (rule.threshold === null) return window ? `in ${window}` : '—';
  return window ? `${rule.threshold} in ${window}` : String(rule.threshold);
}

function formatWindow(seconds: number): string {
  if (seconds % 86_400 === 0) return seconds === 86_400 ? '1 day' : `${seconds / 86_400} days`;
  if (seconds % 3600 === 0) return seconds === 3600 ? '1 hour' : `${seconds / 3600} hours`;
  return `${Math.round(seconds / 60)} min`;
}
