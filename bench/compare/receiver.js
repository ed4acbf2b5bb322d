// The receiver of bench/compare's firing measure, run as a child process: answers every request
// 200 at once and records when it arrived, keyed by the run (Kairos's `kairos-run-id` header) or
// by the slot the sender stamped (`x-slot`, ms since the epoch: the floor and BullMQ). On the
// message 'collect' it sends what it recorded and forgets it; on 'stop' it exits.
import { createServer } from 'node:http';

const now = () => performance.timeOrigin + performance.now();
let arrivals = [];
const server = createServer((req, res) => {
  const at = now();
  const runId = req.headers['kairos-run-id'];
  const slot = req.headers['x-slot'];
  arrivals.push(runId !== undefined ? { runId: Number(runId), at } : { slot: Number(slot), at });
  req.resume();
  req.on('end', () => res.end('ok'));
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.send({ url: `http://127.0.0.1:${server.address().port}` }));
process.on('message', (message) => {
  if (message === 'stop') process.exit(0);
  if (message !== 'collect') return;
  process.send({ arrivals });
  arrivals = [];
});
process.on('disconnect', () => process.exit(0));
