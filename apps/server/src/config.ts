/**
 * The server's settings: one zod schema with a documented default per field. Precedence:
 * command-line flags > environment > config file (JSON or YAML) > defaults. Only main.ts (and the
 * CLI) read process.env; they pass it in here. docs/configuration.md lists every setting.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

export const ConfigSchema = z.strictObject({
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
  /** Connect + read timeout of calls to executors (/run, /kill, /beat, /log), in ms (XXL-JOB: 3 s). */
  executorCallTimeoutMs: z.coerce.number().int().min(100).max(60_000).default(3000),
  /**
   * When set, GET /metrics (Prometheus) answers only requests with `Authorization: Bearer <token>`.
   * Unset: /metrics is open to whoever reaches the port.
   */
  metricsToken: z.string().min(16, 'must be at least 16 characters').optional(),
  /** Largest accepted request body, in bytes. */
  bodyLimitBytes: z.coerce
    .number()
    .int()
    .min(1024)
    .max(64 * 1024 * 1024)
    .default(1024 * 1024),
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
  { key: 'logLevel', flag: 'log-level', env: 'KAIROS_LOG_LEVEL' },
  { key: 'nodeId', flag: 'node-id', env: 'KAIROS_NODE_ID' },
  { key: 'lookaheadMs', flag: 'lookahead-ms', env: 'KAIROS_LOOKAHEAD_MS' },
  { key: 'pollIntervalMs', flag: 'poll-interval-ms', env: 'KAIROS_POLL_INTERVAL_MS' },
  { key: 'leaseMs', flag: 'lease-ms', env: 'KAIROS_LEASE_MS' },
  { key: 'shutdownGraceSeconds', flag: 'shutdown-grace-seconds', env: 'KAIROS_SHUTDOWN_GRACE_SECONDS' },
  { key: 'bodyLimitBytes', flag: 'body-limit-bytes', env: 'KAIROS_BODY_LIMIT_BYTES' },
  { key: 'executorDeadMs', flag: 'executor-dead-ms', env: 'KAIROS_EXECUTOR_DEAD_MS' },
  { key: 'executorCallTimeoutMs', flag: 'executor-call-timeout-ms', env: 'KAIROS_EXECUTOR_CALL_TIMEOUT_MS' },
  { key: 'secretKey', flag: 'secret-key', env: 'KAIROS_SECRET_KEY' },
  { key: 'metricsToken', flag: 'metrics-token', env: 'KAIROS_METRICS_TOKEN' },
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
