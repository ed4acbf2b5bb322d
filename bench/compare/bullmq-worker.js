// One BullMQ worker process for bench/compare: takes jobs from `queue` with `concurrency` at a
// time. `noop` returns the instant it ran; `fetch` POSTs to `url` stamped with the job's slot
// (`x-slot`, the instant BullMQ was to run it). On 'collect' it sends, for each job it finished,
// its slot and the instant it finished (the scheduled measure counts them per window, as it does
// Kairos's runs), and forgets them.
//   node bullmq-worker.js <queue> <concurrency> noop|fetch [url]
import { Worker } from 'bullmq';

const [queue, concurrency, work, url] = process.argv.slice(2);
let done = [];
// A cron scheduler's job carries its slot as `prevMillis`; an `every` scheduler's does not, and
// its `timestamp` is when it was added (as the one before it ran, about an interval early): its
// slot is that plus its delay. A plain job's is when it was added.
const slotOf = (job) => job.opts.prevMillis ?? job.timestamp + (job.opts.delay ?? 0);
const worker = new Worker(
  queue,
  async (job) => {
    if (work === 'fetch') {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'x-slot': String(slotOf(job)) },
        body: '{}',
      });
      await res.text();
    }
    const finishedAt = Date.now();
    done.push({ slot: slotOf(job), finishedAt });
    return finishedAt;
  },
  {
    connection: { host: '127.0.0.1', port: 6379 },
    concurrency: Number(concurrency),
    prefix: 'kairos-compare',
  },
);
await worker.waitUntilReady();
process.send('ready');
process.on('message', async (message) => {
  if (message === 'collect') {
    process.send({ done });
    done = [];
  } else if (message === 'stop') {
    await worker.close();
    process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
