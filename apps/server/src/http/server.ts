/**
 * The HTTP server: Fastify with the REST API under /api/v1, health probes and the OpenAPI
 * document. Validation is the route table's (zod); errors go through error-handler.ts.
 */
import Fastify, { LogController } from 'fastify';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { KairosError } from '../errors.js';
import { TooManyFailures, type Authenticator } from './auth.js';
import { guardRoute } from '../access/route-guard.js';
import { auditChange } from '../access/audit-change.js';
import { tokenRoutes } from './routes/tokens.js';
import { auditRoutes } from './routes/audit.js';
import { sessionRoutes } from './routes/session.js';
import { oidcSessionRoutes } from './routes/oidc-session.js';
import { userRoutes } from './routes/users.js';
import type { ApiContext } from './context.js';
import { backupRoute } from './backup-route.js';
import { registerConsole } from './console-static.js';
import { answerClientError } from './client-errors.js';
import { errorBody, installErrorHandler, replyWithError } from './error-handler.js';
import { installJsonBodyParser } from './json-body.js';
import { buildOpenApi } from './openapi.js';
import { RouteTable } from './route-table.js';
import { appRoutes } from './routes/apps.js';
import { calendarRoutes } from './routes/calendars.js';
import { namespaceRoutes } from './routes/namespaces.js';
import { outboundRuleRoutes } from './routes/outbound-rules.js';
import { secretRoutes } from './routes/secrets.js';
import { nodeRoutes } from './routes/nodes.js';
import { runEventRoutes } from './routes/run-events.js';
import { runRoutes } from './routes/runs.js';
import { executorRoutes } from './routes/executors.js';
import { xxlAdminRoutes } from './routes/xxl-admin.js';
import { installExecutorAuthentication } from './executor-auth-hook.js';
import { scheduleRoutes } from './routes/schedules.js';
import { statsRoutes } from './routes/stats.js';
import { taskRoutes } from './routes/tasks.js';
import { workflowRoutes } from './routes/workflows.js';
import { alertRoutes } from './routes/alert-rules.js';
import { contactGroupRoutes } from './routes/contact-groups.js';
import { contactRoutes } from './routes/contacts.js';
import type { Registry } from 'prom-client';
import { metricsRoute } from '../metrics/metrics-route.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    public?: boolean;
  }
}

export interface HttpServerOptions {
  context: ApiContext;
  auth: Authenticator;
  logger: Logger;
  bodyLimit: number;
  version: string;
  /**
   * Against slow clients: the time to receive a request's headers, and the whole request
   * (headers and body), in ms (Node's headersTimeout and requestTimeout). Default 10 s and 30 s.
   */
  timeouts?: { headersMs: number; requestMs: number };
  /** The console's public base URL (KAIROS_PUBLIC_URL), for the OpenID Connect redirect. */
  publicUrl?: string | undefined;
  /** Prometheus metrics at GET /metrics, behind a bearer token when one is set. */
  metrics?: { registry: Registry; token: string | undefined };
}

export function buildHttpServer(options: HttpServerOptions): FastifyInstance {
  const { context, auth, bodyLimit } = options;
  const timeouts = options.timeouts ?? { headersMs: 10_000, requestMs: 30_000 };
  const app = Fastify({
    loggerInstance: options.logger.child({ component: 'http' }) as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit,
    // Route parameters such as app names may hold dots; keep paths exact.
    // A path segment over maxParamLength matches no route (a bare 404): a long name gets its
    // resource's own not-found answer instead of the router's default limit of 100 characters.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 2000 },
    // Receiving a request is bounded (a slow client cannot hold a connection by trickling its
    // headers or body); answering is not (long polls, live streams). Expired requests are looked
    // for every second at most.
    requestTimeout: timeouts.requestMs,
    http: {
      headersTimeout: timeouts.headersMs,
      connectionsCheckingInterval: Math.min(1000, Math.max(50, Math.floor(timeouts.headersMs / 4))),
    },
    clientErrorHandler: answerClientError,
    frameworkErrors: (error, request, reply) => replyWithError(error, request, reply, bodyLimit),
  });
  installErrorHandler(app, bodyLimit);
  installJsonBodyParser(app);
  app.setNotFoundHandler((request, reply) => {
    const error = new KairosError('NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`);
    void reply.status(404).send(errorBody(error));
  });
  app.addHook('onRequest', async (request, reply) => {
    // Only the REST API takes the bearer token: the XXL-JOB admin endpoints (/api/registry…)
    // and the pull endpoints authenticate executors by their app's token (marked public).
    if (!request.url.startsWith('/api/v1/')) return;
    if (request.routeOptions.config.public) return;
    try {
      request.principal = await auth.authenticate(request);
    } catch (error) {
      if (error instanceof TooManyFailures) void reply.header('retry-after', String(error.retryAfterSeconds));
      throw error;
    }
  });

  const routes = new RouteTable(app, {
    guard: (access, request) => guardRoute(context, access, request),
    changed: (route, request, guarded, result) => auditChange(context, route, request, guarded, result),
  });
  namespaceRoutes(routes, context);
  if (context.outbound) outboundRuleRoutes(routes, context, context.outbound);
  if (context.secrets) secretRoutes(routes, context.secrets);
  appRoutes(routes, context);
  calendarRoutes(routes, context);
  taskRoutes(routes, context);
  workflowRoutes(routes, context);
  scheduleRoutes(routes, context);
  runRoutes(routes, context);
  if (context.executors) {
    installExecutorAuthentication(app, context.executors);
    executorRoutes(routes, context, context.executors);
    xxlAdminRoutes(app, context.executors);
  }
  runEventRoutes(routes, context);
  nodeRoutes(routes, context);
  if (context.alerts) {
    contactRoutes(routes, context, context.alerts);
    contactGroupRoutes(routes, context, context.alerts);
    alertRoutes(routes, context, context.alerts);
  }
  statsRoutes(routes, context);
  backupRoute(routes, context.store);
  tokenRoutes(routes, context);
  auditRoutes(routes, context);
  userRoutes(routes, context);
  sessionRoutes(routes, context);
  oidcSessionRoutes(routes, context, options.publicUrl);

  let openapi: Record<string, unknown> | undefined;
  app.get(
    '/api/v1/openapi.json',
    { config: { public: true } },
    async () => (openapi ??= buildOpenApi(routes, options.version)),
  );
  if (options.metrics) metricsRoute(app, options.metrics.registry, options.metrics.token);
  registerConsole(app);
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    if (!context.isReady()) return reply.status(503).send({ status: 'not ready' });
    await context.store.countTasks();
    return { status: 'ready' };
  });
  return app;
}
