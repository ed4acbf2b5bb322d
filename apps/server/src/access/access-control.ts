/**
 * The access-control part of a node, built once by kairos.ts: the failed-attempt
 * limiter, the audit log, the checks handlers use and the token service. The HTTP layer's
 * Authenticator (http/auth.ts) is built from them by kairos.ts.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { EventBus } from '../events.js';
import type { Namespaces } from '../services/namespaces.js';
import { TokenService } from '../services/token-service.js';
import { UserService } from '../services/user-service.js';
import { OidcSignIn, type OidcSettings } from '../services/oidc-sign-in.js';
import type { Store } from '../store/store.js';
import { AccessScope } from './access-scope.js';
import { AuditLog } from './audit-log.js';
import { FailedAuthLimiter } from './failed-auth-limiter.js';

export function createAccessControl(deps: {
  store: Store;
  clock: Clock;
  events: EventBus;
  namespaces: Namespaces;
  logger: Logger;
  /** Console sign-in with an OpenID Connect provider, when configured. */
  oidc?: OidcSettings | undefined;
}) {
  const { store, clock } = deps;
  const audit = new AuditLog(store, clock, deps.logger.child({ component: 'audit' }));
  const users = new UserService(store, clock, deps.events, deps.namespaces);
  const limiter = new FailedAuthLimiter(clock);
  return {
    /** What the API context gets. */
    context: {
      access: new AccessScope(store, deps.namespaces),
      audit,
      apiTokens: new TokenService(store, clock, deps.events, deps.namespaces),
      users,
      failedAuth: limiter,
      oidc: deps.oidc ? new OidcSignIn(deps.oidc, store) : undefined,
    },
  };
}
