#!/usr/bin/env node
/** The `kairos` executable: the only place the CLI touches the real process. */
import { runCli } from './run-cli.js';

process.exitCode = await runCli(process.argv.slice(2), {
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
  // Touch process.stdin only when `-f -` reads it: creating it for a terminal can hold the process open.
  stdin: { [Symbol.asyncIterator]: () => process.stdin[Symbol.asyncIterator]() },
});
