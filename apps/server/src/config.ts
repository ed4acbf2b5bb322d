/**
 * The server's settings: one zod schema with a documented default per field. Precedence:
 * command-line flags > environment > config file (JSON or YAML) > defaults. Only main.ts (and the
 * CLI) read process.env; they pass it in here. docs/configuration.md lists every setting.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { cidrProblem } from './outbound/address-ranges.js';

/** A yes/no setting: a boolean in a file, `true`/`false`/`1`/`0` in a flag or the environment. */
const yesNo = z
  .union([z.boolean(), z.enum(['true', 'false', '1', '0'], 'must be true or false')])
  .transform((v) => v === true || v === 'true' || v === '1');

/** Headers as a JSON object of strings (a file may give the object itself). */
const headerMap = z.preprocess(
  (v) => {
    if (typeof v !== 'string') return v;
    try {
      return JSON.parse(v) as unknown;
    } catch {
      return v;
    }
  },
  z.record(z.string(), z.string(), 'must be a JSON object of header names to values'),
);

/** CIDRs as a list in a file, comma-separated in a flag or the environment. */
const cidrList = z.preprocess(
  (v) =>
    typeof v === 'string'
      ? v
          .split(',')
          .map((part) => part.trim())
          .filter((part) => part !== '')
      : v,
  z.array(
    z.string().superRefine((cidr, ctx) => {
      const problem = cidrProblem(cidr);
      if (problem !== undefined) ctx.addIssue({ code: 'custom', message: `${cidr}: ${problem}` });
    }),
    'must be a list of CIDRs such as 10.0.0.0/8,fd00::/8',
  ),
);

const onOff = z.enum(['on', 'off'], 'must be on or off');

