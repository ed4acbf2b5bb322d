/**
 * One alert in a drawer beside the history: what happened (its facts), where (task and run
 * linked), and each delivery. Followed every 2 s while a delivery is still pending.
 */
import { Drawer, Group, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import type { Alert, AlertRule, Contact } from '@kairos/protocol';
import { byId, useTasks } from '../../api/lookups.js';
import { useClient } from '../../api/session-context.js';
import { JsonView } from '../../ui/JsonView.js';
import { AnchorLink } from '../../ui/links.js';
import { ErrorState, Loading } from '../../ui/states.js';
import { StatusBadge } from '../../ui/StatusBadge.js';
import { Time } from '../../ui/time.js';
import { ALERTING_KEYS, useContacts } from './alerting-lookups.js';
import { DeliveryTable } from './DeliveryTable.js';

export function AlertDrawer({
  alertId,
  rules,
  onClose,
}: {
  alertId: number | undefined;
  rules: Map<number, AlertRule>;
  onClose: () => void;
}) {
  return (
    <Drawer
      opened={alertId !== undefined}
      onClose={onClose}
      position="right"
      size="xl"
      title={alertId === undefined ? '' : `Alert #${alertId}`}
    >
      {alertId === undefined ? null : <AlertDetails alertId={alertId} rules={rules} />}
    </Drawer>
  );
}

/** An alert's facts and deliveries (also shown under a contact's "Send a test"). */
export function AlertDetails({ alertId, rules }: { alertId: number; rules: Map<number, AlertRule> }) {
  const client = useClient();
  const contacts = useContacts();
  const alert = useQuery({
    queryKey: [...ALERTING_KEYS.alerts, alertId],
    queryFn: () => client.alerts.get(alertId),
    refetchInterval: (q) => (q.state.data?.deliveries.some((d) => d.status === 'pending') ? 2_000 : false),
  });
  if (alert.isPending) return <Loading what="the alert" />;
  if (alert.isError) return <ErrorState error={alert.error} />;
  return <AlertFacts alert={alert.data} rules={rules} contacts={byId(contacts.data?.items)} />;
}

function AlertFacts({
  alert,
  rules,
  contacts,
}: {
  alert: Alert;
  rules: Map<number, AlertRule>;
  contacts: Map<number, Contact>;
}) {
  const tasks = useTasks();
  const taskName = alert.taskId === null ? undefined : byId(tasks.data?.items).get(alert.taskId)?.name;
  const fact = (key: string): string | undefined => {
    const value = alert.facts[key];
    return value === undefined || value === null ? undefined : String(value);
  };
  const rule = alert.ruleId === null ? undefined : rules.get(alert.ruleId);
  return (
    <Stack data-testid="alert-details">
      <Group gap="xs">
        <StatusBadge status={alert.state} />
        <Text fw={600}>{alert.on}</Text>
        <Text size="sm" c="dimmed">
          <Time iso={alert.createdAt} />
        </Text>
      </Group>
      {fact('summary') ? <Text>{fact('summary')}</Text> : null}
      <Stack gap={4}>
        <Text size="sm">
          <b>Rule</b>{' '}
          {alert.ruleId === null ? (
            alert.state === 'test' ? (
              'none (a test)'
            ) : (
              'a deleted rule'
            )
          ) : (
            <AnchorLink to="/alerts" search={{ ruleId: alert.ruleId }}>
              {rule?.name ?? `rule ${alert.ruleId}`}
            </AnchorLink>
          )}{' '}
          · <b>Namespace</b> {alert.namespace}
        </Text>
        {alert.taskId !== null ? (
          <Text size="sm">
            <b>Task</b>{' '}
            <AnchorLink to="/tasks/$id" params={{ id: String(alert.taskId) }} search={{}}>
              {taskName ?? `task ${alert.taskId}`}
            </AnchorLink>
            {alert.runId !== null ? (
              <>
                {' '}
                · <b>Run</b>{' '}
                <AnchorLink to="/runs/$id" params={{ id: String(alert.runId) }} search={{}}>
                  #{alert.runId}
                </AnchorLink>
              </>
            ) : null}
          </Text>
        ) : null}
        {fact('error') ? (
          <Text size="sm" c="red">
            <b>Error</b> {fact('error')}
          </Text>
        ) : null}
        {fact('value') ? (
          <Text size="sm">
            <b>Figure</b> {fact('value')}
            {fact('threshold') ? ` (threshold ${fact('threshold')})` : ''}
          </Text>
        ) : null}
        <Text size="sm">
          <b>Repeats</b> {alert.repeats}{' '}
          <Text span c="dimmed" size="sm">
            (grouped into this alert, not sent)
          </Text>
        </Text>
      </Stack>
      <Title order={4}>Deliveries</Title>
      <DeliveryTable deliveries={alert.deliveries} contacts={contacts} />
      <Title order={5}>Facts</Title>
      <JsonView value={readableFacts(alert.facts)} expanded />
    </Stack>
  );
}

/** The facts with their instant (`at`, milliseconds since the epoch) as ISO-8601 UTC. */
const readableFacts = (facts: Record<string, unknown>): Record<string, unknown> =>
  typeof facts.at === 'number' ? { ...facts, at: new Date(facts.at).toISOString() } : facts;
