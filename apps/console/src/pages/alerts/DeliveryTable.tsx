/** An alert's deliveries: one row per contact and channel, with its status, attempts and last error. */
import { Code, Table, Text } from '@mantine/core';
import type { AlertDelivery, Contact } from '@kairos/protocol';
import { StatusBadge } from '../../ui/StatusBadge.js';
import { Time } from '../../ui/time.js';

export function DeliveryTable({
  deliveries,
  contacts,
}: {
  deliveries: AlertDelivery[];
  contacts: Map<number, Contact>;
}) {
  if (deliveries.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        No delivery: none of the contacts had a channel the rule names.
      </Text>
    );
  }
  return (
    <Table.ScrollContainer minWidth={640}>
      <Table>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Contact</Table.Th>
            <Table.Th>Channel</Table.Th>
            <Table.Th>Target</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th>Attempts</Table.Th>
            <Table.Th>Sent / next attempt</Table.Th>
            <Table.Th>Last error</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {deliveries.map((d) => (
            <Table.Tr key={d.id} data-testid="delivery-row">
              <Table.Td>
                {d.contactId === null ? '—' : (contacts.get(d.contactId)?.name ?? `contact ${d.contactId}`)}
              </Table.Td>
              <Table.Td>{d.channel}</Table.Td>
              <Table.Td>
                <Code style={{ wordBreak: 'break-all' }}>{d.target}</Code>
              </Table.Td>
              <Table.Td style={{ minWidth: 90 }}>
                <StatusBadge status={d.status} />
              </Table.Td>
              <Table.Td>{d.attempts}</Table.Td>
              <Table.Td>
                <Time iso={d.sentAt ?? d.nextAttemptAt} />
              </Table.Td>
              <Table.Td>
                {d.lastError ? (
                  <Text size="sm" c="red">
                    {d.lastError}
                  </Text>
                ) : (
                  '—'
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

/** "2 sent · 1 failed": an alert's deliveries at a glance. */
export function deliverySummary(deliveries: AlertDelivery[]): string {
  if (deliveries.length === 0) return 'none';
  const counts = new Map<string, number>();
  for (const d of deliveries) counts.set(d.status, (counts.get(d.status) ?? 0) + 1);
  return [...counts].map(([status, n]) => `${n} ${status}`).join(' · ');
}
