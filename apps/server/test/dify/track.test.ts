/**
 * The track: built from the recorded fixture, and from a real run of each simulator scenario
 * (iteration, parallel iteration, loop, loop break, if-else, classifier, parallel branches,
 * failure, handled exception, retries), through GET /runs/{id}/track.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseDifyEvent } from '../../src/job-types/dify/events.js';
import { buildTrack } from '../../src/job-types/dify/track.js';
import type { TrackNode } from '../../src/job-types/dify/track.js';
import { UsageTally } from '../../src/job-types/dify/usage.js';
import { startTestNode } from '../support/test-node.js';
import type { TestNode } from '../support/test-node.js';
import { createDifyTask, runOnce, startSim } from './support.js';

const fixture = (name: string) => readFileSync(new URL(`fixtures/${name}`, import.meta.url), 'utf8');

function fixtureEvents() {
  return fixture('simple.sse')
    .split('\n')
    .filter((line) => line.startsWith('data: '))
    .map((line) => parseDifyEvent(line.slice(6))!);
}

const shape = (nodes: TrackNode[]): unknown[] =>
  nodes.map((n) => ({
    type: n.nodeType,
    status: n.status,
    ...(n.rounds ? { rounds: n.rounds.map((r) => ({ index: r.index, nodes: shape(r.nodes) })) } : {}),
  }));

async function trackOf(node: TestNode, sim: Awaited<ReturnType<typeof startSim>>, key: string) {
  const task = await createDifyTask(node, sim, key);
  expect(task.status, JSON.stringify(task.body)).toBe(201);
  const run = await runOnce(node, task.body.id);
  const track = await node.api('GET', `/api/v1/runs/${run.id}/track`);
  expect(track.status).toBe(200);
  return { run, nodes: track.body.nodes as TrackNode[] };
}

describe('the track', () => {
  it('is built from the recorded fixture', () => {
    const events = fixtureEvents();
    const { nodes } = buildTrack(events);
    expect(nodes.map((n) => [n.nodeType, n.title, n.status])).toEqual([
      ['start', 'Start', 'succeeded'],
      ['llm', 'Summarize', 'succeeded'],
      ['end', 'Output', 'succeeded'],
    ]);
    const llm = nodes[1]!;
    expect(llm).toMatchObject({
      nodeId: '1770700100002',
      tokens: 326,
      price: 0.000075,
      currency: 'USD',
      startedAt: '2026-02-10T08:30:00.000Z',
      finishedAt: '2026-02-10T08:30:11.000Z',
      elapsedMs: 11178,
    });
    expect((llm.outputs as { text: string }).text).toContain('Acme Corp grew');
    expect((llm.processData as { model_name?: string }).model_name).toBeDefined();
    const tally = new UsageTally();
    for (const e of events) tally.add(e);
    expect(tally.summary()).toEqual({
      totalTokens: 326,
      promptTokens: 268,
      completionTokens: 58,
      totalPrice: 0.000075,
      currency: 'USD',
    });
  });

  it('groups iteration rounds, each with its nodes, and sums tokens once', async () => {
    const sim = await startSim();
    const node = await startTestNode();
    const { run, nodes } = await trackOf(node, sim, 'app-iteration');
    const llmRound = { type: 'llm', status: 'succeeded' };
    const codeRound = { type: 'code', status: 'succeeded' };
    expect(shape(nodes)).toEqual([
      { type: 'start', status: 'succeeded' },
      {
        type: 'iteration',
        status: 'succeeded',
        rounds: [0, 1, 2].map((index) => ({ index, nodes: [llmRound, codeRound] })),
      },
      { type: 'end', status: 'succeeded' },
    ]);
    const iteration = nodes[1]!;
    expect(iteration).toMatchObject({ title: 'Each city', tokens: 978, price: 0.000225 });
    expect(iteration.rounds![0]!.elapsedMs).toBe(400);
    expect(run.usage).toMatchObject({
      totalTokens: 978,
      promptTokens: 804,
      completionTokens: 174,
      totalPrice: 0.000225,
    });
    expect(run.output.totalSteps).toBe(3);
  });

  it('puts parallel iteration rounds in their own round from execution_metadata', async () => {
    const sim = await startSim();
    const node = await startTestNode();
    const { nodes } = await trackOf(node, sim, 'app-iteration-parallel');
    const rounds = nodes[1]!.rounds!;
    expect(rounds.map((r) => [r.index, r.nodes.length])).toEqual([
      [0, 1],
      [1, 1],
      [2, 1],
    ]);
  });

  it('counts loop rounds by loop_next after each round, none after a break', async () => {
    const sim = await startSim();
    const node = await startTestNode();
    const full = await trackOf(node, sim, 'app-loop');
    expect(full.nodes[1]!.rounds!.map((r) => r.index)).toEqual([0, 1, 2]);
    expect(full.nodes[1]).toMatchObject({ nodeType: 'loop', completedReason: 'loop_completed' });
    const broken = await trackOf(node, sim, 'app-loop-break');
    expect(broken.nodes[1]!.rounds!.map((r) => r.index)).toEqual([0, 1]);
    expect(broken.nodes[1]).toMatchObject({ completedReason: 'loop_break', outputs: { loop_round: 2 } });
  });

  it('shows the branch an if-else and a question classifier took', async () => {
    const sim = await startSim();
    const node = await startTestNode();
    const ifelse = await trackOf(node, sim, 'app-ifelse');
    expect(ifelse.nodes.map((n) => n.nodeType)).toEqual(['start', 'if-else', 'code', 'end']);
    expect(ifelse.nodes[1]!.selectedCaseId).toBe('6d2f0a4e-1c3b-4b5a-9e8d-7f6a5b4c3d21');
    const qc = await trackOf(node, sim, 'app-classifier');
    expect(qc.nodes[1]).toMatchObject({
      nodeType: 'question-classifier',
      classId: '2',
      className: 'finance',
    });
  });

  it('keeps both parallel branches whose events interleave', async () => {
    const sim = await startSim();
    const node = await startTestNode();
    const { nodes } = await trackOf(node, sim, 'app-parallel');
    expect(shape(nodes)).toEqual([
      { type: 'start', status: 'succeeded' },
      { type: 'llm', status: 'succeeded' },
      { type: 'http-request', status: 'succeeded' },
      { type: 'end', status: 'succeeded' },
    ]);
  });

  it('shows retried attempts, handled exceptions and the failing node', async () => {
    const sim = await startSim();
    const node = await startTestNode();
    const retry = await trackOf(node, sim, 'app-retry');
    expect(retry.nodes[1]!.attempts!.map((a) => [a.index, a.status])).toEqual([
      [1, 'retry'],
      [2, 'retry'],
    ]);
    expect(retry.nodes[1]!.status).toBe('succeeded');
    expect(retry.run.output.totalSteps).toBe(5);

    const partial = await trackOf(node, sim, 'app-partial');
    expect(partial.run.status).toBe('succeeded');
    expect(partial.run.output).toMatchObject({ status: 'partial-succeeded', warnings: 1 });
    expect(partial.nodes[1]).toMatchObject({
      status: 'exception',
      errorStrategy: 'fail-branch',
      error: 'Request timeout',
    });

    const failing = await trackOf(node, sim, 'app-failing');
    expect(failing.run.status).toBe('failed');
    expect(failing.run.error.message).toMatch(/the Dify workflow failed: Traceback/);
    expect(failing.nodes.map((n) => [n.nodeType, n.status])).toEqual([
      ['start', 'succeeded'],
      ['code', 'failed'],
    ]);
  });

  it('handles container events without a start, and children before their container', () => {
    const ev = (event: string, data: Record<string, unknown>) => ({ event, data });
    const { nodes } = buildTrack([
      ev('node_started', { id: 'a', node_id: 'n1', node_type: 'code', title: 'Inner', loop_id: 'L' }),
      ev('node_finished', {
        id: 'a',
        node_id: 'n1',
        node_type: 'code',
        title: 'Inner',
        status: 'succeeded',
        loop_id: 'L',
        execution_metadata: { loop_id: 'L', loop_index: 0 },
      }),
      ev('loop_next', { id: 'L', node_id: 'L', node_type: 'loop', title: 'Loop', index: 1 }),
      ev('node_started', { id: 'b', node_id: 'n1', node_type: 'code', title: 'Inner', loop_id: 'L' }),
      ev('loop_completed', { id: 'L', node_id: 'L', node_type: 'loop', title: 'Loop', status: 'succeeded' }),
      ev('workflow_finished', { status: 'failed' }),
    ]);
    expect(nodes).toHaveLength(1);
    expect(nodes[0]).toMatchObject({ nodeType: 'loop', title: 'Loop', status: 'succeeded' });
    expect(nodes[0]!.rounds!.map((r) => [r.index, r.nodes.map((n) => n.status)])).toEqual([
      [0, ['succeeded']],
      [1, ['failed']],
    ]);
  });
});