export const ConfigSchema = z
  .strictObject({
    /** HTTP port. */
    port: z.coerce.number().int().min(0).max(65535).default(8080),
    /** Interface to listen on. 127.0.0.1 keeps it local; 0.0.0.0 for every interface. */
    host: z.string().min(1).default('127.0.0.1'),
    /** Where the embedded SQLite database (and its lock) live when databaseUrl is unset. */
    dataDir: z.string().min(1).default('./data'),
    /** postgres://user@host:port/db to store everything in PostgreSQL (cluster mode); unset = SQLite. */
    databaseUrl: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
      .optional(),
    /**
     * Connections each node keeps to PostgreSQL (unused with SQLite). Admissions, executor
     * dispatch and callbacks each hold one for a statement or a short transaction.
     */
    databasePoolSize: z.coerce.number().int().min(1).max(1000).default(20),
    /**
     * SQLite's page cache, in MiB (unused with PostgreSQL): held once the history outgrows it; a
     * smaller one reads the indexes of a large history back from the file on each insert.
     */
    sqliteCacheMb: z.coerce.number().int().min(1).max(65_536).default(64),
    /** Bootstrap admin token. Unset on first start: one is generated and printed once. */
    adminToken: z.string().min(16, 'must be at least 16 characters').optional(),
    logLevel: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
    /** This node's name in leases and logs; default host-pid-random. */
    nodeId: z.string().min(1).max(100).optional(),
    /** How far ahead the scheduler claims due slots, in ms. */
    lookaheadMs: z.coerce.number().int().min(100).max(60_000).default(2000),
    /** How often the scheduler polls for due tasks, in ms (it also wakes on every change). */
    pollIntervalMs: z.coerce.number().int().min(50).max(60_000).default(1000),
    /** How long a node's hold on its runs lasts without renewal, in ms (renewed every third of it). */
    leaseMs: z.coerce.number().int().min(1000).max(600_000).default(15_000),
    /** On SIGTERM, how long running work may take to finish before it is stopped, in seconds. */
    shutdownGraceSeconds: z.coerce.number().min(0).max(3600).default(30),
    /**
     * Encrypts secrets kept in task configs (Dify API keys), hashed to an AES-256 key. Unset: a key
     * generated in `<dataDir>/secret.key`. Every node of a cluster needs the same value.
     */
    secretKey: z.string().min(16, 'must be at least 16 characters').optional(),
    /** An executor without a heartbeat for this long is dead and its running runs are lost, in ms (XXL-JOB: 90 s). */
    executorDeadMs: z.coerce.number().int().min(1000).max(3_600_000).default(90_000),
    /**
     * How often the dead-executor sweep runs, in ms: a run on a dead executor is `lost` at most
     * executorDeadMs + this after the executor's last heartbeat (95 s by default).
     */
    executorLostSweepMs: z.coerce.number().int().min(100).max(60_000).default(5000),
    /** Connect + read timeout of calls to executors (/run, /kill, /beat, /log), in ms (XXL-JOB: 3 s). */
    executorCallTimeoutMs: z.coerce.number().int().min(100).max(60_000).default(3000),
    /**
     * `script` tasks run shell, Node or Python code as the server's user; `off` refuses new ones
     * and fails the runs of existing ones (docs/access-control.md).
     */
    scriptTasks: z.enum(['on', 'off'], 'must be on or off').default('on'),
    /** Console sign-in with an OpenID Connect provider: its issuer URL (docs/access-control.md). */
    oidcIssuer: z.url("must be the provider's issuer URL").optional(),
    oidcClientId: z.string().min(1).optional(),
    oidcClientSecret: z.string().min(1).optional(),
    /**
     * When set, GET /metrics (Prometheus) answers only requests with `Authorization: Bearer <token>`.
     * Unset: /metrics is open to whoever reaches the port.
     */
    metricsToken: z.string().min(16, 'must be at least 16 characters').optional(),
    /** The console's public base URL, for links in alerts (`<publicUrl>/runs/42`); unset: relative links. */
    publicUrl: z.url('must be a URL such as https://kairos.example.com').optional(),
    /**
     * Outbound destinations (http tasks, Dify endpoints, webhooks, executor addresses) refused on top
     * of the default refusals (link-local 169.254.0.0/16 and fe80::/10, cloud metadata addresses).
     * Example: `127.0.0.0/8,::1/128,10.0.0.0/8` keeps tasks off the server's own host and network.
     */
    outboundDeny: cidrList.default([]),
    /** Exceptions to the refusals (the defaults and outboundDeny), e.g. one link-local sidecar `169.254.10.5/32`. */
    outboundAllow: cidrList.default([]),
    /** Webhooks may target loopback addresses (127.0.0.0/8, ::1, localhost). Link-local and metadata addresses are always refused. */
    webhookAllowLoopback: yesNo.default(true),
    /** Webhooks may target private ranges (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7). */
    webhookAllowPrivate: yesNo.default(true),
    /** Alert deliveries each node sends at once. */
    alertConcurrency: z.coerce.number().int().min(1).max(1000).default(8),
    /** Timeout of one delivery attempt (webhook request, SMTP exchange, provider call), in ms. */
    alertTimeoutMs: z.coerce.number().int().min(100).max(300_000).default(10_000),
    /** Attempts per delivery before it is marked failed. */
    alertMaxAttempts: z.coerce.number().int().min(1).max(100).default(8),
    /** First retry delay of a failed delivery, in ms; doubled each attempt, at most one hour. */
    alertRetryBaseMs: z.coerce.number().int().min(10).max(3_600_000).default(10_000),
    /** How often each node looks at the alert outbox when nothing wakes it, in ms. */
    alertPollMs: z.coerce.number().int().min(10).max(60_000).default(1000),
    /** How often threshold rules (failure_rate, no_success, executors_online, budgets, duration) are evaluated, in ms. */
    alertEvaluateMs: z.coerce.number().int().min(100).max(600_000).default(15_000),
    /** SMTP server for email alerts; unset: no email channel. */
    smtpHost: z.string().min(1).optional(),
    smtpPort: z.coerce.number().int().min(1).max(65535).default(587),
    /** true: TLS from the start (usually port 465); false: STARTTLS when the server offers it. */
    smtpSecure: yesNo.default(false),
    /** Refuse to send over a connection not upgraded with STARTTLS. */
    smtpRequireTls: yesNo.default(false),
    /** Verify the SMTP server's TLS certificate. */
    smtpTlsRejectUnauthorized: yesNo.default(true),
    smtpUser: z.string().min(1).optional(),
    smtpPassword: z.string().optional(),
    smtpFrom: z.string().min(3).default('Kairos <kairos@localhost>'),
    /** SMS provider: URL (Mustache: {{to}}, {{text}}); unset: no SMS channel. See docs/alerting.md for presets. */
    smsUrl: z.string().min(1).optional(),
    smsMethod: z.enum(['POST', 'PUT', 'GET']).default('POST'),
    smsHeaders: headerMap.default({}),
    /** SMS request body (Mustache); values are escaped for the content type (JSON by default). */
    smsBody: z.string().default('{"to":"{{to}}","text":"{{text}}"}'),
    /** Voice-call provider, like the SMS one; unset: no phone channel. */
    phoneUrl: z.string().min(1).optional(),
    phoneMethod: z.enum(['POST', 'PUT', 'GET']).default('POST'),
    phoneHeaders: headerMap.default({}),
    phoneBody: z.string().default('{"to":"{{to}}","text":"{{text}}"}'),
    /**
     * Run history kept by default, in days after a run finished (a namespace may set its own:
     * PUT /api/v1/namespaces/{name}/retention); 0 keeps runs forever (the default: nothing is
     * deleted unless asked). The statistics are kept apart and are not pruned.
     */
    retentionDays: z.coerce.number().int().min(0).max(36_500).default(0),
    /** Each task's newest runs kept by default whatever their age; 0: no limit by count. */
    retentionRunsPerTask: z.coerce.number().int().min(0).max(10_000_000).default(0),
    /** Runs' logs and events kept by default, in days (shorter than retentionDays to matter); 0: as long as the runs. */
    retentionLogDays: z.coerce.number().int().min(0).max(36_500).default(0),
    /** How often run history is pruned, in seconds. */
    pruneIntervalSeconds: z.coerce.number().int().min(1).max(86_400).default(60),
    /** Runs deleted per statement while pruning (small batches keep firing on time). */
    pruneBatchSize: z.coerce.number().int().min(1).max(10_000).default(200),
    /**
     * The latency layers (docs/architecture.md, runtime/latency-tuning.ts), each `on` or `off`.
     * Background work (event streams, run writes, alert deliveries, pruning) yields to the runs
     * about to be released.
     */
    latencyShare: onOff.default('on'),
    /** With latencyShare: event streams (Dify) are read and parsed in its turns too. */
    latencyStreamPacing: onOff.default('on'),
    /** Connections to Dify opened about a second before the runs that will use them. */
    latencyWarmConnections: onOff.default('on'),
    /** Run timers armed 2 ms early and the rest covered by turns of the event loop. */
    latencyTimerSpin: onOff.default('on'),
    /** The scheduler's claims (SQLite) kept out of the moments before a release and sized to end before it. */
    latencyClaimPacing: onOff.default('on'),
    /**
     * How far the JavaScript heap may grow past what the last full collection found live, in
     * percent, before the next one (runtime/heap-growth.ts); 0 leaves it to V8 (up to 300%).
     */
    heapGrowthPercent: z.coerce.number().int().min(0).max(1000).default(50),
    /** Largest accepted request body, in bytes. */
    bodyLimitBytes: z.coerce
      .number()
      .int()
      .min(1024)
      .max(64 * 1024 * 1024)
      .default(1024 * 1024),
    /** Against slow clients: how long a client may take to send a request's headers, in ms. */
    headersTimeoutMs: z.coerce.number().int().min(100).max(600_000).default(10_000),
    /** How long a client may take to send a whole request (headers and body), in ms; at least headersTimeoutMs. */
    requestTimeoutMs: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
  })
  .refine((c) => c.requestTimeoutMs >= c.headersTimeoutMs, {
    path: ['requestTimeoutMs'],
    message: 'must be at least headersTimeoutMs',
  });

