import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ClusterNode } from '@kairos/protocol';
import { startRecordingServer } from '../../protocol/test/recording-server.js';
import type { RecordingServer } from '../../protocol/test/recording-server.js';
import { kairos } from './harness.js';

let server: RecordingServer;
beforeEach(async () => {
  server = await startRecordingServer();
});
afterEach(async () => {
  await server.close();
});

const aNode = (overrides: Partial<ClusterNode> = {}): ClusterNode => ({
  id: 'node-a',
  state: 'alive',
  version: '0.1.0',
  host: 'box-1',
  pid: 101,
  url: 'http://127.0.0.1:8080',
  startedAt: '2026-03-01T00:00:00.000Z',
  lastHeartbeatAt: '2026-03-01T00:10:00.000Z',
  stoppedAt: null,
  self: false,
  ...overrides,
});

describe('kairos nodes', () => {
  it('lists live nodes, marks the one that answered, and leaves out gone ones unless --all', async () => {
    const items = [
      aNode({ self: true }),
      aNode({ id: 'node-b', state: 'stopping' }),
      aNode({ id: 'node-c', state: 'dead' }),
    ];
    server.respond(() => ({ body: { items } }));
    const env = { KAIROS_URL: server.url, KAIROS_TOKEN: 'tok' };
    const r = await kairos(['nodes'], { env });
    expect(r.code).toBe(0);
    expect(server.requests[0]).toMatchObject({ method: 'GET', url: '/api/v1/nodes' });
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^ID\s+STATE\s+VERSION/);
    expect(lines[1]).toMatch(/^node-a \*\s+alive/);
    expect(lines[2]).toMatch(/^node-b\s+stopping/);
    expect(lines).toHaveLength(3);

    const all = await kairos(['nodes', '--all', '--json'], { env });
    expect(JSON.parse(all.stdout).items.map((n: ClusterNode) => n.id)).toEqual([
      'node-a',
      'node-b',
      'node-c',
    ]);
  });
});
