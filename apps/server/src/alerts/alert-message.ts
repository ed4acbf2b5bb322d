/**
 * What an alert says: a flat view of its facts with names and a console link, and one Mustache
 * template per channel (built in, or the rule's own). Mustache because it is logic-less: a
 * template written by an API user can only read the view, never run code; and it is small, with
 * no dependencies. Values are not HTML-escaped (the messages are text; JSON bodies are built from
 * the view, not from a template).
 */
import Mustache from 'mustache';
import type { Channel } from '@kairos/protocol';
import type { AlertRecord } from '../store/alert-records.js';

export interface AlertView {
  /** One line: `FAILURE: nightly-report`, `RESOLVED: ...`, `TEST: ...`. */
  title: string;
  summary: string;
  state: string;
  on: string;
  namespace: string;
  app: string | null;
  task: string | null;
  taskId: number | null;
  runId: number | null;
  /** The console's page of the run (absolute when publicUrl is set). */
  runUrl: string | null;
  /** ISO-8601 UTC. */
  at: string;
  error: string | null;
  value: number | null;
  threshold: number | null;
  /** Alerts like this one counted (not sent) during the rule's silence window so far. */
  repeats: number;
  alertId: number;
  ruleId: number | null;
}

export interface AlertNames {
  namespace: string;
  app: string | null;
  task: string | null;
}

const DEFAULT_TEXT = `{{title}}
{{summary}}
Where: {{namespace}}{{#app}} / {{app}}{{/app}}{{#task}} / {{task}}{{/task}}
When: {{at}}
{{#error}}Error: {{error}}
{{/error}}{{#value}}Figure: {{value}}{{#threshold}} (threshold {{threshold}}){{/threshold}}
{{/value}}{{#runUrl}}Run: {{runUrl}}
{{/runUrl}}`;

export const DEFAULT_TEMPLATES: Record<Channel, string> = {
  webhook: DEFAULT_TEXT,
  email: DEFAULT_TEXT,
  sms: '[Kairos] {{title}} ({{namespace}}{{#app}}/{{app}}{{/app}}) {{at}}{{#error}}: {{error}}{{/error}}',
  phone: 'Kairos alert. {{summary}}.',
};

const NO_ESCAPE = { escape: (value: unknown) => String(value) };

export function buildAlertView(
  alert: AlertRecord,
  names: AlertNames,
  publicUrl: string | undefined,
): AlertView {
  const facts = alert.facts;
  const label =
    alert.state === 'test' ? 'TEST' : alert.state === 'resolved' ? 'RESOLVED' : alert.on.toUpperCase();
  const where = names.task ?? names.app ?? names.namespace;
  const runPath = alert.runId === null ? null : `/runs/${alert.runId}`;
  return {
    title: `${label}: ${where}`,
    summary: facts.summary,
    state: alert.state,
    on: alert.on,
    namespace: names.namespace,
    app: names.app,
    task: names.task,
    taskId: alert.taskId,
    runId: alert.runId,
    runUrl: runPath === null ? null : publicUrl ? `${publicUrl.replace(/\/+$/, '')}${runPath}` : runPath,
    at: new Date(facts.at).toISOString(),
    error: typeof facts.error === 'string' ? facts.error : null,
    value: typeof facts.value === 'number' ? facts.value : null,
    threshold: typeof facts.threshold === 'number' ? facts.threshold : null,
    repeats: alert.repeats,
    alertId: alert.id,
    ruleId: alert.ruleId,
  };
}

/** Renders a channel's message: the rule's template if it has one, else the built-in one. */
export function renderMessage(view: AlertView, channel: Channel, template: string | undefined): string {
  return Mustache.render(template ?? DEFAULT_TEMPLATES[channel], view, {}, NO_ESCAPE).trim();
}

/** Why a template cannot render (an unclosed section...), or undefined when it can. */
export function templateProblem(template: string): string | undefined {
  try {
    Mustache.parse(template);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** A Mustache rendering of a provider body or URL: values as given (see http-text-provider.ts). */
export function renderWith(template: string, view: object, escape: (value: unknown) => string): string {
  return Mustache.render(template, view, {}, { escape });
}
