// Child processes of bench/compare: forked, resolved once they say they are ready, asked for
// what they recorded, stopped.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Forks `file` (next to this one) with `args`; resolves with the child and its first message. */
export function forkReady(file, args = []) {
  const child = fork(fileURLToPath(new URL(file, import.meta.url)), args.map(String), {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (first) => resolve({ child, first, ask, stop }));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${file} exited with ${code} before it was ready`)));
  });

  /** Sends `message` and resolves with the child's next message. */
  function ask(message) {
    return new Promise((resolve) => {
      child.once('message', resolve);
      child.send(message);
    });
  }

  /** Asks the child to stop (it exits by itself), or kills it after 10 s. */
  function stop() {
    if (child.exitCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      if (child.connected) child.send('stop');
      else child.kill('SIGTERM');
    });
  }
}

/** Runs `work(i)` for i in [0, count) with at most `parallel` at a time. */
export async function inParallel(count, parallel, work) {
  let next = 0;
  const lane = async () => {
    while (next < count) await work(next++);
  };
  await Promise.all(Array.from({ length: Math.min(parallel, count) }, lane));
}