export type Config = z.output<typeof ConfigSchema>;
type ConfigInput = z.input<typeof ConfigSchema>;

/** Each setting: its flag and environment variable. */
const SOURCES: { key: keyof ConfigInput; flag: string; env: string }[] = [
  { key: 'port', flag: 'port', env: 'PORT' },
  { key: 'host', flag: 'host', env: 'HOST' },
  { key: 'dataDir', flag: 'data-dir', env: 'KAIROS_DATA_DIR' },
  { key: 'databaseUrl', flag: 'database-url', env: 'DATABASE_URL' },
  { key: 'databasePoolSize', flag: 'database-pool-size', env: 'KAIROS_DATABASE_POOL_SIZE' },
  { key: 'adminToken', flag: 'admin-token', env: 'KAIROS_ADMIN_TOKEN' },
  { key: 'scriptTasks', flag: 'script-tasks', env: 'KAIROS_SCRIPT_TASKS' },
  { key: 'oidcIssuer', flag: 'oidc-issuer', env: 'KAIROS_OIDC_ISSUER' },
  { key: 'oidcClientId', flag: 'oidc-client-id', env: 'KAIROS_OIDC_CLIENT_ID' },
  { key: 'oidcClientSecret', flag: 'oidc-client-secret', env: 'KAIROS_OIDC_CLIENT_SECRET' },
  { key: 'logLevel', flag: 'log-level', env: 'KAIROS_LOG_LEVEL' },
  { key: 'nodeId', flag: 'node-id', env: 'KAIROS_NODE_ID' },
  { key: 'lookaheadMs', flag: 'lookahead-ms', env: 'KAIROS_LOOKAHEAD_MS' },
  { key: 'pollIntervalMs', flag: 'poll-interval-ms', env: 'KAIROS_POLL_INTERVAL_MS' },
  { key: 'leaseMs', flag: 'lease-ms', env: 'KAIROS_LEASE_MS' },
  { key: 'shutdownGraceSeconds', flag: 'shutdown-grace-seconds', env: 'KAIROS_SHUTDOWN_GRACE_SECONDS' },
  { key: 'bodyLimitBytes', flag: 'body-limit-bytes', env: 'KAIROS_BODY_LIMIT_BYTES' },
  { key: 'headersTimeoutMs', flag: 'headers-timeout-ms', env: 'KAIROS_HEADERS_TIMEOUT_MS' },
  { key: 'requestTimeoutMs', flag: 'request-timeout-ms', env: 'KAIROS_REQUEST_TIMEOUT_MS' },
  { key: 'executorDeadMs', flag: 'executor-dead-ms', env: 'KAIROS_EXECUTOR_DEAD_MS' },
  { key: 'executorLostSweepMs', flag: 'executor-lost-sweep-ms', env: 'KAIROS_EXECUTOR_LOST_SWEEP_MS' },
  { key: 'executorCallTimeoutMs', flag: 'executor-call-timeout-ms', env: 'KAIROS_EXECUTOR_CALL_TIMEOUT_MS' },
  { key: 'secretKey', flag: 'secret-key', env: 'KAIROS_SECRET_KEY' },
  { key: 'metricsToken', flag: 'metrics-token', env: 'KAIROS_METRICS_TOKEN' },
  { key: 'publicUrl', flag: 'public-url', env: 'KAIROS_PUBLIC_URL' },
  { key: 'outboundDeny', flag: 'outbound-deny', env: 'KAIROS_OUTBOUND_DENY' },
  { key: 'outboundAllow', flag: 'outbound-allow', env: 'KAIROS_OUTBOUND_ALLOW' },
  { key: 'webhookAllowLoopback', flag: 'webhook-allow-loopback', env: 'KAIROS_WEBHOOK_ALLOW_LOOPBACK' },
  { key: 'webhookAllowPrivate', flag: 'webhook-allow-private', env: 'KAIROS_WEBHOOK_ALLOW_PRIVATE' },
  { key: 'alertConcurrency', flag: 'alert-concurrency', env: 'KAIROS_ALERT_CONCURRENCY' },
  { key: 'alertTimeoutMs', flag: 'alert-timeout-ms', env: 'KAIROS_ALERT_TIMEOUT_MS' },
  { key: 'alertMaxAttempts', flag: 'alert-max-attempts', env: 'KAIROS_ALERT_MAX_ATTEMPTS' },
  { key: 'alertRetryBaseMs', flag: 'alert-retry-base-ms', env: 'KAIROS_ALERT_RETRY_BASE_MS' },
  { key: 'alertPollMs', flag: 'alert-poll-ms', env: 'KAIROS_ALERT_POLL_MS' },
  { key: 'alertEvaluateMs', flag: 'alert-evaluate-ms', env: 'KAIROS_ALERT_EVALUATE_MS' },
  { key: 'retentionDays', flag: 'retention-days', env: 'KAIROS_RETENTION_DAYS' },
  { key: 'retentionRunsPerTask', flag: 'retention-runs-per-task', env: 'KAIROS_RETENTION_RUNS_PER_TASK' },
  { key: 'retentionLogDays', flag: 'retention-log-days', env: 'KAIROS_RETENTION_LOG_DAYS' },
  { key: 'pruneIntervalSeconds', flag: 'prune-interval-seconds', env: 'KAIROS_PRUNE_INTERVAL_SECONDS' },
  { key: 'pruneBatchSize', flag: 'prune-batch-size', env: 'KAIROS_PRUNE_BATCH_SIZE' },
  { key: 'latencyShare', flag: 'latency-share', env: 'KAIROS_LATENCY_SHARE' },
  { key: 'latencyStreamPacing', flag: 'latency-stream-pacing', env: 'KAIROS_LATENCY_STREAM_PACING' },
  { key: 'latencyWarmConnections', flag: 'latency-warm-connections', env: 'KAIROS_LATENCY_WARM_CONNECTIONS' },
  { key: 'latencyTimerSpin', flag: 'latency-timer-spin', env: 'KAIROS_LATENCY_TIMER_SPIN' },
  { key: 'latencyClaimPacing', flag: 'latency-claim-pacing', env: 'KAIROS_LATENCY_CLAIM_PACING' },
  { key: 'sqliteCacheMb', flag: 'sqlite-cache-mb', env: 'KAIROS_SQLITE_CACHE_MB' },
  { key: 'heapGrowthPercent', flag: 'heap-growth-percent', env: 'KAIROS_HEAP_GROWTH_PERCENT' },
  { key: 'smtpHost', flag: 'smtp-host', env: 'KAIROS_SMTP_HOST' },
  { key: 'smtpPort', flag: 'smtp-port', env: 'KAIROS_SMTP_PORT' },
  { key: 'smtpSecure', flag: 'smtp-secure', env: 'KAIROS_SMTP_SECURE' },
  { key: 'smtpRequireTls', flag: 'smtp-require-tls', env: 'KAIROS_SMTP_REQUIRE_TLS' },
  {
    key: 'smtpTlsRejectUnauthorized',
    flag: 'smtp-tls-reject-unauthorized',
    env: 'KAIROS_SMTP_TLS_REJECT_UNAUTHORIZED',
  },
  { key: 'smtpUser', flag: 'smtp-user', env: 'KAIROS_SMTP_USER' },
  { key: 'smtpPassword', flag: 'smtp-password', env: 'KAIROS_SMTP_PASSWORD' },
  { key: 'smtpFrom', flag: 'smtp-from', env: 'KAIROS_SMTP_FROM' },
  { key: 'smsUrl', flag: 'sms-url', env: 'KAIROS_SMS_URL' },
  { key: 'smsMethod', flag: 'sms-method', env: 'KAIROS_SMS_METHOD' },
  { key: 'smsHeaders', flag: 'sms-headers', env: 'KAIROS_SMS_HEADERS' },
  { key: 'smsBody', flag: 'sms-body', env: 'KAIROS_SMS_BODY' },
  { key: 'phoneUrl', flag: 'phone-url', env: 'KAIROS_PHONE_URL' },
  { key: 'phoneMethod', flag: 'phone-method', env: 'KAIROS_PHONE_METHOD' },
  { key: 'phoneHeaders', flag: 'phone-headers', env: 'KAIROS_PHONE_HEADERS' },
  { key: 'phoneBody', flag: 'phone-body', env: 'KAIROS_PHONE_BODY' },
];

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export const CONFIG_HELP = [
  'Settings (flag, environment variable):',
  ...SOURCES.map((s) => `  --${s.flag.padEnd(24)} ${s.env}`),
  `  --${'config'.padEnd(24)} KAIROS_CONFIG   (a JSON or YAML file with the same settings in camelCase)`,
].join('\n');

