// The event-loop share's figures (runtime/event-loop-share.ts), which its tests assert only as
// behaviour: how late a timer fires while 200 ms of background work is queued (with the share,
// and with the same work run in one block), how long a piece waits while the loop is quiet, and
// how long 20 pieces and 5 clear moments take while kept-clear instants keep coming.
//   node bench/event-loop-share.js [--rounds 20]
import { EventLoopShare } from '../apps/server/dist/runtime/event-loop-share.js';
import { flags, percentile, round, sleep } from './support.js';

const rounds = Number(flags().rounds ?? 20);
const busy = (ms) => {
  const end = performance.now() + ms;
  while (performance.now() < end);
};
const summary = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return { p50: round(percentile(sorted, 50)), max: round(sorted.at(-1)) };
};

/** How late a 20 ms timer fires while 40 streams × 10 pieces × 0.5 ms of work are queued. */
async function timerLateness(shared) {
  const share = new EventLoopShare(2);
  const armedAt = performance.now();
  const timer = new Promise((resolve) => setTimeout(() => resolve(performance.now() - armedAt - 20), 20));
  const piece = () => busy(0.5);
  const streams = shared
    ? Promise.all(
        Array.from({ length: 40 }, async () => {
          for (let p = 0; p < 10; p++) await share.run(piece);
        }),
      )
    : Promise.resolve().then(() => {
        for (let p = 0; p < 400; p++) piece();
      });
  const late = await timer;
  await streams;
  return late;
}

const shared = [];
const block = [];
const atOnce = [];
const starvation = [];
for (let r = 0; r < rounds; r++) {
  shared.push(await timerLateness(true));
  block.push(await timerLateness(false));
  const share = new EventLoopShare(2);
  await sleep(5);
  const before = performance.now();
  let ranAt = 0;
  await share.run(() => (ranAt = performance.now()));
  atOnce.push(ranAt - before);
  const stop = share.keepClearBefore(() => 1);
  const started = performance.now();
  for (let i = 0; i < 20; i++) await share.run(() => undefined);
  for (let i = 0; i < 5; i++) await share.whenClear();
  stop();
  starvation.push(performance.now() - started);
}
console.log(
  JSON.stringify({
    bench: 'event-loop-share',
    rounds,
    timerLateMsWithShare: summary(shared),
    timerLateMsWorkInOneBlock: summary(block),
    pieceWhileQuietMs: summary(atOnce),
    twentyPiecesUnderConstantInstantsMs: summary(starvation),
  }),
);
