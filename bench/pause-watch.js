// What held this process's main thread, for telling why a run was late: the garbage collector's
// pauses (PerformanceObserver) and, on Linux, the time the thread was ready to run but waited
// for a core (/proc/<pid>/task/<pid>/schedstat: CPU time, run-queue wait, slices).
import { readFileSync } from 'node:fs';
import { PerformanceObserver } from 'node:perf_hooks';

export function watchPauses() {
  const gcs = [];
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries())
      gcs.push({ from: performance.timeOrigin + e.startTime, ms: e.duration });
  });
  observer.observe({ entryTypes: ['gc'] });
  const schedstat = `/proc/${process.pid}/task/${process.pid}/schedstat`;
  let hasSchedstat = true;
  return {
    /** Milliseconds of GC pause within [from, to] (epoch ms). */
    gcMs(from, to) {
      let ms = 0;
      for (const g of gcs) ms += Math.max(0, Math.min(to, g.from + g.ms) - Math.max(from, g.from));
      return ms;
    },
    /** The main thread's run-queue wait so far in ms, or null where the kernel does not say. */
    coreWaitMs() {
      if (!hasSchedstat) return null;
      try {
        return Number(readFileSync(schedstat, 'utf8').split(' ')[1]) / 1e6;
      } catch {
        hasSchedstat = false;
        return null;
      }
    },
    stop: () => observer.disconnect(),
  };
}
