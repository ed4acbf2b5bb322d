/**
 * The single-writer guard for SQLite. The SQLite store keeps admission counts and leases in
 * memory (capabilities.exclusiveWriter), which is only sound if no other server writes the same
 * file; SQLite's own locking would let a second one in and both would fire every slot. So the
 * first server writes `<db>.lock` holding its pid and host; a second one finds it and refuses.
 *
 * A lock left by a crash is stale when its pid is dead on this host; it is then taken over. A
 * lock from another host cannot be checked (its pid means nothing here) and is refused with a
 * message that says how to clear it.
 */
import { linkSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { StoreOpenError } from './store-open-error.js';

export interface SqliteLock {
  readonly path: string;
  /** Removes the lock file if it is still ours. Idempotent. */
  release(): void;
}

interface Holder {
  raw: string;
  pid: number | null;
  host: string | null;
}

/**
 * Lock files this process holds. A lock naming our own pid that is not in this set is stale:
 * containers often run the server as pid 1 every time, so "that pid is alive" would be wrong.
 */
const heldByThisProcess = new Set<string>();

/** A lock file whose content cannot be read is trusted for this long (it may be mid-write). */
const UNREADABLE_GRACE_MS = 10_000;

export function acquireSqliteLock(databaseFile: string): SqliteLock {
  const path = `${databaseFile}.lock`;
  const content = `${process.pid}\n${hostname()}\n`;
  for (let attempt = 0; attempt < 5; attempt++) {
    if (tryCreate(path, content)) {
      heldByThisProcess.add(path);
      return { path, release: () => release(path, content) };
    }
    const holder = readHolder(path);
    if (holder === undefined) continue; // released meanwhile: try again
    if (isLive(holder, path)) throw refusal(holder, databaseFile, path);
    moveStaleAside(path, holder);
  }
  throw new StoreOpenError(
    `Could not take the lock ${path}: other servers keep starting on ${databaseFile}. ` +
      'Start one server per KAIROS_DATA_DIR; several nodes need PostgreSQL (DATABASE_URL)',
  );
}

/**
 * Creates the lock atomically with its content: written to a private temp file, then hard-linked
 * into place. link(2) fails with EEXIST like O_EXCL does, but the lock never exists empty, so a
 * concurrent starter never reads a half-written pid and mistakes the lock for a stale one.
 */
function tryCreate(path: string, content: string): boolean {
  // Named by pid, so only a crashed earlier process with our pid can have left one: overwrite it.
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, content);
  try {
    linkSync(temp, path);
    return true;
  } catch (error) {
    if (codeOf(error) === 'EEXIST') return false;
    throw error;
  } finally {
    unlinkSync(temp);
  }
}

function readHolder(path: string): Holder | undefined {
  let raw: string;
  try {
    raw = readFileSync(path, 'utf8');
  } catch (error) {
    if (codeOf(error) === 'ENOENT') return undefined;
    throw error;
  }
  const [pidLine, hostLine] = raw.split('\n');
  const pid = /^\d+$/.test(pidLine ?? '') ? Number(pidLine) : null;
  return { raw, pid, host: hostLine === undefined || hostLine === '' ? null : hostLine };
}

function isLive(holder: Holder, path: string): boolean {
  if (holder.host !== null && holder.host !== hostname()) return true;
  if (holder.pid === null) return ageMs(path) < UNREADABLE_GRACE_MS;
  if (holder.pid === process.pid) return heldByThisProcess.has(path);
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user; only ESRCH means it is gone.
    return codeOf(error) !== 'ESRCH';
  }
}

/**
 * Takes a stale lock out of the way. Renaming is atomic, so of two starters judging the same
 * stale lock only one moves it; if what we moved is not what we judged (another starter had
 * already replaced it with its own live lock), we link it back and the next attempt refuses.
 */
function moveStaleAside(path: string, judged: Holder): void {
  const aside = `${path}.stale.${process.pid}`;
  try {
    renameSync(path, aside);
  } catch (error) {
    if (codeOf(error) === 'ENOENT') return;
    throw error;
  }
  try {
    if (readFileSync(aside, 'utf8') !== judged.raw) {
      try {
        linkSync(aside, path);
      } catch {
        // Yet another starter created a lock meanwhile; the next attempt judges that one.
      }
    }
  } finally {
    unlinkSync(aside);
  }
}

function release(path: string, content: string): void {
  if (!heldByThisProcess.delete(path)) return;
  try {
    if (readFileSync(path, 'utf8') === content) unlinkSync(path);
  } catch (error) {
    if (codeOf(error) !== 'ENOENT') throw error;
  }
}

function refusal(holder: Holder, databaseFile: string, path: string): StoreOpenError {
  const advice = 'Stop it or choose another KAIROS_DATA_DIR; several nodes need PostgreSQL (DATABASE_URL)';
  if (holder.pid === process.pid && holder.host !== null && holder.host === hostname()) {
    return new StoreOpenError(
      `This process (pid ${process.pid}) already has ${databaseFile} open: close that store first. ` +
        'Several nodes need PostgreSQL (DATABASE_URL)',
    );
  }
  if (holder.host !== null && holder.host !== hostname()) {
    return new StoreOpenError(
      `Another Kairos server (pid ${holder.pid ?? '?'} on host ${holder.host}) is using ${databaseFile}. ` +
        `${advice}. If no server runs there any more, delete ${path} and start again`,
    );
  }
  const who = holder.pid === null ? 'Another Kairos server' : `Another Kairos server (pid ${holder.pid})`;
  return new StoreOpenError(`${who} is using ${databaseFile}. ${advice}`);
}

function ageMs(path: string): number {
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

function codeOf(error: unknown): unknown {
  return typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
}
