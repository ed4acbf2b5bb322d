#!/usr/bin/env node
// The installed `kairos` command: runs the compiled CLI, or says how to build it.
try {
  await import('../dist/main.js');
} catch (error) {
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist/main.js')) {
    process.stderr.write('kairos: the CLI is not built yet: run `npm run build` (npm start builds it too)\n');
    process.exit(1);
  }
  throw error;
}
