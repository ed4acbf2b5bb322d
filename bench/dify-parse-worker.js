// The worker-thread trial: would parsing Dify event streams in a worker thread leave the main
// event loop (where runs are released) more free than parsing them in slices on it? The same
// stream text (`runs` streams of `events` Dify events each, as text_chunk-heavy as a streamed LLM,
// read in 4 KB chunks) is handled two ways, and the main thread's busy time is measured with
// performance.eventLoopUtilization():
//   inline: decode + eventsource-parser on the main thread, each event handed to a handler;
//   worker: each chunk posted to a worker thread (copied), parsed there, the events' data posted
//           back in one message per chunk and handed to the same handler.
// A run's events must come back to the main thread either way (each is recorded verbatim), so the
// worker spares the main thread only the parse, and adds the messages.
//   node bench/dify-parse-worker.js [--runs 500] [--events 200] [--rounds 5]
import { Buffer } from 'node:buffer';
import { Worker } from 'node:worker_threads';
import { TextDecoder } from 'node:util';
import { createParser } from 'eventsource-parser';
import { flags, percentile, round } from './support.js';

const opts = flags();
const runs = Number(opts.runs ?? 500);
const eventsPerRun = Number(opts.events ?? 200);
const rounds = Number(opts.rounds ?? 5);
const CHUNK = 4096;

/** One run's stream, as Dify sends it: mostly text chunks, a few node events. */
function streamText(run) {
  const lines = [];
  const id = `run-${run}`;
  lines.push(`data: ${JSON.stringify({ event: 'workflow_started', workflow_run_id: id, data: { id } })}\n\n`);
  for (let i = 0; i < eventsPerRun - 2; i++) {
    const data = { text: `token ${i} of a streamed answer `, from_variable_selector: ['llm', 'text'] };
    lines.push(`data: ${JSON.stringify({ event: 'text_chunk', workflow_run_id: id, data })}\n\n`);
  }
  lines.push(
    `data: ${JSON.stringify({ event: 'workflow_finished', workflow_run_id: id, data: { status: 'succeeded', outputs: { answer: 'x'.repeat(500) } } })}\n\n`,
  );
  return Buffer.from(lines.join(''));
}

const chunks = [];
for (let r = 0; r < runs; r++) {
  const text = streamText(r);
  for (let at = 0; at < text.length; at += CHUNK)
    chunks.push({ run: r, bytes: text.subarray(at, at + CHUNK) });
}

let handled = 0;
const handle = (data) => {
  // What the run does with an event it keeps verbatim: a length check and a store.
  if (data.length > 0) handled++;
};

function inline() {
  const parsers = Array.from({ length: runs }, () => {
    const decoder = new TextDecoder();
    const parser = createParser({ onEvent: (message) => handle(message.data) });
    return { decoder, parser };
  });
  const elu = performance.eventLoopUtilization();
  const started = performance.now();
  for (const { run, bytes } of chunks) {
    const p = parsers[run];
    p.parser.feed(p.decoder.decode(bytes, { stream: true }));
  }
  return { activeMs: performance.eventLoopUtilization(elu).active, wallMs: performance.now() - started };
}

const workerSource = `
  const { parentPort } = require('node:worker_threads');
  const { TextDecoder } = require('node:util');
  const { createParser } = require(${JSON.stringify(
    import.meta
      .resolve('eventsource-parser')
      .replace('file://', '')
      .replace(/index\.js$/, 'index.cjs'),
  )});
  const parsers = new Map();
  parentPort.on('message', ({ run, bytes }) => {
    let p = parsers.get(run);
    if (!p) {
      const out = [];
      p = { decoder: new TextDecoder(), out, parser: createParser({ onEvent: (m) => out.push(m.data) }) };
      parsers.set(run, p);
    }
    p.parser.feed(p.decoder.decode(bytes, { stream: true }));
    parentPort.postMessage(p.out.splice(0));
  });
`;

async function inWorker() {
  const worker = new Worker(workerSource, { eval: true });
  await new Promise((resolve) => worker.once('online', resolve));
  const elu = performance.eventLoopUtilization();
  const started = performance.now();
  let answered = 0;
  await new Promise((resolve) => {
    worker.on('message', (events) => {
      for (const data of events) handle(data);
      if (++answered === chunks.length) resolve();
    });
    for (const chunk of chunks) worker.postMessage(chunk);
  });
  const figure = {
    activeMs: performance.eventLoopUtilization(elu).active,
    wallMs: performance.now() - started,
  };
  await worker.terminate();
  return figure;
}

const results = { inline: [], worker: [] };
for (let r = 0; r < rounds; r++) {
  results.inline.push(inline());
  results.worker.push(await inWorker());
}
const summary = (list, key) => {
  const sorted = list.map((f) => f[key]).sort((a, b) => a - b);
  return round(percentile(sorted, 50));
};
const events = runs * eventsPerRun;
const inlineActive = summary(results.inline, 'activeMs');
const workerActive = summary(results.worker, 'activeMs');
console.log(
  JSON.stringify({
    bench: 'dify-parse-worker',
    runs,
    events,
    chunks: chunks.length,
    rounds,
    handledPerRound: handled / (2 * rounds),
    mainThreadBusyMs: { inline: inlineActive, worker: workerActive },
    mainThreadMicrosecondsPerEvent: {
      inline: round((inlineActive * 1000) / events, 3),
      worker: round((workerActive * 1000) / events, 3),
    },
    wallMs: { inline: summary(results.inline, 'wallMs'), worker: summary(results.worker, 'wallMs') },
    workerOverInline: round(workerActive / inlineActive),
  }),
);
