/**
 * The latency layers as one collaborator: the default does nothing (work runs when it comes,
 * connections open on demand), the server's settings turn each layer on or off, and a node given
 * every layer still runs a scheduled Dify run to its end with every event recorded.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { EventLoopShare } from '../../src/runtime/event-loop-share.js';
import { latencyTuningFor, noLatencyTuning } from '../../src/runtime/latency-tuning.js';
import { WarmConnections } from '../../src/runtime/warm-connections.js';
import { OutboundPolicy } from '../../src/outbound/outbound-policy.js';
import { allEvents, createDifyTask, startSim } from '../dify/support.js';
import { startTestNode } from '../support/test-node.js';

const servers: http.Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

const guard = new OutboundPolicy().server;

describe('LatencyTuning', () => {
  it('does nothing by default: work runs at once, in the same turn, and its errors reject', async () => {
    const { share } = noLatencyTuning;
    const order: string[] = [];
    const ran = share.run(() => {
      order.push('work');
      return 42;
    });
    order.push('after');
    expect(order).toEqual(['work', 'after']);
    await expect(ran).resolves.toBe(42);
    await expect(
      share.run(() => {
        throw new Error('piece failed');
      }),
    ).rejects.toThrow('piece failed');
    // An instant kept clear holds nothing back.
    const stop = share.keepClearBefore(() => 0);
    let cleared = false;
    const clear = share.whenClear().then(() => (cleared = true));
    await Promise.resolve();
    expect(cleared).toBe(true);
    await clear;
    stop();
    expect(share.pacesReads).toBe(false);
    expect(noLatencyTuning.spinTimers).toBe(false);
    expect(noLatencyTuning.paceClaims).toBe(false);
  });

  it('opens no connection ahead by default: expect() does nothing, the agents connect on demand', async () => {
    let connections = 0;
    const server = http.createServer((_req, res) => res.end('ok'));
    server.on('connection', () => connections++);
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/run`);
    const plain = noLatencyTuning.connections({ guard });
    plain.expect(url, 50);
    const warm = latencyTuningFor(loadConfig([], {})).connections({ guard });
    warm.expect(url, 50);
    // The warmed one is opened (at once: its instant is under a second away); the plain one not.
    await expect.poll(() => connections).toBe(1);
    const body = await new Promise<string>((resolve, reject) => {
      const req = http.request(url, { agent: plain.agents['http:'] }, (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve(text));
      });
      req.on('error', reject);
      req.end();
    });
    expect(body).toBe('ok');
    expect(connections).toBe(2);
    (warm as WarmConnections).close();
    plain.agents['http:'].destroy();
  });

  it('builds the layers the settings turn on, each one alone', async () => {
    const all = latencyTuningFor(loadConfig([], {}));
    expect(all.share).toBeInstanceOf(EventLoopShare);
    expect(all.connections({ guard })).toBeInstanceOf(WarmConnections);
    expect([all.spinTimers, all.paceClaims]).toEqual([true, true]);

    const none = latencyTuningFor(
      loadConfig(
        [
          '--latency-share=off',
          '--latency-warm-connections=off',
          '--latency-timer-spin=off',
          '--latency-claim-pacing=off',
        ],
        {},
      ),
    );
    expect(none.share).toBe(noLatencyTuning.share);
    expect(none.connections({ guard })).not.toBeInstanceOf(WarmConnections);
    expect([none.spinTimers, none.paceClaims]).toEqual([false, false]);

    const onlySpin = latencyTuningFor(
      loadConfig([], {
        KAIROS_LATENCY_SHARE: 'off',
        KAIROS_LATENCY_WARM_CONNECTIONS: 'off',
        KAIROS_LATENCY_CLAIM_PACING: 'off',
      }),
    );
    expect([onlySpin.share.pacesReads, onlySpin.spinTimers, onlySpin.paceClaims]).toEqual([
      false,
      true,
      false,
    ]);
    // The share without its stream pacing: instants kept clear, streams read as they come.
    const keepClear = latencyTuningFor(loadConfig(['--latency-stream-pacing=off'], {})).share;
    expect(keepClear.pacesReads).toBe(false);
    const order: string[] = [];
    void keepClear.run(() => order.push('piece'));
    order.push('after');
    expect(order).toEqual(['piece', 'after']);
    const stop = keepClear.keepClearBefore(() => 1);
    let cleared = false;
    const clear = keepClear.whenClear().then(() => (cleared = true));
    await Promise.resolve();
    expect(cleared).toBe(false);
    stop();
    await clear;
    // Two nodes never share a layer's state.
    expect(latencyTuningFor(loadConfig([], {})).share).not.toBe(all.share);
  });

  it('refuses a layer setting other than on or off, naming the setting', () => {
    for (const [env, setting] of [
      ['KAIROS_LATENCY_SHARE', 'latencyShare (--latency-share / KAIROS_LATENCY_SHARE)'],
      [
        'KAIROS_LATENCY_STREAM_PACING',
        'latencyStreamPacing (--latency-stream-pacing / KAIROS_LATENCY_STREAM_PACING)',
      ],
      [
        'KAIROS_LATENCY_WARM_CONNECTIONS',
        'latencyWarmConnections (--latency-warm-connections / KAIROS_LATENCY_WARM_CONNECTIONS)',
      ],
      ['KAIROS_LATENCY_TIMER_SPIN', 'latencyTimerSpin (--latency-timer-spin / KAIROS_LATENCY_TIMER_SPIN)'],
      [
        'KAIROS_LATENCY_CLAIM_PACING',
        'latencyClaimPacing (--latency-claim-pacing / KAIROS_LATENCY_CLAIM_PACING)',
      ],
    ] as const) {
      expect(() => loadConfig([], { [env]: 'yes' })).toThrow(ConfigError);
      expect(() => loadConfig([], { [env]: 'yes' })).toThrow(`Invalid setting ${setting}: must be on or off`);
    }
  });

  it('runs a scheduled Dify run to its end with every layer on, every event recorded', async () => {
    const sim = await startSim();
    const node = await startTestNode({ latency: latencyTuningFor(loadConfig([], {})) });
    const at = new Date(Date.now() + 1500).toISOString();
    const task = await createDifyTask(node, sim, 'app-simple', {
      task: { schedule: { type: 'one_time', at } },
    });
    expect(task.status, JSON.stringify(task.body)).toBe(201);
    const { run } = await node.waitFor('run:finished', (p) => p.run.taskId === task.body.id, 15_000);
    expect(run.status).toBe('succeeded');
    const simRun = [...sim.runs.values()][0]!;
    const events = await allEvents(node, run.id);
    expect(events.map((e) => e.event)).toEqual(simRun.sent.map((e) => e.event));
  });
});
