/**
 * `kairos server` and `npm start`: configuration from flags, environment and file; a clear message
 * and exit code 1 when Kairos cannot start; graceful stop on SIGTERM/SIGINT.
 */
import { pino } from 'pino';
import { CONFIG_HELP, ConfigError, loadConfig } from './config.js';
import { startKairos } from './kairos.js';
import { limitHeapGrowth } from './runtime/heap-growth.js';
import { latencyTuningFor } from './runtime/latency-tuning.js';

export async function runServer(argv: string[], env: Record<string, string | undefined>): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`Usage: kairos server [flags]\n\nStarts a Kairos node.\n\n${CONFIG_HELP}\n`);
    return;
  }
  let config;
  try {
    config = loadConfig(argv, env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`kairos: ${error.message}\n`);
      process.exitCode = 1;
      return;
    }
    throw error;
  }
  const logger = pino({ level: config.logLevel, base: undefined });
  limitHeapGrowth(config.heapGrowthPercent);
  let node;
  try {
    node = await startKairos({ config, logger, latency: latencyTuningFor(config) });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`kairos: cannot start: ${message}\n`);
    logger.flush?.();
    process.exitCode = 1;
    // Nothing was started, so the process ends by itself; should a handle still be open (a
    // connection pool closing), it must not keep a failed server alive.
    setTimeout(() => process.exit(1), 3000).unref();
    return;
  }
  if (node.generatedAdminToken) {
    process.stdout.write(
      [
        '',
        'No admin token was configured, so Kairos generated one. It is shown only this once:',
        '',
        `    ${node.generatedAdminToken}`,
        '',
        'Keep it: use it as KAIROS_TOKEN for the CLI or as "Authorization: Bearer <token>".',
        '',
      ].join('\n'),
    );
  }
  process.stdout.write(`Kairos is listening on ${node.url} (${node.store.dialect})\n`);
  const shutdown = (signal: string) => {
    logger.info({ signal }, 'stopping: no new runs; running ones get the grace period');
    node.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}
