/**
 * The alert history: newest first, filtered by rule, paged by cursor (all in the query string),
 * refreshed every 5 s on the first page; an alert's details open in a drawer (`?alert=<id>`).
 */
import { Button, Group, Select, Stack, Table, Text, Title } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useNavigate, useSearch } from '@tanstack/react-router';
import { byId, useTasks } from '../../api/lookups.js';
import { useClient } from '../../api/session-context.js';
import type { AlertsSearch } from '../../routes.js';
import { AnchorLink } from '../../ui/links.js';
import { Empty, ErrorState, Loading } from '../../ui/states.js';
import { StatusBadge } from '../../ui/StatusBadge.js';
import { Time } from '../../ui/time.js';
import { AlertDrawer } from './AlertDrawer.js';
import { ALERTING_KEYS, optionsOf, useAlertRules } from './alerting-lookups.js';
import { deliverySummary } from './DeliveryTable.js';

const PAGE = 50;

export function AlertsPage() {
  const search = useSearch({ from: '/alerts' });
  const navigate = useNavigate({ from: '/alerts' });
  const client = useClient();
  const rules = useAlertRules();
  const tasks = useTasks();
  const ruleById = byId(rules.data?.items);
  const taskById = byId(tasks.data?.items);
  const go = (patch: Partial<AlertsSearch>) =>
    navigate({ search: (s: AlertsSearch) => ({ ...s, ...patch }) });

  const alerts = useQuery({
    queryKey: [...ALERTING_KEYS.alerts, 'list', search.ruleId, search.cursor],
    queryFn: () => client.alerts.list({ ruleId: search.ruleId, cursor: search.cursor, limit: PAGE }),
    placeholderData: keepPreviousData,
    refetchInterval: search.cursor ? false : 5_000,
  });

  return (
    <Stack>
      <Title order={2}>Alert history</Title>
      <Group align="flex-end">
        <Select
          label="Rule"
          placeholder="All rules"
          clearable
          searchable
          data={optionsOf(rules.data?.items)}
          value={search.ruleId === undefined ? null : String(search.ruleId)}
          onChange={(v) => void go({ ruleId: v ? Number(v) : undefined, cursor: undefined })}
        />
      </Group>
      {alerts.isPending ? (
        <Loading what="alerts" />
      ) : alerts.isError ? (
        <ErrorState error={alerts.error} />
      ) : alerts.data.items.length === 0 ? (
        <Empty title={search.ruleId !== undefined ? 'No alert from this rule yet' : 'No alert yet'}>
          Alerts appear here when a rule fires, or when a contact is sent a test. Create a rule on the{' '}
          <AnchorLink to="/alert-rules" search={{}}>
            alert rules
          </AnchorLink>{' '}
          page (it needs a <AnchorLink to="/contacts">contact</AnchorLink> to tell), or press “Send a test” on
          a contact.
        </Empty>
      ) : (
        <>
          <Table striped highlightOnHover>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>When</Table.Th>
                <Table.Th>Rule</Table.Th>
                <Table.Th>On</Table.Th>
                <Table.Th>State</Table.Th>
                <Table.Th>Task</Table.Th>
                <Table.Th>Run</Table.Th>
                <Table.Th>Repeats</Table.Th>
                <Table.Th>Deliveries</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {alerts.data.items.map((alert) => (
                <Table.Tr key={alert.id} data-testid="alert-row">
                  <Table.Td>
                    <Time iso={alert.createdAt} />
                  </Table.Td>
                  <Table.Td>
                    {alert.ruleId === null ? (
                      <Text span c="dimmed" size="sm">
                        {alert.state === 'test' ? 'a test' : 'a deleted rule'}
                      </Text>
                    ) : (
                      (ruleById.get(alert.ruleId)?.name ?? `rule ${alert.ruleId}`)
                    )}
                  </Table.Td>
                  <Table.Td>{alert.on}</Table.Td>
                  <Table.Td>
                    <StatusBadge status={alert.state} />
                  </Table.Td>
                  <Table.Td>
                    {alert.taskId === null ? (
                      '—'
                    ) : (
                      <AnchorLink to="/tasks/$id" params={{ id: String(alert.taskId) }} search={{}}>
                        {taskById.get(alert.taskId)?.name ?? `task ${alert.taskId}`}
                      </AnchorLink>
                    )}
                  </Table.Td>
                  <Table.Td>
                    {alert.runId === null ? (
                      '—'
                    ) : (
                      <AnchorLink to="/runs/$id" params={{ id: String(alert.runId) }} search={{}}>
                        #{alert.runId}
                      </AnchorLink>
                    )}
                  </Table.Td>
                  <Table.Td>{alert.repeats}</Table.Td>
                  <Table.Td>{deliverySummary(alert.deliveries)}</Table.Td>
                  <Table.Td>
                    <Button size="xs" variant="light" onClick={() => void go({ alert: alert.id })}>
                      Details
                    </Button>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          <Group justify="space-between">
            <Text size="sm" c="dimmed">
              {search.cursor ? 'A later page' : 'Newest first'} · {alerts.data.items.length} alerts shown
            </Text>
            <Group>
              <Button
                variant="default"
                disabled={!search.cursor}
                onClick={() => void go({ cursor: undefined })}
              >
                Newest
              </Button>
              <Button
                variant="default"
                disabled={!alerts.data.nextCursor}
                onClick={() => void go({ cursor: alerts.data.nextCursor ?? undefined })}
              >
                Older
              </Button>
            </Group>
          </Group>
        </>
      )}
      <AlertDrawer alertId={search.alert} rules={ruleById} onClose={() => void go({ alert: undefined })} />
    </Stack>
  );
}
