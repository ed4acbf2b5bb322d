/**
 * The workflow editor refuses an edge that would close a cycle (naming the path it would close),
 * places the server's refusals on the node or edge they name, and sends nodes with their
 * positions and edges with their conditions.
 */
import { describe, expect, it } from 'vitest';
import { findCycle, refuseEdge } from '../src/pages/workflows/graph-checks.js';
import {
  emptyMeta,
  newNodeDraft,
  placeProblems,
  workflowBody,
  type DraftEdge,
  type DraftNode,
} from '../src/pages/workflows/editor-state.js';

const node = (key: string, x = 0): DraftNode => ({
  id: key,
  type: 'draft',
  position: { x, y: 10.4 },
  data: { ...newNodeDraft(key), config: '{"method":"GET","url":"http://127.0.0.1/x"}' },
});
const edge = (from: string, to: string, condition: DraftEdge['data'] = undefined): DraftEdge => ({
  id: `${from}->${to}`,
  source: from,
  target: to,
  ...(condition ? { data: condition } : {}),
});

describe('the editor’s graph checks', () => {
  const chain = [
    { from: 'a', to: 'b' },
    { from: 'b', to: 'c' },
  ];

  it('refuses an edge closing a cycle, with the path', () => {
    expect(refuseEdge(chain, 'c', 'a')).toBe('that edge would make a cycle: c → a → b → c');
    expect(refuseEdge(chain, 'b', 'b')).toMatch(/to itself/);
    expect(refuseEdge(chain, 'a', 'b')).toMatch(/already an edge/);
  });

  it('accepts a join and a fan-out', () => {
    expect(refuseEdge(chain, 'a', 'c')).toBeNull();
    expect(refuseEdge([...chain, { from: 'a', to: 'c' }], 'a', 'd')).toBeNull();
    expect(findCycle([...chain, { from: 'a', to: 'c' }])).toBeNull();
  });

  it('finds a cycle already drawn', () => {
    expect(findCycle([...chain, { from: 'c', to: 'a' }])).toEqual(['a', 'b', 'c', 'a']);
  });
});

describe('the server’s refusals on the graph', () => {
  const nodes = [node('fetch'), node('post'), node('archive')];
  const edges = [edge('fetch', 'post'), edge('post', 'archive')];

  it('puts an indexed field on its node or edge', () => {
    expect(placeProblems('nodes.1.input', 'does not parse', nodes, edges)).toEqual([
      { on: 'node', key: 'post', field: 'input', message: 'does not parse' },
    ]);
    expect(placeProblems('nodes.2.forEach.items', 'bad', nodes, edges)).toEqual([
      { on: 'node', key: 'archive', field: 'forEach.items', message: 'bad' },
    ]);
    expect(placeProblems('edges.1.to', 'unknown node', nodes, edges)).toEqual([
      { on: 'edge', id: 'post->archive', field: 'to', message: 'unknown node' },
    ]);
  });

  it('marks each edge of a cycle the server names', () => {
    const cyclic = [...edges, edge('archive', 'fetch')];
    const placed = placeProblems('edges', 'cycle: fetch → post → archive → fetch', nodes, cyclic);
    expect(placed.map((p) => (p.on === 'edge' ? p.id : p.on))).toEqual([
      'fetch->post',
      'post->archive',
      'archive->fetch',
    ]);
  });

  it('leaves a field of the workflow itself on the workflow', () => {
    expect(placeProblems('schedule.expression', 'bad cron', nodes, edges)).toEqual([
      { on: 'workflow', field: 'schedule.expression', message: 'bad cron' },
    ]);
    expect(placeProblems('nodes.7.input', 'x', nodes, edges)[0]!.on).toBe('workflow');
  });
});

describe('the body the editor sends', () => {
  it('carries positions, inline tasks, mappings and conditions in the editor’s order', () => {
    const nodes = [node('fetch', 0), node('post', 300.6)];
    nodes[1]!.data.input = '{ "summary": nodes.fetch.output }';
    nodes[1]!.data.forEach = true;
    nodes[1]!.data.forEachItems = 'nodes.fetch.output.items';
    nodes[1]!.data.forEachConcurrency = '4';
    nodes[1]!.data.forEachOnItemFailure = 'fail_fast';
    const body = workflowBody({ ...emptyMeta(), name: 'w' }, nodes, [
      edge('fetch', 'post', { condition: 'expression', expression: 'output.ok' }),
    ]);
    expect(body.nodes).toEqual([
      {
        key: 'fetch',
        position: { x: 0, y: 10 },
        task: {
          type: 'http',
          config: { method: 'GET', url: 'http://127.0.0.1/x' },
          retry: { maxAttempts: 1 },
        },
      },
      {
        key: 'post',
        position: { x: 301, y: 10 },
        task: {
          type: 'http',
          config: { method: 'GET', url: 'http://127.0.0.1/x' },
          retry: { maxAttempts: 1 },
        },
        input: '{ "summary": nodes.fetch.output }',
        forEach: { items: 'nodes.fetch.output.items', concurrency: 4, onItemFailure: 'fail_fast' },
      },
    ]);
    expect(body.edges).toEqual([{ from: 'fetch', to: 'post', condition: { expression: 'output.ok' } }]);
    expect(body.schedule).toMatchObject({ type: 'api' });
  });

  it('names the node whose config is not JSON', () => {
    const nodes = [node('fetch')];
    nodes[0]!.data.config = '{ nope';
    expect(() => workflowBody({ ...emptyMeta(), name: 'w' }, nodes, [])).toThrow(/nodes\.0\.task\.config/);
  });
});
