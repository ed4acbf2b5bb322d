// A Kairos executor in a dozen lines, with the SDK. Run it against a Kairos server:
//
//   KAIROS_URL=http://127.0.0.1:8080 KAIROS_APP=billing KAIROS_APP_TOKEN=kat_… \
//   KAIROS_MODE=pull node examples/sdk-executor/executor.mjs
//
// (see README.md next to this file for the app and the task to create first).
import { createExecutor, defineTask, NonRetryableError } from '@kairos/sdk';

const invoices = defineTask('send-invoices', async ({ params, shardIndex, shardTotal, log, signal }) => {
  if (!/^\d{4}-\d{2}$/.test(params))
    throw new NonRetryableError(`params must be a month (YYYY-MM), not "${params}"`);
  // A sharding_broadcast task gives each executor its slice of the work.
  const customers = Array.from({ length: 10 }, (_, i) => i).filter((i) => i % shardTotal === shardIndex);
  for (const customer of customers) {
    signal.throwIfAborted(); // cancel and timeout in Kairos abort the signal
    log(`invoice for customer ${customer}, ${params}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { month: params, sent: customers.length };
});

const executor = createExecutor({
  server: process.env.KAIROS_URL ?? 'http://127.0.0.1:8080',
  appName: process.env.KAIROS_APP ?? 'billing',
  accessToken: process.env.KAIROS_APP_TOKEN ?? '',
  mode: process.env.KAIROS_MODE === 'push' ? 'push' : 'pull',
  port: Number(process.env.PORT ?? 9999), // push mode only
  tasks: [invoices],
});
await executor.start();
console.log(
  `executor ${executor.address} is serving send-invoices for app ${process.env.KAIROS_APP ?? 'billing'}`,
);
process.on('SIGTERM', () => void executor.stop().then(() => process.exit(0)));
process.on('SIGINT', () => void executor.stop().then(() => process.exit(0)));
