/** Runs `kairos` in-process with captured output: no child process, no real terminal. */
import { Readable } from 'node:stream';
import { runCli } from '../src/run-cli.js';
import type { CliIo } from '../src/run-cli.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface KairosOptions {
  env?: Record<string, string | undefined>;
  /** Text `-f -` reads. */
  stdin?: string;
  cwd?: string;
  /** Counts the waits between polls; the waits themselves are instant. */
  sleeps?: number[];
}

export async function kairos(argv: string[], options: KairosOptions = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    // Never the test process's own environment: a developer's KAIROS_TOKEN must not leak in.
    env: options.env ?? {},
    stdout: { write: (chunk: string) => (stdout += chunk) },
    stderr: { write: (chunk: string) => (stderr += chunk) },
    stdin: options.stdin === undefined ? undefined : Readable.from([Buffer.from(options.stdin)]),
    cwd: options.cwd,
    sleep: (ms) => {
      options.sleeps?.push(ms);
      return Promise.resolve();
    },
  };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}
