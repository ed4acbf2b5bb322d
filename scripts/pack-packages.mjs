#!/usr/bin/env node
/**
 * Builds the workspaces and packs the ones a user installs outside this repository into npm
 * tarballs: @kairos/protocol, @kairos/time, @kairos/dify-sim, @kairos/server, @kairos/cli and
 * @kairos/sdk. They depend on one another (the CLI on protocol, time and dify-sim; the server on
 * protocol and time; the SDK on protocol), so each is installed together with the ones it needs.
 * None of them is published to the npm registry; docs/install.md says how to install the
 * tarballs.
 *
 *   node scripts/pack-packages.mjs [--out DIR] [--skip-build]
 *
 * Prints the tarballs' paths, one a line, and the install commands.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: { out: { type: 'string', default: 'dist-packages' }, 'skip-build': { type: 'boolean' } },
});
const out = resolve(process.cwd(), values.out);
mkdirSync(out, { recursive: true });
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

if (!values['skip-build']) execFileSync(npm, ['run', 'build'], { cwd: root, stdio: 'inherit' });
const workspaces = [
  'packages/protocol',
  'packages/time',
  'packages/dify-sim',
  'apps/server',
  'packages/cli',
  'packages/sdk',
];
const packed = JSON.parse(
  execFileSync(npm, ['pack', '--json', '--pack-destination', out, ...workspaces.flatMap((w) => ['-w', w])], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }),
);
const files = packed.map((p) => resolve(out, p.filename));
for (const file of files) console.log(file);
const [protocol, time, difySim, server, cli, sdk] = files;
console.error(`
The CLI, into a prefix of its own (no server, no database drivers):
  npm install --prefix ~/.local/kairos ${protocol} ${time} ${difySim} ${cli}
  export PATH="$HOME/.local/kairos/node_modules/.bin:$PATH"
The server too, for \`kairos server\` (into the same prefix):
  npm install --prefix ~/.local/kairos ${protocol} ${time} ${difySim} ${server} ${cli}
The SDK, in an executor's project:
  npm install ${protocol} ${sdk}`);
