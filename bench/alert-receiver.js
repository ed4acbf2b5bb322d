// A webhook receiver for bench/alerts.js, run as a child process: answers 200 at once and counts
// deliveries by their X-Kairos-Delivery id (to find duplicates); reports its counts on request.
import { createServer } from 'node:http';

const seen = new Map();
const server = createServer((req, res) => {
  const id = req.headers['x-kairos-delivery'];
  seen.set(id, (seen.get(id) ?? 0) + 1);
  req.resume();
  req.on('end', () => res.end('{}'));
});
server.keepAliveTimeout = 60_000;
process.on('message', () => {
  let duplicates = 0;
  for (const n of seen.values()) if (n > 1) duplicates += n - 1;
  process.send({ deliveries: seen.size, duplicates });
});
server.listen(0, '127.0.0.1', () => process.send({ url: `http://127.0.0.1:${server.address().port}` }));
