/**
 * The audit log: every change made through the API (who, when, what, before and
 * after with secrets masked), sign-ins and failed sign-ins. A change is recorded after it is
 * committed, by the route table for every route that changes something (actionOf names it), so
 * a new route cannot be left out. Should the log's write fail, the change stands and the
 * failure is logged: the API does not answer "failed" for something it did.
 */
import type { FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { NewAuditRecord } from '../store/access-records.js';
import type { Store } from '../store/store.js';
import { TurnBatch } from '../store/turn-batch.js';
import { maskSecrets } from './mask-secrets.js';
import type { Principal } from './principal.js';

export interface AuditChange {
  action: string;
  resourceType: string;
  resourceId: string | null;
  /** The namespace changed in: its id when known (the guard loaded the resource), else its name. */
  namespace: { id: number } | { name: string } | null;
  before: unknown;
  after: unknown;
}

/**
 * The action of a change, from the route: `tasks.create`, `tasks.update`, `tasks.delete`,
 * `tasks.enable`, `runs.cancel`, `apps.executor-addresses.set`, …
 */
export function actionOf(method: string, url: string): { action: string; resourceType: string } {
  const [resourceType = 'api', ...rest] = url
    .replace(/^\/api\/v1\//, '')
    .split('/')
    .filter((s) => s !== '' && !s.startsWith(':') && !s.startsWith('$'));
  const verb =
    { POST: rest.length > 0 ? '' : 'create', PATCH: 'update', PUT: 'set', DELETE: 'delete' }[method] ?? '';
  return { action: [resourceType, ...rest, verb].filter(Boolean).join('.'), resourceType };
}

export class AuditLog {
  private readonly entries = new TurnBatch<NewAuditRecord, void>((entries) => this.writeAll(entries));

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /** Records a change made by the request's principal. */
  async change(request: FastifyRequest, change: AuditChange): Promise<void> {
    const where = change.namespace;
    const namespaceId =
      where === null
        ? null
        : 'id' in where
          ? where.id
          : ((await this.store.getNamespaceByName(where.name))?.id ?? null);
    await this.write({
      at: this.clock.now(),
      actor: actorOf(request.principal),
      action: change.action,
      resourceType: change.resourceType,
      resourceId: change.resourceId,
      namespaceId,
      before: change.before === undefined ? null : maskSecrets(change.before),
      after: change.after === undefined ? null : maskSecrets(change.after),
      client: request.ip,
    });
  }

  /** A sign-in (`auth.sign-in`) or a failed one (`auth.failed`, with the reason). */
  async signIn(
    request: FastifyRequest,
    outcome:
      { ok: true; principal: Principal; method: string } | { ok: false; name: string | null; reason: string },
  ): Promise<void> {
    await this.write({
      at: this.clock.now(),
      actor: outcome.ok
        ? actorOf(outcome.principal)
        : outcome.name === null
          ? null
          : { type: 'user', id: null, name: outcome.name },
      action: outcome.ok ? 'auth.sign-in' : 'auth.failed',
      resourceType: 'auth',
      resourceId: null,
      namespaceId: null,
      before: null,
      after: outcome.ok ? { method: outcome.method } : { reason: outcome.reason },
      client: request.ip,
    });
  }

  /**
   * Resolves once the entry is written (or its failure logged). The entries of one turn of the
   * event loop are written in one statement: a burst of triggers or of failed sign-ins costs one
   * commit, not one each.
   */
  private write(entry: NewAuditRecord): Promise<void> {
    return this.entries.add(entry);
  }

  private async writeAll(entries: NewAuditRecord[]): Promise<void[]> {
    try {
      await this.store.appendAudit(entries);
    } catch (error) {
      this.logger.error(
        { err: error, actions: entries.map((e) => e.action) },
        'writing the audit log failed',
      );
    }
    return entries.map(() => undefined);
  }
}

const actorOf = (principal: Principal | undefined) =>
  principal === undefined ? null : { type: principal.type, id: principal.id, name: principal.name };
