#!/usr/bin/env node
/** The `kairos` executable: the only place the CLI touches the real process. */
import { runCli } from './run-cli.js';

// `kairos runs list | head -1`: the reader went away; stop quietly, as cat and git do, instead
// of dying on an unhandled EPIPE with a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
}

process.exitCode = await runCli(process.argv.slice(2), {
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
  // Touch process.stdin only when `-f -` reads it: creating it for a terminal can hold the process open.
  stdin: { [Symbol.asyncIterator]: () => process.stdin[Symbol.asyncIterator]() },
});
