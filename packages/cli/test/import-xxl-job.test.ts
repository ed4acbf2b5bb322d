/**
 * `kairos import xxl-job` against the MariaDB server, with XXL-JOB's tables as its DDL defines
 * them for 2.2, 2.3-3.4 and 3.5, into a real Kairos node through the API: what is mapped, what
 * is reported and why, a second run changing nothing, a dry run writing nothing, and bad input.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../src/run-cli.js';
import { ADMIN_TOKEN, startTestNode } from '../../../apps/server/test/support/test-node.js';
import type { TestNode } from '../../../apps/server/test/support/test-node.js';
import { mariadbReachable, testMariaDatabase } from './mariadb.js';
import { insertGroup, insertJob, xxlTables } from './xxl-job-schemas.js';
import type { XxlSchema } from './xxl-job-schemas.js';

async function kairos(node: TestNode, argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    env: { KAIROS_URL: node.url, KAIROS_TOKEN: ADMIN_TOKEN },
    stdout: { write: (chunk: string) => (stdout += chunk) },
    stderr: { write: (chunk: string) => (stderr += chunk) },
  });
  return { code, stdout, stderr };
}

const importArgs = (url: string, ...more: string[]) => [
  'import',
  'xxl-job',
  '--database',
  url,
  '--timezone',
  'Asia/Shanghai',
  ...more,
];

function xxlDatabase(schema: XxlSchema): string {
  const fixedRate =
    schema === '2.2' ? { cron: '0 0/5 * * * ?' } : { scheduleType: 'FIX_RATE' as const, scheduleConf: '300' };
  return [
    xxlTables(schema),
    insertGroup(schema, { id: 1, appName: 'order-executor', title: 'Orders' }),
    insertGroup(schema, {
      id: 2,
      appName: 'report-executor',
      title: 'Reports',
      manual: ['http://10.0.0.5:9999', 'http://10.0.0.6:9999'],
    }),
    insertJob(schema, {
      id: 1,
      group: 1,
      desc: 'sync orders',
      cron: '0 0 8 * * ?',
      misfire: 'FIRE_ONCE_NOW',
      route: 'ROUND',
      handler: 'syncOrders',
      param: 'a=1',
      timeout: 60,
      retry: 2,
      alarmEmail: 'ops@example.com,dev@example.com',
      children: '2',
    }),
    insertJob(schema, {
      id: 2,
      group: 2,
      desc: 'clean up',
      ...fixedRate,
      route: 'FAILOVER',
      block: 'DISCARD_LATER',
      handler: 'cleanup',
      running: false,
    }),
    insertJob(schema, {
      id: 3,
      group: 2,
      desc: 'shell report',
      cron: '0 30 2 ? * MON-FRI',
      route: 'SHARDING_BROADCAST',
      block: 'COVER_EARLY',
      glueType: 'GLUE_SHELL',
      glueSource: 'echo "report $1"',
      alarmEmail: 'ops@example.com',
    }),
    insertJob(schema, {
      id: 4,
      group: 1,
      desc: 'groovy job',
      cron: '0 0 1 * * ?',
      glueType: 'GLUE_GROOVY',
      glueSource: 'class A {}',
    }),
    insertJob(schema, { id: 5, group: 1, desc: 'bad hour', cron: '0 0 25 * * ?', handler: 'never' }),
  ].join('\n');
}

const reachable = await mariadbReachable();

describe.skipIf(!reachable)('kairos import xxl-job', () => {
  it.each(['2.2', '2.4', '3.5'] as const)(
    'imports a %s schema: apps, tasks, contacts and failure rules, reports the rest; a second run changes nothing',
    async (schema) => {
      const node = await startTestNode();
      const url = await testMariaDatabase(xxlDatabase(schema));

      const first = await kairos(node, importArgs(url, '--json'));
      expect(first.stderr).toBe('');
      expect(first.code).toBe(0);
      const report = JSON.parse(first.stdout);
      expect(report.source.schema).toBe(schema === '2.4' ? '2.3-3.4' : schema);
      expect(report.apps.map((a: any) => [a.appName, a.change])).toEqual([
        ['order-executor', 'create'],
        ['report-executor', 'create'],
      ]);
      expect(report.apps[0].accessToken).toMatch(/^kat_/);
      expect(report.tasks.map((t: any) => [t.jobId, t.change])).toEqual([
        [1, 'create'],
        [2, 'create'],
        [3, 'create'],
      ]);
      expect(report.notMapped).toEqual([
        {
          what: 'job #1 "sync orders": child jobs 2',
          reason: expect.stringMatching(/no child tasks or workflows yet/),
        },
        {
          what: 'job #4 "groovy job"',
          reason: expect.stringMatching(/GLUE_GROOVY sources are not supported/),
        },
        { what: 'job #5 "bad hour"', reason: expect.stringMatching(/Kairos refuses its schedule: .*hour/) },
      ]);

      const addresses = await node.api('GET', '/api/v1/apps/report-executor/executor-addresses');
      expect(addresses.body.addresses).toEqual(['http://10.0.0.5:9999', 'http://10.0.0.6:9999']);
      const tasks = (await node.api('GET', '/api/v1/tasks')).body.items as any[];
      const byName = Object.fromEntries(tasks.map((t) => [t.name, t]));
      expect(byName['sync orders']).toMatchObject({
        appName: 'order-executor',
        type: 'executor',
        config: { handler: 'syncOrders', params: 'a=1', routeStrategy: 'round', blockStrategy: 'serial' },
        schedule: {
          type: 'cron',
          expression: '0 0 8 * * ?',
          timezone: 'Asia/Shanghai',
          misfire: { policy: schema === '2.2' ? 'skip' : 'fire_once' },
        },
        timeoutSeconds: 60,
        retry: { maxAttempts: 3, backoff: 'fixed', delaySeconds: 10 },
        enabled: true,
      });
      expect(byName['clean up']).toMatchObject({
        appName: 'report-executor',
        config: { handler: 'cleanup', routeStrategy: 'failover', blockStrategy: 'discard_later' },
        schedule: schema === '2.2' ? { type: 'cron' } : { type: 'fixed_rate', intervalSeconds: 300 },
        enabled: false,
      });
      expect(byName['shell report']).toMatchObject({
        config: {
          routeStrategy: 'sharding_broadcast',
          blockStrategy: 'cover_early',
          glue: { type: 'shell', source: 'echo "report $1"' },
        },
      });
      const contacts = (await node.api('GET', '/api/v1/contacts')).body.items as any[];
      expect(contacts.map((c) => c.email).sort()).toEqual(['dev@example.com', 'ops@example.com']);
      const rules = (await node.api('GET', '/api/v1/alert-rules')).body.items as any[];
      expect(rules.map((r) => [r.name, r.on, r.scope.taskId, r.notify.contacts.length])).toEqual(
        expect.arrayContaining([
          ['xxl-job #1 failure', 'failure', byName['sync orders'].id, 2],
          ['xxl-job #3 failure', 'failure', byName['shell report'].id, 1],
        ]),
      );

      const before = await snapshot(node);
      const second = await kairos(node, importArgs(url, '--json'));
      expect(second.code).toBe(0);
      const again = JSON.parse(second.stdout);
      for (const kind of ['apps', 'tasks', 'contacts', 'alertRules']) {
        expect(
          again[kind].every((i: any) => i.change === 'unchanged'),
          kind,
        ).toBe(true);
      }
      expect(await snapshot(node)).toEqual(before);
    },
  );

  it('a dry run prints the plan and writes nothing; the human report says what to do next', async () => {
    const node = await startTestNode();
    const url = await testMariaDatabase(xxlDatabase('2.4'));
    const before = await snapshot(node);
    const dry = await kairos(node, importArgs(url, '--dry-run'));
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('tasks: 3 to create, 0 to update, 0 unchanged');
    expect(dry.stdout).toContain(
      '+ report-executor (manual addresses: http://10.0.0.5:9999, http://10.0.0.6:9999)',
    );
    expect(dry.stdout).toContain('! job #4 "groovy job": GLUE_GROOVY sources are not supported');
    expect(dry.stdout).toContain('xxl.job.accessToken');
    expect(dry.stdout).toContain('dry run: nothing was written');
    expect(await snapshot(node)).toEqual(before);

    const real = await kairos(node, importArgs(url));
    expect(real.stdout).toMatch(/app order-executor: its access token \(shown once\): kat_/);
  });

  it('refuses an unreachable database and one that is not XXL-JOB’s, writing nothing', async () => {
    const node = await startTestNode();
    const before = await snapshot(node);
    const down = await kairos(node, importArgs('mysql://root@127.0.0.1:1/xxl_job'));
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(
      /error: cannot connect to mysql:\/\/root@127\.0\.0\.1:1\/xxl_job.*\(DATABASE_UNREACHABLE, field database\)/,
    );
    const other = await testMariaDatabase('CREATE TABLE orders (id int);');
    const wrong = await kairos(node, importArgs(other));
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/has no XXL-JOB tables.*\(NOT_XXL_JOB, field database\)/);
    const scheme = await kairos(node, importArgs('postgres://x@127.0.0.1/db'));
    expect(scheme.stderr).toMatch(/INVALID_DATABASE_URL/);
    const zone = await kairos(node, ['import', 'xxl-job', '--database', other]);
    expect(zone.code).toBe(2);
    expect(zone.stderr).toMatch(/--timezone is required/);
    expect(await snapshot(node)).toEqual(before);
  });
});

async function snapshot(node: TestNode) {
  const get = async (path: string) => (await node.api('GET', path)).body.items;
  return {
    apps: await get('/api/v1/apps'),
    tasks: await get('/api/v1/tasks'),
    contacts: await get('/api/v1/contacts'),
    rules: await get('/api/v1/alert-rules'),
  };
}
