import type { AccessScope } from '../access/access-scope.js';
import type { AuditLog } from '../access/audit-log.js';
import type { FailedAuthLimiter } from '../access/failed-auth-limiter.js';
import type { AlertService } from '../alerts/alert-service.js';
import type { Clock } from '../clock.js';
import type { Executors } from '../job-types/executor/index.js';
import type { NamespaceGuards } from '../outbound/namespace-guards.js';
import type { NamedSecrets } from '../secrets/named-secrets.js';
import type { JobTypeRegistry } from '../job-types/registry.js';
import type { RunEngine } from '../runs/run-engine.js';
import type { WorkflowService } from '../workflows/workflow-service.js';
import type { AppService } from '../services/app-service.js';
import type { CalendarService } from '../services/calendar-service.js';
import type { Namespaces } from '../services/namespaces.js';
import type { TaskService } from '../services/task-service.js';
import type { TokenService } from '../services/token-service.js';
import type { UserService } from '../services/user-service.js';
import type { OidcSignIn } from '../services/oidc-sign-in.js';
import type { Store } from '../store/store.js';
import type { RetentionDefaults } from '../retention/retention-policy.js';
import type { BatchService } from '../batches/batch-service.js';
import type { PoolService } from '../pools/pool-service.js';
import type { RunWaiting } from '@kairos/protocol';
import type { BudgetService } from '../budgets/budget-service.js';

/** What the routes need: services, not the wiring. */
export interface ApiContext {
  store: Store;
  clock: Clock;
  engine: RunEngine;
  tasks: TaskService;
  /** Workflows and their runs. */
  workflows: WorkflowService;
  apps: AppService;
  calendars: CalendarService;
  namespaces: Namespaces;
  /** The job types, for what only a run's type knows (its track). */
  jobTypes?: JobTypeRegistry;
  /** The executor registry, dispatch and pull queue. */
  executors?: Executors;
  /** This node's id (GET /nodes marks it `self`). */
  nodeId?: string;
  /** Contacts, groups, alert rules. */
  alerts?: AlertService;
  /** The outbound destination rules of namespaces. */
  outbound?: NamespaceGuards;
  /** Named secrets. */
  secrets?: NamedSecrets;
  /** Who may do what where. */
  access: AccessScope;
  /** Changes and sign-ins. */
  audit: AuditLog;
  /** API tokens. */
  apiTokens: TokenService;
  /** Console users and their sessions. */
  users: UserService;
  /** Failed sign-ins per client. */
  failedAuth: FailedAuthLimiter;
  /** Console sign-in with an OpenID Connect provider, when configured. */
  oidc?: OidcSignIn | undefined;
  /** The server's run history retention (config), under each namespace's own. */
  retentionDefaults?: RetentionDefaults;
  /** Batch runs over a dataset. */
  batches?: BatchService;
  /** Provider pacing pools. */
  pools?: PoolService;
  /** Token and cost budgets. */
  budgets?: BudgetService;
  /** Why a due run of this node waits for its pool or a budget (null: it does not, or not here). */
  waitingOf?: (runId: number) => RunWaiting | null;
  /** false while starting or shutting down (readyz). */
  isReady: () => boolean;
}
