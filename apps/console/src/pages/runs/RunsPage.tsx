/**
 * The execution list: filters by task, app, status, trigger and scheduled time range, all in the
 * query string; paging by cursor (the cursor is in the URL too, so back returns to the page
 * before). The first page refreshes every 5 s while open.
 */
import { Button, Group, MultiSelect, Select, Stack, Text, TextInput, Title } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useNavigate, useSearch } from '@tanstack/react-router';
import { RunStatus, TriggerType } from '@kairos/protocol';
import { byId, useApps, useTasks } from '../../api/lookups.js';
import { useClient } from '../../api/session-context.js';
import type { RunsSearch } from '../../routes.js';
import { Empty, ErrorState, Loading } from '../../ui/states.js';
import { RunTable } from './RunTable.js';

const PAGE = 50;
const list = (csv: string | undefined) => (csv ? csv.split(',').filter(Boolean) : []);

/** A datetime-local value (the viewer's zone) to an ISO instant, and back. */
const toIso = (local: string): string | undefined => (local ? new Date(local).toISOString() : undefined);
const toLocal = (iso: string | undefined): string => {
  if (!iso) return '';
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
};

export function RunsPage() {
  const search = useSearch({ from: '/runs' });
  const navigate = useNavigate({ from: '/runs' });
  const client = useClient();
  const apps = useApps();
  const tasks = useTasks();
  const setFilter = (patch: Partial<RunsSearch>) =>
    navigate({ search: (s: RunsSearch) => ({ ...s, ...patch, cursor: undefined }) });

  const runs = useQuery({
    queryKey: ['runs', search],
    queryFn: () =>
      client.runs.list({
        taskId: search.taskId,
        appId: search.appId,
        status: list(search.status),
        triggerType: list(search.trigger),
        from: search.from,
        to: search.to,
        cursor: search.cursor,
        limit: PAGE,
      }),
    placeholderData: keepPreviousData,
    refetchInterval: search.cursor ? false : 5_000,
  });
  const taskNames = new Map([...byId(tasks.data?.items)].map(([id, t]) => [id, t.name]));

  return (
    <Stack>
      <Title order={2}>Runs</Title>
      <Group align="flex-end">
        <Select
          label="Task"
          clearable
          searchable
          data={(tasks.data?.items ?? []).map((t) => ({ value: String(t.id), label: t.name }))}
          value={search.taskId === undefined ? null : String(search.taskId)}
          onChange={(v) => void setFilter({ taskId: v ? Number(v) : undefined })}
        />
        <Select
          label="App"
          clearable
          data={(apps.data?.items ?? []).map((a) => ({ value: String(a.id), label: a.appName }))}
          value={search.appId === undefined ? null : String(search.appId)}
          onChange={(v) => void setFilter({ appId: v ? Number(v) : undefined })}
        />
        <MultiSelect
          label="Status"
          clearable
          data={RunStatus.options}
          value={list(search.status)}
          onChange={(v) => void setFilter({ status: v.join(',') || undefined })}
          miw={180}
        />
        <MultiSelect
          label="Trigger"
          clearable
          data={TriggerType.options}
          value={list(search.trigger)}
          onChange={(v) => void setFilter({ trigger: v.join(',') || undefined })}
          miw={160}
        />
        <TextInput
          type="datetime-local"
          label="Scheduled from"
          value={toLocal(search.from)}
          onChange={(e) => void setFilter({ from: toIso(e.currentTarget.value) })}
        />
        <TextInput
          type="datetime-local"
          label="Scheduled before"
          value={toLocal(search.to)}
          onChange={(e) => void setFilter({ to: toIso(e.currentTarget.value) })}
        />
      </Group>
      {runs.isPending ? (
        <Loading what="runs" />
      ) : runs.isError ? (
        <ErrorState error={runs.error} />
      ) : runs.data.items.length === 0 ? (
        <Empty title={search.cursor ? 'No more runs' : 'No run matches'}>
          {Object.values(search).some((v) => v !== undefined)
            ? 'Clear a filter to see more runs.'
            : 'Runs appear here when a task fires; open a task and press “Run once” to start one now.'}
        </Empty>
      ) : (
        <>
          <RunTable runs={runs.data.items} taskNames={taskNames} />
          <Group justify="space-between">
            <Text size="sm" c="dimmed">
              {search.cursor ? 'A later page' : 'Newest first'} · {runs.data.items.length} runs shown
            </Text>
            <Group>
              <Button
                variant="default"
                disabled={!search.cursor}
                onClick={() => void navigate({ search: (s: RunsSearch) => ({ ...s, cursor: undefined }) })}
              >
                Newest
              </Button>
              <Button
                variant="default"
                disabled={!runs.data.nextCursor}
                onClick={() =>
                  void navigate({
                    search: (s: RunsSearch) => ({ ...s, cursor: runs.data.nextCursor ?? undefined }),
                  })
                }
              >
                Older
              </Button>
            </Group>
          </Group>
        </>
      )}
    </Stack>
  );
}
