/**
 * Metric label names come from memory: a burst of runs that all miss a name share one read of
 * the store, and a forgotten app's name is read again.
 */
import { afterEach, expect, it } from 'vitest';
import { LabelNames } from '../../src/metrics/label-names.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { seed, taskInput } from '../store/contract/context.js';
import { tempDir } from '../support/temp-dir.js';

let store: Store | undefined;
afterEach(async () => {
  await store?.close();
  store = undefined;
});

it('reads each name once for a burst of runs, and again once forgotten', async () => {
  store = await openStore({ dataDir: tempDir() });
  const opened = store;
  const seeded = await seed(opened);
  const task = await opened.createTask(taskInput(seeded));
  const reads = { namespace: 0, app: 0, task: 0 };
  const names = new LabelNames({
    getNamespace: (id) => (reads.namespace++, opened.getNamespace(id)),
    getApp: (id) => (reads.app++, opened.getApp(id)),
    getTask: (id) => (reads.task++, opened.getTask(id)),
  });
  const run = { namespaceId: seeded.ns.id, appId: seeded.app.id, taskId: task.id };
  const labels = await Promise.all(Array.from({ length: 100 }, () => names.labels(run)));
  expect(new Set(labels.map((l) => JSON.stringify(l)))).toEqual(
    new Set([JSON.stringify({ namespace: 'default', app: seeded.app.appName, type: 'http' })]),
  );
  expect(reads).toEqual({ namespace: 1, app: 1, task: 1 });
  expect(names.known(run)).toEqual(labels[0]);

  names.forgetApp(seeded.app.id);
  expect(names.known(run)).toBeUndefined();
  await Promise.all([names.labels(run), names.labels(run)]);
  expect(reads).toEqual({ namespace: 1, app: 2, task: 1 });
});
