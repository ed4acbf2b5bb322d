// How soon does a workflow node start once its upstream is done? A 50-node workflow: `start`,
// then `fan` over `--items` items (forEach, `--concurrency` at once), then 24 branches of two
// nodes each (fan → b<i> → c<i>). `--workflows` runs of it go at once. For every node with
// upstream nodes, the delay is its first run's start (run stored `running`) minus the last finish
// of its upstream nodes' runs (all items, for `fan`); for `fan`'s items, each item's start
// minus the finish that freed its place. Prints p50/p99/max of both, in ms, as JSON, beside the
// same work done by a bare process (bench/fanout-floor.js: fetch(), each end written to SQLite
// before what follows), run after it in a process of its own on the same target, and the ratios
// of p99 to that floor.
//   npm run build && node bench/workflow-fanout.js [--items 1000] [--concurrency 100]
//                                                 [--workflows 1] [--database-url URL]
//                                                 [--latency-off share,timer-spin,...]
import { fanoutFloorApart } from './fanout-floor.js';
import {
  flags,
  latencyOff,
  percentile,
  resetPostgres,
  round,
  startNode,
  startNoopTarget,
} from './support.js';

const opts = flags();
const items = Number(opts.items ?? 1000);
const concurrency = Number(opts.concurrency ?? 100);
const workflows = Number(opts.workflows ?? 1);
const databaseUrl = opts['database-url'] && (await resetPostgres(opts['database-url']));

const target = await startNoopTarget();
const kairos = await startNode(databaseUrl, latencyOff(opts['latency-off']));
const { node } = kairos;
await kairos.api('POST', '/api/v1/apps', { appName: 'bench', name: 'Bench' });
const task = { type: 'http', config: { url: target.url, method: 'POST' } };
const branches = 24;
const nodes = [
  { key: 'start', task },
  { key: 'fan', task, forEach: { items: 'input.items', concurrency } },
];
const edges = [{ from: 'start', to: 'fan' }];
for (let i = 0; i < branches; i++) {
  nodes.push({ key: `b${i}`, task }, { key: `c${i}`, task });
  edges.push({ from: 'fan', to: `b${i}` }, { from: `b${i}`, to: `c${i}` });
}
const workflow = await kairos.api('POST', '/api/v1/workflows', {
  name: 'fanout',
  app: 'bench',
  // The runs of this one workflow go at once.
  concurrency: { max: Math.max(1, workflows), overlap: 'allow' },
  nodes,
  edges,
});

const input = { items: Array.from({ length: items }, (_, i) => i) };
const began = performance.now();
const ended = new Set();
const allEnded = new Promise((resolve) =>
  node.events.on('workflow_run:finished', ({ run }) => {
    ended.add(run.id);
    if (ended.size === workflows) resolve();
  }),
);
const runs = await Promise.all(
  Array.from({ length: workflows }, () =>
    kairos.api('POST', `/api/v1/workflows/${workflow.id}/run`, { input }),
  ),
);
await allEnded;
const wallMs = performance.now() - began;

const nodeDelays = [];
const itemDelays = [];
const statuses = {};
for (const run of runs) {
  const stored = await node.store.getWorkflowRun(run.id);
  statuses[stored.status] = (statuses[stored.status] ?? 0) + 1;
  const nodeRuns = await node.store.listNodeRuns(run.id);
  const byNode = new Map();
  for (const r of nodeRuns) byNode.set(r.workflowNode, [...(byNode.get(r.workflowNode) ?? []), r]);
  for (const edge of edges) {
    const up = byNode.get(edge.from) ?? [];
    const down = byNode.get(edge.to) ?? [];
    if (up.length === 0 || down.length === 0) continue;
    const lastFinish = Math.max(...up.map((r) => r.finishedAt));
    const firstStart = Math.min(...down.map((r) => r.startedAt));
    nodeDelays.push(firstStart - lastFinish);
  }
  // Items past the first `concurrency` start when an earlier item's end frees a place.
  const fan = (byNode.get('fan') ?? []).slice().sort((a, b) => a.workflowItem - b.workflowItem);
  const finishes = fan.map((r) => r.finishedAt).sort((a, b) => a - b);
  for (const r of fan) {
    if (r.workflowItem < concurrency) continue;
    const freedBy = finishes[r.workflowItem - concurrency];
    itemDelays.push(r.startedAt - freedBy);
  }
}
const stats = (values) => {
  const sorted = values.slice().sort((a, b) => a - b);
  return {
    samples: sorted.length,
    p50Ms: round(percentile(sorted, 50)),
    p99Ms: round(percentile(sorted, 99)),
    maxMs: round(sorted[sorted.length - 1] ?? null),
  };
};
await kairos.stop();

// At 100 workflows the floor's 10,000 requests at once can exhaust the machine's local ports:
// then its error is printed in its place, beside the scheduler's figures.
const floor = await fanoutFloorApart({ url: target.url, workflows, items, concurrency, branches }).catch(
  (error) => ({ error: error.message }),
);
target.stop();
const kairosFigures = {
  upstreamFinishToDownstreamStart: stats(nodeDelays),
  itemPlaceFreedToItemStart: stats(itemDelays),
};
const floorFigures = floor.error
  ? { error: floor.error }
  : {
      upstreamFinishToDownstreamStart: stats(floor.nodeDelays),
      itemPlaceFreedToItemStart: stats(floor.itemDelays),
      requestsSentAgain: floor.retried,
    };
const ratio = (measure) => {
  const floorP99 = floorFigures[measure]?.p99Ms;
  return floorP99 > 0 ? round(kairosFigures[measure].p99Ms / floorP99) : null;
};
console.log(
  JSON.stringify(
    {
      bench: 'workflow-fanout',
      store: databaseUrl ? 'postgres' : 'sqlite',
      nodes: nodes.length,
      items,
      concurrency,
      workflows,
      statuses,
      wallMs: round(wallMs),
      kairos: kairosFigures,
      floor: floorFigures,
      p99OverFloor: {
        upstreamFinishToDownstreamStart: ratio('upstreamFinishToDownstreamStart'),
        itemPlaceFreedToItemStart: ratio('itemPlaceFreedToItemStart'),
      },
    },
    null,
    2,
  ),
);
