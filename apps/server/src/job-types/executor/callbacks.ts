/**
 * Applies executor callbacks (XXL-JOB `/api/callback` and the pull executors' callback). Every
 * body shape is accepted: an array (2.2-3.4), `{callbackList: [...]}` (3.5); per item
 * `handleCode/handleMsg` (2.3+) or `executeResult.{code,msg}` (2.2). Items are applied each on its own:
 * a malformed, unknown or already completed item is reported and skipped, and the rest of the
 * batch is still applied. A completion is persisted once (completeExecution) and then delivered
 * to the run waiting for it, on this node or, through the store, on its owner.
 */
import type { Clock } from '../../clock.js';
import type { AppRecord } from '../../store/records.js';
import type { Store } from '../../store/store.js';
import type { AppAuth } from './app-auth.js';
import type { ExecutionHub } from './execution-hub.js';

/** XXL-JOB truncates the merged message to 15 000 characters (JobCompleter). */
const MAX_MESSAGE = 15_000;

export interface CallbackReport {
  applied: number;
  /** Why items were skipped, one entry each. */
  skipped: string[];
  /** True when no item carried the right token: the sender is told its token is wrong. */
  unauthorised: boolean;
}

interface ParsedItem {
  logId: number;
  code: number;
  msg: string | null;
  retryable: boolean;
}

export function callbackItems(body: unknown): unknown[] | undefined {
  if (Array.isArray(body)) return body;
  if (
    typeof body === 'object' &&
    body !== null &&
    Array.isArray((body as { callbackList?: unknown }).callbackList)
  ) {
    return (body as { callbackList: unknown[] }).callbackList;
  }
  return undefined;
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

function parseItem(item: unknown): ParsedItem | string {
  if (typeof item !== 'object' || item === null) return 'an item is not an object';
  const o = item as Record<string, unknown>;
  const logId = typeof o.logId === 'string' && /^\d+$/.test(o.logId) ? Number(o.logId) : o.logId;
  if (typeof logId !== 'number' || !Number.isSafeInteger(logId) || logId <= 0)
    return 'an item has no valid logId';
  const legacy = (
    typeof o.executeResult === 'object' && o.executeResult !== null ? o.executeResult : {}
  ) as Record<string, unknown>;
  const code = o.handleCode ?? legacy.code;
  if (typeof code !== 'number' || !Number.isInteger(code)) return `logId ${logId}: no integer handleCode`;
  // XXL-JOB's handleCode is a Java int, and so is the stored column.
  if (code < INT32_MIN || code > INT32_MAX)
    return `logId ${logId}: handleCode ${code} is not a 32-bit integer`;
  const rawMsg = o.handleMsg ?? legacy.msg ?? null;
  const text = rawMsg === null ? null : typeof rawMsg === 'string' ? rawMsg : JSON.stringify(rawMsg);
  // A NUL character cannot be stored in a PostgreSQL text column: dropped from the message.
  const msg = text?.includes('\u0000') ? text.replaceAll('\u0000', '') : text;
  return {
    logId,
    code,
    msg: msg !== null && msg.length > MAX_MESSAGE ? `${msg.slice(0, MAX_MESSAGE)}…` : msg,
    // The Kairos SDK's NonRetryableError; stock executors never send it (and ignore it on input).
    retryable: o.retryable !== false && o.nonRetryable !== true,
  };
}

export class CallbackProcessor {
  private readonly apps = new Map<number, AppRecord>();

  constructor(private readonly deps: { store: Store; clock: Clock; auth: AppAuth; hub: ExecutionHub }) {}

  /**
   * Applies a batch: its items concurrently (an executor under load sends hundreds at once, and
   * on PostgreSQL each is a round trip), reported in their order.
   */
  async apply(
    items: unknown[],
    credentials: { token: string | undefined; appName: string | undefined },
  ): Promise<CallbackReport> {
    const trusted = await this.trustedApps(credentials);
    const outcomes = await Promise.all(items.map((raw) => this.applyOne(raw, credentials, trusted)));
    const report: CallbackReport = { applied: 0, skipped: [], unauthorised: false };
    let authorised = 0;
    for (const outcome of outcomes) {
      if (outcome.authorised) authorised++;
      if (outcome.applied) report.applied++;
      if (outcome.skipped !== undefined) report.skipped.push(outcome.skipped);
    }
    report.unauthorised = authorised === 0 && report.skipped.some((s) => s.includes('access token'));
    return report;
  }

  private async applyOne(
    raw: unknown,
    credentials: { token: string | undefined; appName: string | undefined },
    trusted: number[],
  ): Promise<{ applied: boolean; authorised: boolean; skipped?: string }> {
    const { store, clock, auth, hub } = this.deps;
    const item = parseItem(raw);
    if (typeof item === 'string') return { applied: false, authorised: false, skipped: item };
    const result = {
      status: item.code === 200 ? ('succeeded' as const) : ('failed' as const),
      handleCode: item.code,
      handleMsg: item.msg,
      retryable: item.retryable,
      finishedAt: clock.now(),
    };
    // Fast path: one conditional UPDATE limited to the apps this token was proven for. When it
    // completes nothing, the slow path below finds out why (unknown, other app, repeated).
    if (trusted.length > 0) {
      const completed = await store.completeExecution(item.logId, result, trusted);
      if (completed) {
        hub.deliver(completed);
        return { applied: true, authorised: true };
      }
    }
    const execution = await store.getExecution(item.logId);
    if (!execution)
      return { applied: false, authorised: false, skipped: `logId ${item.logId}: log item not found` };
    const app = await this.app(execution.appId);
    if (
      !app ||
      !auth.matches(app, credentials.token) ||
      (credentials.appName !== undefined && credentials.appName !== app.appName)
    ) {
      return {
        applied: false,
        authorised: false,
        skipped: `logId ${item.logId}: the access token is wrong for its app`,
      };
    }
    const completed = await store.completeExecution(execution.id, result);
    if (!completed) {
      return {
        applied: false,
        authorised: true,
        skipped: `logId ${item.logId}: already completed (${execution.status}); repeated callback ignored`,
      };
    }
    hub.deliver(completed);
    return { applied: true, authorised: true };
  }

  /** Apps the token was proven for here that still have it (a rotation drops them). */
  private async trustedApps(credentials: {
    token: string | undefined;
    appName: string | undefined;
  }): Promise<number[]> {
    const trusted: number[] = [];
    for (const id of this.deps.auth.provenApps(credentials.token)) {
      const app = await this.app(id);
      if (!app || !this.deps.auth.matches(app, credentials.token)) continue;
      if (credentials.appName !== undefined && credentials.appName !== app.appName) continue;
      trusted.push(id);
    }
    return trusted;
  }

  private async app(id: number): Promise<AppRecord | undefined> {
    const cached = this.apps.get(id);
    if (cached) return cached;
    const app = await this.deps.store.getApp(id);
    // Cached briefly: a rotated token must take effect.
    if (app) {
      this.apps.set(id, app);
      setTimeout(() => this.apps.delete(id), 2000).unref();
    }
    return app;
  }
}
