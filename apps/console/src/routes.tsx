/**
 * The console's routes (TanStack Router, code-based). Every page is its own chunk, loaded when
 * first visited, so the first load carries only the shell; filters and tabs live in the query
 * string so any view can be reloaded, shared, and walked with back/forward.
 */
import { createRootRoute, createRoute, createRouter, lazyRouteComponent } from '@tanstack/react-router';
import { Root } from './Root.js';

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const num = (v: unknown): number | undefined => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : undefined;
};

const rootRoute = createRootRoute({ component: Root });

export interface DashboardSearch {
  namespace?: string | undefined;
  app?: string | undefined;
  range?: string | undefined;
}
const dashboardRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/',
  validateSearch: (s: Record<string, unknown>): DashboardSearch => ({
    namespace: str(s.namespace),
    app: str(s.app),
    range: str(s.range),
  }),
  component: lazyRouteComponent(() => import('./pages/dashboard/DashboardPage.js'), 'DashboardPage'),
});

const appsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/apps',
  component: lazyRouteComponent(() => import('./pages/apps/AppsPage.js'), 'AppsPage'),
});
const appRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/apps/$app',
  component: lazyRouteComponent(() => import('./pages/apps/AppDetailPage.js'), 'AppDetailPage'),
});

export interface TasksSearch {
  q?: string | undefined;
  appId?: number | undefined;
  type?: string | undefined;
  enabled?: string | undefined;
}
const tasksRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/tasks',
  validateSearch: (s: Record<string, unknown>): TasksSearch => ({
    q: str(s.q),
    appId: num(s.appId),
    type: str(s.type),
    enabled: str(s.enabled),
  }),
  component: lazyRouteComponent(() => import('./pages/tasks/TasksPage.js'), 'TasksPage'),
});
export interface TaskFormSearch {
  /** Clone this task's settings into a new one. */
  from?: number | undefined;
}
const newTaskRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/tasks/new',
  validateSearch: (s: Record<string, unknown>): TaskFormSearch => ({ from: num(s.from) }),
  component: lazyRouteComponent(() => import('./pages/tasks/TaskFormPage.js'), 'NewTaskPage'),
});
export interface TaskSearch {
  edit?: boolean | undefined;
}
const taskRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/tasks/$id',
  validateSearch: (s: Record<string, unknown>): TaskSearch => ({
    edit: s.edit === true || s.edit === 'true' ? true : undefined,
  }),
  component: lazyRouteComponent(() => import('./pages/tasks/TaskDetailPage.js'), 'TaskDetailPage'),
});

export interface RunsSearch {
  taskId?: number | undefined;
  appId?: number | undefined;
  status?: string | undefined;
  trigger?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  cursor?: string | undefined;
}
const runsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/runs',
  validateSearch: (s: Record<string, unknown>): RunsSearch => ({
    taskId: num(s.taskId),
    appId: num(s.appId),
    status: str(s.status),
    trigger: str(s.trigger),
    from: str(s.from),
    to: str(s.to),
    cursor: str(s.cursor),
  }),
  component: lazyRouteComponent(() => import('./pages/runs/RunsPage.js'), 'RunsPage'),
});
export interface RunSearch {
  tab?: string | undefined;
}
const runRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/runs/$id',
  validateSearch: (s: Record<string, unknown>): RunSearch => ({ tab: str(s.tab) }),
  component: lazyRouteComponent(() => import('./pages/runs/RunDetailPage.js'), 'RunDetailPage'),
});

export interface RunCompareSearch {
  left?: number | undefined;
  right?: number | undefined;
}
const runCompareRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/runs/compare',
  validateSearch: (s: Record<string, unknown>): RunCompareSearch => ({
    left: num(s.left),
    right: num(s.right),
  }),
  component: lazyRouteComponent(() => import('./pages/runs/RunComparePage.js'), 'RunComparePage'),
});
export interface DeadLettersSearch {
  taskId?: number | undefined;
  status?: string | undefined;
  state?: string | undefined;
  cursor?: string | undefined;
}
const deadLettersRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/dead-letters',
  validateSearch: (s: Record<string, unknown>): DeadLettersSearch => ({
    taskId: num(s.taskId),
    status: str(s.status),
    state: str(s.state),
    cursor: str(s.cursor),
  }),
  component: lazyRouteComponent(() => import('./pages/dead-letters/DeadLettersPage.js'), 'DeadLettersPage'),
});
const workflowsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/workflows',
  component: lazyRouteComponent(() => import('./pages/workflows/WorkflowsPage.js'), 'WorkflowsPage'),
});
const newWorkflowRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/workflows/new',
  component: lazyRouteComponent(() => import('./pages/workflows/WorkflowFormPage.js'), 'NewWorkflowPage'),
});
export interface WorkflowSearch {
  edit?: boolean | undefined;
}
const workflowRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/workflows/$id',
  validateSearch: (s: Record<string, unknown>): WorkflowSearch => ({
    edit: s.edit === true || s.edit === 'true' ? true : undefined,
  }),
  component: lazyRouteComponent(
    () => import('./pages/workflows/WorkflowDetailPage.js'),
    'WorkflowDetailPage',
  ),
});
const workflowRunRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/workflow-runs/$id',
  component: lazyRouteComponent(() => import('./pages/workflows/WorkflowRunPage.js'), 'WorkflowRunPage'),
});

