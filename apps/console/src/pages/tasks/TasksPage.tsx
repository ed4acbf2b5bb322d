/** Tasks: search and filters (in the query string), next fire in each task's own zone. */
import { Badge, Group, Select, Stack, Table, TextInput, Title } from '@mantine/core';
import { useNavigate, useSearch } from '@tanstack/react-router';
import { AnchorLink, ButtonLink } from '../../ui/links.js';
import { useApps, useTasks } from '../../api/lookups.js';
import type { TasksSearch } from '../../routes.js';
import { Empty, ErrorState, Loading } from '../../ui/states.js';
import { formatInZone } from '../../ui/time.js';
import { JOB_TYPES } from './task-form-state.js';

export function TasksPage() {
  const search = useSearch({ from: '/tasks' });
  const navigate = useNavigate({ from: '/tasks' });
  const apps = useApps();
  const tasks = useTasks(search.appId);
  const setSearch = (patch: Partial<TasksSearch>) =>
    navigate({ search: (s: TasksSearch) => ({ ...s, ...patch }), replace: true });

  const q = (search.q ?? '').toLowerCase();
  const shown = (tasks.data?.items ?? []).filter(
    (t) =>
      (q === '' || t.name.toLowerCase().includes(q) || (t.description ?? '').toLowerCase().includes(q)) &&
      (search.type === undefined || t.type === search.type) &&
      (search.enabled === undefined || String(t.enabled) === search.enabled),
  );

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Tasks</Title>
        <ButtonLink to="/tasks/new" search={{}}>
          New task
        </ButtonLink>
      </Group>
      <Group align="flex-end">
        <TextInput
          label="Search"
          placeholder="name or description"
          value={search.q ?? ''}
          onChange={(e) => void setSearch({ q: e.currentTarget.value || undefined })}
        />
        <Select
          label="App"
          clearable
          data={(apps.data?.items ?? []).map((a) => ({ value: String(a.id), label: a.appName }))}
          value={search.appId === undefined ? null : String(search.appId)}
          onChange={(v) => void setSearch({ appId: v ? Number(v) : undefined })}
        />
        <Select
          label="Type"
          clearable
          data={[...JOB_TYPES]}
          value={search.type ?? null}
          onChange={(v) => void setSearch({ type: v ?? undefined })}
        />
        <Select
          label="Enabled"
          clearable
          data={[
            { value: 'true', label: 'enabled' },
            { value: 'false', label: 'disabled' },
          ]}
          value={search.enabled ?? null}
          onChange={(v) => void setSearch({ enabled: v ?? undefined })}
        />
      </Group>
      {tasks.isPending ? (
        <Loading what="tasks" />
      ) : tasks.isError ? (
        <ErrorState error={tasks.error} />
      ) : tasks.data.items.length === 0 ? (
        <Empty title="No tasks yet">
          {apps.data?.items.length === 0
            ? 'Create an app first (Apps → Create app), then a task in it.'
            : 'Press “New task” to schedule an HTTP call, a script, an executor handler or a Dify workflow.'}
        </Empty>
      ) : shown.length === 0 ? (
        <Empty title="No task matches these filters">Clear a filter to see more.</Empty>
      ) : (
        <Table striped highlightOnHover>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>App</Table.Th>
              <Table.Th>Type</Table.Th>
              <Table.Th>Schedule</Table.Th>
              <Table.Th>Next fire (task’s zone)</Table.Th>
              <Table.Th>State</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {shown.map((t) => (
              <Table.Tr key={t.id}>
                <Table.Td>
                  <AnchorLink to="/tasks/$id" params={{ id: String(t.id) }} search={{}}>
                    {t.name}
                  </AnchorLink>
                </Table.Td>
                <Table.Td>{t.appName}</Table.Td>
                <Table.Td>{t.type}</Table.Td>
                <Table.Td>{t.schedule.type === 'cron' ? t.schedule.expression : t.schedule.type}</Table.Td>
                <Table.Td>
                  {t.nextFireAt
                    ? `${formatInZone(t.nextFireAt, t.schedule.timezone)} ${t.schedule.timezone}`
                    : '—'}
                </Table.Td>
                <Table.Td>
                  <Badge color={t.enabled ? 'green' : 'gray'} variant="light">
                    {t.enabled ? 'enabled' : 'disabled'}
                  </Badge>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}
