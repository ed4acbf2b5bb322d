/**
 * Builds the packages once before the suites: the process tests start the real server binary
 * (dist/main.js) as a child process, as a user would.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  // For quick local runs of suites that do not start the server binary.
  if (process.env.KAIROS_SKIP_BUILD === '1') return;
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
}
