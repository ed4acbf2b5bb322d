/**
 * Applies executor callbacks (XXL-JOB `/api/callback` and the pull executors' callback). Every
 * body shape is accepted: an array (2.2-3.4), `{callbackList: [...]}` (3.5); per item
 * `handleCode/handleMsg` (2.3+) or `executeResult.{code,msg}` (2.2). Items are applied one by one:
 * a malformed, unknown or already completed item is reported and skipped, and the rest of the
 * batch is still applied. A completion is persisted once (completeExecution) and then delivered
 * to the run waiting for it, on this node or, through the store, on its owner.
 */
import type { Clock } from '../clock.js';
import type { AppRecord } from '../store/records.js';
import type { Store } from '../store/store.js';
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
  const rawMsg = o.handleMsg ?? legacy.msg ?? null;
  const msg = rawMsg === null ? null : typeof rawMsg === 'string' ? rawMsg : JSON.stringify(rawMsg);
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

  async apply(
    items: unknown[],
    credentials: { token: string | undefined; appName: string | undefined },
  ): Promise<CallbackReport> {
    const { store, clock, auth, hub } = this.deps;
    const report: CallbackReport = { applied: 0, skipped: [], unauthorised: false };
    let authorised = 0;
    const trusted = await this.trustedApps(credentials);
    for (const raw of items) {
      const item = parseItem(raw);
      if (typeof item === 'string') {
        report.skipped.push(item);
        continue;
      }
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
          authorised++;
          report.applied++;
          hub.deliver(completed);
          continue;
        }
      }
      const execution = await store.getExecution(item.logId);
      if (!execution) {
        report.skipped.push(`logId ${item.logId}: log item not found`);
        continue;
      }
      const app = await this.app(execution.appId);
      if (
        !app ||
        !auth.matches(app, credentials.token) ||
        (credentials.appName !== undefined && credentials.appName !== app.appName)
      ) {
        report.skipped.push(`logId ${item.logId}: the access token is wrong for its app`);
        continue;
      }
      authorised++;
      const completed = await store.completeExecution(execution.id, result);
      if (!completed) {
        report.skipped.push(
          `logId ${item.logId}: already completed (${execution.status}); repeated callback ignored`,
        );
        continue;
      }
      report.applied++;
      hub.deliver(completed);
    }
    report.unauthorised = authorised === 0 && report.skipped.some((s) => s.includes('access token'));
    return report;
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
