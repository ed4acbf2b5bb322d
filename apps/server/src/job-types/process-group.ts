/**
 * Stopping a script and everything it started. Scripts are spawned as process-group leaders
 * (`detached: true`), so a signal sent to `-pid` reaches the script, its children and their
 * children alike; only a process that deliberately left the group (setsid) escapes.
 */
import { readdir, readFile } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';

const POLL_MS = 25;

/** Signals every process of the group; false when none is left to signal. */
export function signalProcessGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

/**
 * Whether any process of the group is still running. kill(-pgid, 0) also counts zombies, and an
 * orphan stays a zombie for good under an init that does not reap (Node or a bare shell as a
 * container's PID 1), so on Linux the process table is read to skip them.
 */
export async function processGroupAlive(pgid: number): Promise<boolean> {
  if (!signalProcessGroup(pgid, 0)) return false;
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return true; // No /proc (macOS): a zombie counts as alive, so waits end at the SIGKILL.
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = await readFile(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // Exited while we looked.
    }
    // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses, so cut at the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) === pgid && fields[0] !== 'Z') return true;
  }
  return false;
}

/**
 * SIGTERM to the whole group, then SIGKILL if anything is still running after `graceMs`.
 * Resolves once nothing is left running, or right after the SIGKILL (which cannot be refused).
 */
export async function terminateProcessGroup(
  pgid: number,
  graceMs: number,
  onSigkill: () => void = () => undefined,
): Promise<void> {
  if (!signalProcessGroup(pgid, 'SIGTERM')) return;
  const deadline = Date.now() + graceMs;
  // Polling, because the processes of a group are not our children: no event tells us they ended.
  while (Date.now() < deadline) {
    if (!(await processGroupAlive(pgid))) return;
    await delay(Math.min(POLL_MS, Math.max(0, deadline - Date.now())));
  }
  if (await processGroupAlive(pgid)) {
    signalProcessGroup(pgid, 'SIGKILL');
    onSigkill();
  }
}
