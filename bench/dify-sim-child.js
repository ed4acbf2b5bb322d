// The Dify simulator in its own process for bench/dify.js (so it does not share Kairos's event
// loop). Sends {url} when listening; on 'report', sends every run request's arrival time and
// each simulated run's event count.
import { startDifySim } from '../packages/dify-sim/dist/index.js';

const sim = await startDifySim({ port: 0 });
process.send({ url: sim.url });
process.on('message', (message) => {
  if (message !== 'report') return;
  process.send({
    requests: sim.requests
      .filter((r) => r.method === 'POST' && r.path === '/v1/workflows/run')
      .map((r) => ({ user: r.body.user, at: r.at })),
    runs: [...sim.runs.values()].map((r) => ({ user: r.user, events: r.sent.length, status: r.status })),
  });
});
