// The floor under bench/dify.js's probe figure: a worker thread with no Kairos code in it sends
// bare run requests to the simulator at given instants (node:http, connections opened ahead, the
// last 2 ms of each wait spun) and reports, for each, the ms from its instant to the request
// written out. Run in the same process and at the same time as the probes, it measures what the
// machine alone allows a sender under the same load; the probes' figure above it is Kairos's.
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { Buffer } from 'node:buffer';
import http from 'node:http';

/** Starts the floor sender; resolves to the sorted ms of each instant's request. */
export function measureSendFloor({ url, apiKey, instants }) {
  const worker = new Worker(new URL(import.meta.url), { workerData: { url, apiKey, instants } });
  return new Promise((resolve, reject) => {
    worker.once('message', (times) => {
      void worker.terminate();
      resolve(times.sort((a, b) => a - b));
    });
    worker.once('error', reject);
  });
}

if (!isMainThread) {
  const { url, apiKey, instants } = workerData;
  const target = new URL(`${url}/workflows/run`);
  const agent = new http.Agent({ keepAlive: true, maxSockets: instants.length });
  const headers = { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' };
  const body = JSON.stringify({ inputs: {}, response_mode: 'streaming', user: 'send-floor' });
  const now = () => performance.timeOrigin + performance.now();
  const times = [];

  const send = (at) => {
    const req = http.request({
      host: target.hostname,
      port: target.port,
      path: target.pathname,
      method: 'POST',
      agent,
      headers: { ...headers, 'content-length': Buffer.byteLength(body) },
    });
    req.on('finish', () => {
      times.push(now() - at);
      if (times.length === instants.length) parentPort.postMessage(times);
    });
    req.on('response', (res) => res.resume());
    // A failed send fails the measurement (the worker's error rejects measureSendFloor), not a hang.
    req.on('error', (error) => {
      throw error;
    });
    req.end(body);
  };
  // Connections opened ahead, as Kairos opens them ahead of planned runs.
  const warm = () =>
    new Promise((resolve) => {
      const req = http.get(
        {
          host: target.hostname,
          port: target.port,
          path: `${target.pathname.replace(/\/workflows\/run$/, '')}/info`,
          agent,
          headers,
        },
        (res) => {
          res.resume();
          res.on('end', resolve);
        },
      );
      req.on('error', resolve);
    });
  await Promise.all(instants.map(warm));
  for (const at of instants) {
    setTimeout(
      () => {
        while (now() < at);
        send(at);
      },
      at - 2 - Date.now(),
    );
  }
}
