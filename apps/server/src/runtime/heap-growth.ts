/**
 * How much garbage the JavaScript heap may hold. After each full collection V8 sets the next
 * one's threshold at the live size times a factor it picks itself, up to 4 when collections are
 * quick. A node firing a thousand runs a second keeps about 60 MB live but leaves the rest of each
 * run (its request, its records, its promises) to be collected later, so at that factor its
 * resident memory climbs past 380 MB. A fixed, lower factor collects sooner: at 50% (one and a
 * half times the live size) the same load peaks at 239 MB on SQLite and 194 MB on PostgreSQL,
 * with the same lateness, for about 5% more CPU a run in a burst (docs/performance.md). The
 * server sets it once at start (`heapGrowthPercent`; 0 keeps V8's).
 */
import { setFlagsFromString } from 'node:v8';

export function limitHeapGrowth(percent: number): void {
  if (percent > 0) setFlagsFromString(`--heap-growing-percent=${percent}`);
}