/** Builds the configuration from flags, environment and an optional file. Throws ConfigError. */
export function loadConfig(argv: readonly string[], env: Record<string, string | undefined>): Config {
  const options = Object.fromEntries(SOURCES.map((s) => [s.flag, { type: 'string' as const }]));
  let flags: Record<string, string | boolean | undefined>;
  try {
    flags = parseArgs({
      args: [...argv],
      options: { ...options, config: { type: 'string' } },
      strict: true,
    }).values;
  } catch (error) {
    throw new ConfigError(`${(error as Error).message}\n\n${CONFIG_HELP}`);
  }

  const file = readConfigFile((flags.config as string | undefined) ?? env.KAIROS_CONFIG);
  const merged: Record<string, unknown> = { ...file };
  for (const s of SOURCES) {
    const fromEnv = env[s.env];
    if (fromEnv !== undefined && fromEnv !== '') merged[s.key] = fromEnv;
    const fromFlag = flags[s.flag];
    if (typeof fromFlag === 'string') merged[s.key] = fromFlag;
  }
  const parsed = ConfigSchema.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = String(issue.path[0] ?? '');
    const source = SOURCES.find((s) => s.key === key);
    const where = source ? `${key} (--${source.flag} / ${source.env})` : key || 'config';
    throw new ConfigError(`Invalid setting ${where}: ${issue.message}`);
  }
  return parsed.data;
}

function readConfigFile(path: string | undefined): Record<string, unknown> {
  if (!path) return {};
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`Cannot read config file ${path}: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new ConfigError(
      `Config file ${path} is not valid ${path.endsWith('.json') ? 'JSON' : 'YAML'}: ${(error as Error).message}`,
    );
  }
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError(`Config file ${path} must hold an object of settings`);
  }
  return value as Record<string, unknown>;
}
