// One SDK executor process for bench/executors.js: the `stamp` handler returns the instant it
// started, so the bench can measure fire-to-handler-start across processes (same machine clock).
import { createExecutor, defineTask } from '../packages/sdk/dist/index.js';

const [server, appName, accessToken, mode, id] = process.argv.slice(2);
const executor = createExecutor({
  server,
  appName,
  accessToken,
  mode,
  executorId: `bench-${id}`,
  port: 0,
  pollWaitMs: 5000,
  tasks: [defineTask('stamp', () => String(Date.now()))],
  onError: (error) => console.error(`executor ${id}: ${error.message}`),
});
await executor.start();
process.send({ ready: executor.address });
// The bench died: do not linger.
process.on('disconnect', () => process.exit(0));
process.on('message', async (message) => {
  if (message === 'stop') {
    await executor.stop();
    process.exit(0);
  }
});
