/**
 * The dashboard: namespace, app and time range (in the query string); runs over time by outcome,
 * success and failure rates, running now, skipped and lost runs, slowest and most failing tasks,
 * Dify tokens and cost, executors online. One call to GET /stats/runs, refreshed every 15 s.
 */
import { Group, Paper, SegmentedControl, Select, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useNavigate, useSearch } from '@tanstack/react-router';
import { Suspense, lazy, type ReactNode } from 'react';
import type { RunStatsTask } from '@kairos/protocol';
import { useApps } from '../../api/lookups.js';
import { AnchorLink } from '../../ui/links.js';
import { useClient } from '../../api/session-context.js';
import type { DashboardSearch } from '../../routes.js';
import { ErrorState, Loading } from '../../ui/states.js';
import { formatCost, formatDuration } from '../../ui/time.js';

const RunCharts = lazy(() => import('./RunCharts.js'));

const RANGES = { '1h': 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000 } as const;
/** Hour-or-wider buckets beyond an hour: the server reads its hourly rollup for them. */
const BUCKETS = { '1h': '1m', '24h': '1h', '7d': '6h', '30d': '1d' } as const;
type Range = keyof typeof RANGES;

export function DashboardPage() {
  const search = useSearch({ from: '/' });
  const navigate = useNavigate({ from: '/' });
  const client = useClient();
  const apps = useApps();
  const range: Range = search.range && search.range in RANGES ? (search.range as Range) : '24h';
  const namespaces = useQuery({ queryKey: ['namespaces'], queryFn: () => client.namespaces.list() });
  const set = (patch: Partial<DashboardSearch>) =>
    navigate({ search: (s: DashboardSearch) => ({ ...s, ...patch }), replace: true });

  const stats = useQuery({
    queryKey: ['stats', search.namespace, search.app, range],
    queryFn: () => {
      const to = new Date();
      return client.stats.runs({
        namespace: search.namespace,
        app: search.app,
        from: new Date(to.getTime() - RANGES[range]),
        to,
        bucket: BUCKETS[range],
      });
    },
    placeholderData: keepPreviousData,
    refetchInterval: 15_000,
  });
  const executors = useQuery({
    queryKey: ['executors', search.app ?? null],
    queryFn: () => client.executors.list({ app: search.app, namespace: search.namespace }),
    refetchInterval: 15_000,
  });
  const online = executors.data?.items.filter((e) => e.status === 'live').length;
  const appsInNamespace = (apps.data?.items ?? []).filter(
    (a) => !search.namespace || a.namespace === search.namespace,
  );

  return (
    <Stack>
      <Group justify="space-between" align="flex-end">
        <Title order={2}>Dashboard</Title>
        <Group align="flex-end">
          <Select
            label="Namespace"
            placeholder="all"
            clearable
            data={(namespaces.data?.items ?? []).map((n) => n.name)}
            value={search.namespace ?? null}
            onChange={(v) => void set({ namespace: v ?? undefined, app: undefined })}
          />
          <Select
            label="App"
            placeholder="all"
            clearable
            data={appsInNamespace.map((a) => a.appName)}
            value={search.app ?? null}
            onChange={(v) => void set({ app: v ?? undefined })}
          />
          <SegmentedControl
            aria-label="Time range"
            value={range}
            onChange={(v) => void set({ range: v === '24h' ? undefined : v })}
            data={Object.keys(RANGES)}
          />
        </Group>
      </Group>
      {stats.isPending ? (
        <Loading what="statistics" />
      ) : stats.isError ? (
        <ErrorState error={stats.error} />
      ) : (
        <>
          <SimpleGrid cols={{ base: 2, md: 3, lg: 6 }}>
            <Figure label="Runs finished" value={stats.data.totals.runs} />
            <Figure
              label="Success rate"
              value={
                stats.data.totals.successRate === null
                  ? '—'
                  : `${(100 * stats.data.totals.successRate).toFixed(1)} %`
              }
              note={`${stats.data.totals.failed} failed, timed out or lost`}
            />
            <Figure label="Running now" value={stats.data.running} />
            <Figure
              label="Skipped or lost"
              value={(stats.data.totals.counts['skipped'] ?? 0) + (stats.data.totals.counts['lost'] ?? 0)}
              note="late past the misfire threshold, busy, or their node died"
            />
            <Figure
              label="Tokens"
              value={stats.data.totals.tokens}
              note={formatCost(stats.data.totals.cost)}
            />
            <Figure label="Executors online" value={online ?? '…'} />
          </SimpleGrid>
          {stats.data.totals.runs === 0 ? (
            <Text c="dimmed" size="sm">
              No run finished in this range. Open a task and press “Run once”, or wait for a schedule to fire.
            </Text>
          ) : null}
          <Suspense fallback={<Loading what="charts" />}>
            <RunCharts stats={stats.data} />
          </Suspense>
          <SimpleGrid cols={{ base: 1, lg: 2 }}>
            <TaskList
              title="Slowest tasks (average duration)"
              tasks={stats.data.slowestTasks}
              value={(t) => formatDuration(t.avgDurationMs)}
            />
            <TaskList
              title="Most failing tasks"
              tasks={stats.data.mostFailingTasks}
              value={(t) => `${t.failed} of ${t.runs}`}
            />
          </SimpleGrid>
        </>
      )}
    </Stack>
  );
}

function Figure({ label, value, note }: { label: string; value: ReactNode; note?: string }) {
  return (
    <Paper withBorder p="sm">
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text size="xl" fw={700}>
        {value}
      </Text>
      {note ? (
        <Text size="xs" c="dimmed">
          {note}
        </Text>
      ) : null}
    </Paper>
  );
}

function TaskList({
  title,
  tasks,
  value,
}: {
  title: string;
  tasks: RunStatsTask[];
  value: (t: RunStatsTask) => string;
}) {
  return (
    <Paper withBorder p="md">
      <Text fw={600} mb="xs">
        {title}
      </Text>
      {tasks.length === 0 ? (
        <Text size="sm" c="dimmed">
          None in this range.
        </Text>
      ) : (
        <Table>
          <Table.Tbody>
            {tasks.map((t) => (
              <Table.Tr key={t.taskId}>
                <Table.Td>
                  <AnchorLink to="/tasks/$id" params={{ id: String(t.taskId) }} search={{}}>
                    {t.taskName ?? `task ${t.taskId}`}
                  </AnchorLink>
                </Table.Td>
                <Table.Td ta="right">{value(t)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Paper>
  );
}
