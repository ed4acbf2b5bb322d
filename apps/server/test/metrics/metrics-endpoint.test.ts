/**
 * GET /metrics on a real node: the run series move when runs finish, with namespace, app and
 * type labels; the bearer token guards the endpoint when configured.
 */
import { describe, expect, it } from 'vitest';
import { startHttpTarget } from '../support/http-target.js';
import { createApp, startTestNode } from '../support/test-node.js';

const METRICS_TOKEN = 'metrics-token-0123456789';

async function scrape(url: string, token?: string): Promise<{ status: number; text: string }> {
  const response = await fetch(`${url}/metrics`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  return { status: response.status, text: await response.text() };
}

describe('GET /metrics', () => {
  it('counts finished runs by namespace, app, type and status, with lateness and duration', async () => {
    const node = await startTestNode();
    await createApp(node, 'billing');
    const target = await startHttpTarget((req, res) => {
      res.statusCode = req.url === '/fail' ? 500 : 200;
      res.end('{}');
    });
    const make = async (name: string, path: string) =>
      (
        await node.api('POST', '/api/v1/tasks', {
          name,
          app: 'billing',
          type: 'http',
          config: { url: `${target.url}${path}`, method: 'POST' },
          schedule: { type: 'api' },
        })
      ).body.id as number;
    const ok = await make('ok', '/ok');
    const bad = await make('bad', '/fail');
    for (const taskId of [ok, bad]) {
      const finished = node.waitFor('run:finished', ({ run }) => run.taskId === taskId);
      await node.api('POST', `/api/v1/tasks/${taskId}/run`, {});
      await finished;
    }

    const { status, text } = await scrape(node.url);
    expect(status).toBe(200);
    expect(text).toContain(
      'kairos_runs_finished_total{namespace="default",app="billing",type="http",status="succeeded"} 1',
    );
    expect(text).toContain(
      'kairos_runs_finished_total{namespace="default",app="billing",type="http",status="failed"} 1',
    );
    expect(text).toMatch(
      /kairos_run_start_lateness_seconds_count\{namespace="default",app="billing",type="http"\} 2/,
    );
    expect(text).toMatch(/kairos_run_duration_seconds_count\{[^}]*status="succeeded"\} 1/);
    expect(text).toContain('kairos_runs_running 0');
    expect(text).toContain('kairos_runs_queued 0');
    expect(text).toMatch(/kairos_node_info\{node="[^"]+",version="[^"]+",store="sqlite"\} 1/);
    expect(text).toContain('process_cpu_seconds_total');
    expect(text).toContain('# TYPE kairos_scheduler_claim_seconds histogram');
    expect(text).toContain('# TYPE kairos_alert_deliveries_total counter');
  });

  it('counts registered executors per app and state', async () => {
    const node = await startTestNode();
    await createApp(node, 'workers');
    const app = await node.store.getAppByName((await node.store.ensureNamespace('default')).id, 'workers');
    const now = Date.now();
    await node.store.upsertExecutor({
      appId: app!.id,
      address: 'http://127.0.0.1:1',
      mode: 'push',
      protocol: 'xxl',
      at: now,
    });
    await node.store.upsertExecutor({
      appId: app!.id,
      address: 'http://127.0.0.1:2',
      mode: 'push',
      protocol: 'xxl',
      at: now,
    });
    await node.store.upsertExecutor({
      appId: app!.id,
      address: 'http://127.0.0.1:3',
      mode: 'push',
      protocol: 'xxl',
      at: now - 10 * 60_000,
    });
    const { text } = await scrape(node.url);
    expect(text).toContain('kairos_executors{app="workers",state="online"} 2');
    expect(text).toContain('kairos_executors{app="workers",state="dead"} 1');
  });

  it('asks for the metrics token when one is configured', async () => {
    const node = await startTestNode({ config: { metricsToken: METRICS_TOKEN } });
    expect((await scrape(node.url)).status).toBe(401);
    const wrong = await scrape(node.url, 'not-the-token-at-all');
    expect(wrong.status).toBe(401);
    expect(JSON.parse(wrong.text).error.code).toBe('UNAUTHORIZED');
    // The API's admin token is not the metrics token.
    expect((await scrape(node.url, 'test-admin-token-0123456789')).status).toBe(401);
    const right = await scrape(node.url, METRICS_TOKEN);
    expect(right.status).toBe(200);
    expect(right.text).toContain('kairos_runs_running');
  });
});
