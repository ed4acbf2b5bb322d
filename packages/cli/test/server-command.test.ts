/**
 * `kairos server` as a user runs it: the CLI as a child process starts the server's own entry
 * point, which listens and answers; SIGTERM to the CLI reaches the server, which stops, and the
 * CLI ends with the server's exit code.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDataDir } from '../../../apps/server/test/support/test-node.js';

const CLI = fileURLToPath(new URL('../bin/kairos.js', import.meta.url));

describe('kairos server', () => {
  it('starts the server through its entry point and hands it SIGTERM', async () => {
    const child = spawn(process.execPath, [CLI, 'server', '--port', '0', '--data-dir', tempDataDir()], {
      env: {
        PATH: process.env.PATH ?? '',
        KAIROS_LOG_LEVEL: 'warn',
        KAIROS_ADMIN_TOKEN: 'kat_server_command_test',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    let out = '';
    let err = '';
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /listening on (http:\/\/\S+)/.exec(out);
        if (match) resolve(match[1]!);
      });
      void exited.then((code) =>
        reject(new Error(`kairos server exited (${code}) before listening: ${err}`)),
      );
    });
    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    // The CLI ends only once the server process has closed: nothing listens any more.
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });
});