export interface AlertsSearch {
  ruleId?: number | undefined;
  /** The alert whose details are open. */
  alert?: number | undefined;
  cursor?: string | undefined;
}
const alertsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/alerts',
  validateSearch: (s: Record<string, unknown>): AlertsSearch => ({
    ruleId: num(s.ruleId),
    alert: num(s.alert),
    cursor: str(s.cursor),
  }),
  component: lazyRouteComponent(() => import('./pages/alerts/AlertsPage.js'), 'AlertsPage'),
});
export interface AlertRulesSearch {
  /** Only the rules scoped to this task (and a new rule starts on it). */
  taskId?: number | undefined;
}
const alertRulesRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/alert-rules',
  validateSearch: (s: Record<string, unknown>): AlertRulesSearch => ({ taskId: num(s.taskId) }),
  component: lazyRouteComponent(() => import('./pages/alerts/AlertRulesPage.js'), 'AlertRulesPage'),
});
const contactsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/contacts',
  component: lazyRouteComponent(() => import('./pages/alerts/ContactsPage.js'), 'ContactsPage'),
});
const contactGroupsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/contact-groups',
  component: lazyRouteComponent(() => import('./pages/alerts/ContactGroupsPage.js'), 'ContactGroupsPage'),
});

const calendarsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/calendars',
  component: lazyRouteComponent(() => import('./pages/calendars/CalendarsPage.js'), 'CalendarsPage'),
});
const executorsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/executors',
  component: lazyRouteComponent(() => import('./pages/executors/ExecutorsPage.js'), 'ExecutorsPage'),
});

const budgetsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/budgets',
  component: lazyRouteComponent(() => import('./pages/budgets/BudgetsPage.js'), 'BudgetsPage'),
});

const tokensRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/tokens',
  component: lazyRouteComponent(() => import('./pages/access/TokensPage.js'), 'TokensPage'),
});
const usersRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/users',
  component: lazyRouteComponent(() => import('./pages/access/UsersPage.js'), 'UsersPage'),
});
export interface AuditSearch {
  actor?: string | undefined;
  action?: string | undefined;
  resource?: string | undefined;
}
const auditRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/audit',
  validateSearch: (s: Record<string, unknown>): AuditSearch => ({
    actor: str(s.actor),
    action: str(s.action),
    resource: str(s.resource),
  }),
  component: lazyRouteComponent(() => import('./pages/access/AuditPage.js'), 'AuditPage'),
});

const batchesRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/batches',
  component: lazyRouteComponent(() => import('./pages/batches/BatchesPage.js'), 'BatchesPage'),
});
const batchRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/batches/$id',
  component: lazyRouteComponent(() => import('./pages/batches/BatchDetailPage.js'), 'BatchDetailPage'),
});

const batchCompareRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/batches/$id/compare/$otherId',
  component: lazyRouteComponent(() => import('./pages/batches/BatchComparePage.js'), 'BatchComparePage'),
});

const routeTree = rootRoute.addChildren([
  dashboardRoute,
  appsRoute,
  appRoute,
  tasksRoute,
  newTaskRoute,
  taskRoute,
  runsRoute,
  runCompareRoute,
  runRoute,
  deadLettersRoute,
  batchesRoute,
  batchCompareRoute,
  batchRoute,
  workflowsRoute,
  newWorkflowRoute,
  workflowRoute,
  workflowRunRoute,
  alertsRoute,
  alertRulesRoute,
  contactsRoute,
  contactGroupsRoute,
  calendarsRoute,
  executorsRoute,
  budgetsRoute,
  tokensRoute,
  usersRoute,
  auditRoute,
]);

export const router = createRouter({ routeTree, defaultPreload: 'intent' });

declare module '@tanstack/react-router' {
  interface Register {
    router: typeof router;
  }
}
