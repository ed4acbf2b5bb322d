/**
 * Executor authentication: the XXL-JOB-ACCESS-TOKEN must be the access token of the app whose
 * appName the executor names (its registryKey, or the 3.5 XXL-JOB-APPNAME header). Tokens are
 * compared as SHA-256 hashes in constant time. Blank and well-known default tokens are refused
 * outright: `default_token` shipped with XXL-JOB 2.3.1+ and is how open executors were mined
 * (#2339, nuclei template for POST /run).
 *
 * Calling a push executor needs the token itself (the executor checks it), and the store keeps
 * only its hash: the token an executor proved is remembered in memory per app, and stored sealed
 * (SecretBox, the cluster's shared key) with the executor's registration, so that every node of
 * a cluster can present it, not only the one the executor registered with.
 *
 * Every poll and callback of an executor is verified, hundreds a second: the apps of an appName
 * are kept for a second (dropped at once when this node changes one: `forget`), and the hash of
 * a token that matched is remembered, so a verification is usually two map lookups and one
 * constant-time compare. A token rotated on another node of a cluster stops working here within
 * that second.
 */
import type { Clock } from '../../clock.js';
import { ExpiringCache } from '../../runtime/expiring-cache.js';
import type { SecretBox } from '../../secrets/secret-box.js';
import { hashToken, sameHash } from '../../secrets/token-hash.js';
import type { AppRecord } from '../../store/records.js';
import type { Store } from '../../store/store.js';

/** Tokens published in docs, samples and scanners. */
const WELL_KNOWN_TOKENS = new Set([
  'default_token',
  'xxl-job',
  'xxljob',
  'token',
  'accesstoken',
  'changeme',
  '123456',
]);

/** The trimmed token; throws ExecutorAuthError when it is blank or a well-known default. */
function presentedToken(token: string | undefined): string {
  const presented = token?.trim() ?? '';
  if (presented === '') {
    throw new ExecutorAuthError(
      "The access token is wrong: none was sent. Set the executor's accessToken to the app's token (kairos apps show).",
    );
  }
  if (WELL_KNOWN_TOKENS.has(presented.toLowerCase())) {
    throw new ExecutorAuthError(
      `The access token is wrong: "${presented}" is a well-known default and is refused. Use the app's generated token.`,
    );
  }
  return presented;
}

export class ExecutorAuthError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExecutorAuthError';
  }
}

/** How long the apps of an appName are trusted without reading them again. */
const APPS_CACHE_MS = 1000;
/** At most this many proven tokens' hashes are remembered (a few per app in practice). */
const MAX_REMEMBERED_HASHES = 1024;

export class AppAuth {
  private readonly tokens = new Map<number, string>();
  /** Token hash -> the apps it was proven for on this node (callbacks skip a lookup per item). */
  private readonly proven = new Map<string, Set<number>>();
  /** Token -> its hash, for tokens that matched an app. */
  private readonly hashes = new Map<string, string>();
  private readonly appsByName: ExpiringCache<string, AppRecord[]>;

  constructor(
    private readonly store: Store,
    private readonly secrets: SecretBox | undefined,
    clock: Clock,
  ) {
    this.appsByName = new ExpiringCache(APPS_CACHE_MS, () => clock.now());
  }

  /** Drops what is cached about the apps named `appName` (one was changed, rotated or deleted). */
  forget(appName: string): void {
    this.appsByName.delete(appName);
  }

  /** The token sealed for storage with a registration (null without a secret box). */
  seal(token: string | undefined): string | null {
    return token && this.secrets ? this.secrets.seal(token.trim()) : null;
  }

  /** The app named `appName` whose token this is; throws ExecutorAuthError otherwise. */
  async verify(appName: string | undefined, token: string | undefined): Promise<AppRecord> {
    const name = appName?.trim() ?? '';
    if (name === '') throw new ExecutorAuthError('invalid request, appname is empty.');
    const presented = presentedToken(token);
    const hash = this.hashOf(presented);
    const apps = await this.appsByName.get(name, () => this.store.listAppsByAppName(name));
    // Every candidate is compared (no early exit) so timing does not tell which namespace matched.
    let match: AppRecord | undefined;
    for (const app of apps) if (sameHash(hash, app.accessTokenHash) && match === undefined) match = app;
    if (match === undefined) {
      throw new ExecutorAuthError(
        apps.length === 0
          ? `The access token is wrong: no app has appName "${name}". Create it first (kairos apps create).`
          : `The access token is wrong for app "${name}".`,
      );
    }
    this.remember(match.id, presented, hash);
    return match;
  }

  /**
   * What can be proven before a request's body is read (XXL-JOB 2.x executors name their app only
   * in the body): the token is some app's. Throws ExecutorAuthError; `verify` against the app the
   * body (or the 3.5 XXL-JOB-APPNAME header) names still follows.
   */
  async verifyBeforeBody(token: string | undefined): Promise<void> {
    const presented = presentedToken(token);
    const hash = this.hashOf(presented);
    if (this.proven.has(hash)) return;
    if (!(await this.store.appTokenHashExists(hash))) {
      throw new ExecutorAuthError("The access token is wrong: it is no app's token.");
    }
  }

  /** Whether the token is the app's (callbacks name executions, not apps). */
  matches(app: AppRecord, token: string | undefined): boolean {
    const presented = token?.trim() ?? '';
    if (presented === '' || WELL_KNOWN_TOKENS.has(presented.toLowerCase())) return false;
    const hash = this.hashOf(presented);
    const ok = sameHash(hash, app.accessTokenHash);
    if (ok) this.remember(app.id, presented, hash);
    return ok;
  }

  /** Apps this token was proven for here (check them against the current app records). */
  provenApps(token: string | undefined): number[] {
    const presented = token?.trim() ?? '';
    if (presented === '') return [];
    return [...(this.proven.get(this.hashOf(presented)) ?? [])];
  }

  private hashOf(token: string): string {
    return this.hashes.get(token) ?? hashToken(token);
  }

  private remember(appId: number, token: string, hash: string): void {
    if (!this.hashes.has(token)) {
      if (this.hashes.size >= MAX_REMEMBERED_HASHES) this.hashes.clear();
      this.hashes.set(token, hash);
    }
    this.tokens.set(appId, token);
    let apps = this.proven.get(hash);
    if (!apps) this.proven.set(hash, (apps = new Set()));
    apps.add(appId);
  }

  /**
   * The token to present to the app's executors: the one remembered here, else one sealed with
   * an executor's registration (any node's). A rotated token makes both stale until an executor
   * presents the new one.
   */
  async tokenFor(app: AppRecord): Promise<string | undefined> {
    const token = this.tokens.get(app.id);
    if (token !== undefined && sameHash(hashToken(token), app.accessTokenHash)) return token;
    if (!this.secrets) return undefined;
    for (const executor of await this.store.listExecutors({ appIds: [app.id] })) {
      if (executor.sealedToken === null) continue;
      try {
        const opened = this.secrets.open(executor.sealedToken);
        if (sameHash(hashToken(opened), app.accessTokenHash)) {
          this.tokens.set(app.id, opened);
          return opened;
        }
      } catch {
        // Sealed with another key (a node without the shared KAIROS_SECRET_KEY): try the next.
      }
    }
    return undefined;
  }
}
