/**
 * Browser test support: Debian's Chromium (/usr/bin/chromium, never a downloaded browser)
 * driven by playwright-core, the console built once if it is not, and screenshots saved as test
 * artifacts in apps/console/test-artifacts (git-ignored).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
const root = fileURLToPath(new URL('../../../../', import.meta.url));
export const ARTIFACTS = `${root}apps/console/test-artifacts`;

/** Builds the console when its dist is missing (KAIROS_SKIP_BUILD skips the global build). */
export function ensureConsoleBuilt(): void {
  if (existsSync(`${root}apps/console/dist/index.html`)) return;
  execFileSync('npm', ['run', '--silent', 'build', '-w', 'apps/console'], { cwd: root, stdio: 'inherit' });
}

/**
 * Whether Chromium is here. Without it the browser suite skips with a printed reason, as the
 * PostgreSQL suites do, unless KAIROS_REQUIRE_BROWSER=1 (CI, which installs it: .ci/run), where
 * it fails instead.
 */
export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  const why = `${CHROMIUM} is missing: install Debian's package (apt-get install -y chromium)`;
  if (process.env.KAIROS_REQUIRE_BROWSER === '1') throw new Error(`${why}; KAIROS_REQUIRE_BROWSER=1`);
  console.warn(`${why}: skipping the console's browser tests`);
  return false;
}

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: install Debian's package (apt-get install -y chromium)`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
    ],
  });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  // Transitions (a drawer sliding in) are finished first, so the picture shows where they end.
  await page.screenshot({ path: `${ARTIFACTS}/${name}.png`, fullPage: true, animations: 'disabled' });
}
