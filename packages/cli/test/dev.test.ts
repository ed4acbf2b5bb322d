/**
 * `kairos dev dify-sim`: its help and usage errors in-process, and the real command as a child
 * process: it listens, answers as Dify, and stops on SIGTERM.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { kairos } from './harness.js';

const cli = fileURLToPath(new URL('../dist/main.js', import.meta.url));

describe('kairos dev dify-sim', () => {
  it('documents the scenarios and faults, and refuses bad flags', async () => {
    const help = await kairos(['dev', 'dify-sim', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/app-<scenario>\[\+<fault>\.\.\.\]/);
    expect(help.stdout).toMatch(/drop-terminal/);
    const bad = await kairos(['dev', 'dify-sim', '--port', 'x']);
    expect(bad.code).toBe(2);
    const unknown = await kairos(['dev', 'nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/dify-sim/);
  });

  it('runs the simulator until SIGTERM', async () => {
    const child = spawn(process.execPath, [cli, 'dev', 'dify-sim', '--port', '0', '--json', '--quiet'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const [line] = (await once(child.stdout, 'data')) as [Buffer];
    const { url } = JSON.parse(line.toString()) as { url: string };
    const info = await fetch(`${url}/v1/info`, { headers: { authorization: 'Bearer app-simple' } });
    expect(await info.json()).toMatchObject({ mode: 'workflow' });
    const refused = await fetch(`${url}/v1/info`, { headers: { authorization: 'Bearer nope' } });
    expect(refused.status).toBe(401);
    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number];
    expect(code).toBe(0);
  });
});
