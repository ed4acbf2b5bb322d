/**
 * The CLI and the SDK outside this repository, as docs/install.md says: tarballs packed by
 * scripts/pack-packages.mjs, installed into a fresh prefix (the CLI, with the packages it needs
 * and without the server) and a fresh project (the SDK), then run from there. Install scripts are
 * skipped; dependencies come from the npm cache or the registry.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startTestNode, tempDataDir } from '../../../apps/server/test/support/test-node.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../../', import.meta.url));
const npmInstall = (prefix: string, specs: string[]) =>
  run(
    'npm',
    [
      'install',
      '--prefer-offline',
      '--ignore-scripts',
      '--no-audit',
      '--no-fund',
      '--prefix',
      prefix,
      ...specs,
    ],
    {
      cwd: prefix,
    },
  );

describe('installing the CLI and the SDK from packed tarballs', () => {
  it(
    'kairos runs from its own prefix against a server; the SDK imports in a new project',
    { timeout: 300_000 },
    async () => {
      const out = tempDataDir();
      const packed = await run(
        process.execPath,
        [join(root, 'scripts/pack-packages.mjs'), '--skip-build', '--out', out],
        {
          cwd: root,
        },
      );
      const tarballs = packed.stdout
        .trim()
        .split('\n')
        .map((f) => resolve(f));
      expect(tarballs.map((f) => f.split('/').at(-1))).toEqual([
        'kairos-protocol-0.1.0.tgz',
        'kairos-time-0.1.0.tgz',
        'kairos-dify-sim-0.1.0.tgz',
        'kairos-server-0.1.0.tgz',
        'kairos-cli-0.1.0.tgz',
        'kairos-sdk-0.1.0.tgz',
      ]);
      const [protocol, time, difySim, , cli, sdk] = tarballs;

      const prefix = join(tempDataDir(), 'kairos');
      mkdirSync(prefix);
      await npmInstall(prefix, [protocol!, time!, difySim!, cli!]);
      const kairos = join(prefix, 'node_modules/.bin/kairos');
      expect((await run(kairos, ['--version'])).stdout).toBe('kairos 0.1.0\n');
      // The CLI installs without the server and its database drivers and HTTP framework.
      const cliManifest = JSON.parse(
        readFileSync(join(prefix, 'node_modules/@kairos/cli/package.json'), 'utf8'),
      );
      expect(Object.keys(cliManifest.dependencies)).not.toContain('@kairos/server');
      for (const name of ['@kairos/server', 'better-sqlite3', 'pg', 'fastify', 'kysely']) {
        expect(existsSync(join(prefix, 'node_modules', name)), name).toBe(false);
      }
      // Without the server package, `kairos server` says what to install and exits 1.
      const serverless = await run(kairos, ['server']).then(
        () => ({ code: 0, stderr: '' }),
        (error: { code: number; stderr: string }) => error,
      );
      expect(serverless.code).toBe(1);
      expect(serverless.stderr).toMatch(/needs the Kairos server package \(@kairos\/server\)/);
      // The simulator comes from its own package.
      expect((await run(kairos, ['dev', 'dify-sim', '--help'])).stdout).toContain('dify-sim');
      const node = await startTestNode();
      await node.api('POST', '/api/v1/apps', { appName: 'billing', name: 'Billing' });
      const apps = await run(kairos, ['apps', 'list', '--json'], {
        env: { PATH: process.env.PATH ?? '', KAIROS_URL: node.url, KAIROS_TOKEN: ADMIN_TOKEN },
      });
      expect(JSON.parse(apps.stdout).items.map((a: { appName: string }) => a.appName)).toEqual(['billing']);

      const project = join(tempDataDir(), 'executor');
      mkdirSync(project);
      writeFileSync(join(project, 'package.json'), '{"name":"my-executor","private":true,"type":"module"}');
      await npmInstall(project, [protocol!, sdk!]);
      writeFileSync(
        join(project, 'check.js'),
        "import { createExecutor, defineTask } from '@kairos/sdk';\n" +
          "import { runTask } from '@kairos/sdk/testing';\n" +
          "const hello = defineTask('hello', async ({ params }) => `hello ${params}`);\n" +
          "console.log(typeof createExecutor, (await runTask(hello, { params: 'world' })).output);\n",
      );
      expect((await run(process.execPath, ['check.js'], { cwd: project })).stdout).toMatch(
        /^function .*hello world/,
      );
    },
  );
});
