/**
 * Temporary directories for tests: real files (SQLite databases, lock files), one directory per
 * test, removed when the test finishes whatever its outcome.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';

/** Creates an empty directory; the caller removes it (see tempDir for the usual case). */
export function makeTempDir(prefix = 'kairos-test-'): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** Inside a test: an empty directory, removed when the test finishes. */
export function tempDir(prefix?: string): string {
  const dir = makeTempDir(prefix);
  onTestFinished(dir.remove);
  return dir.path;
}
