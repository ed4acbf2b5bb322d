/** The run's recorded events, raw, 100 per page. */
import { Button, Code, Group, Stack, Table, Text } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useClient } from '../../api/session-context.js';
import { JsonView } from '../../ui/JsonView.js';
import { Empty, ErrorState, Loading } from '../../ui/states.js';
import { Time } from '../../ui/time.js';

const PAGE = 100;

export function EventsTab({ runId }: { runId: number }) {
  const client = useClient();
  // Each page starts after the last seq of the one before; the stack lets "Previous" go back.
  const [starts, setStarts] = useState<number[]>([0]);
  const afterSeq = starts[starts.length - 1] ?? 0;
  const events = useQuery({
    queryKey: ['run-events', runId, afterSeq],
    queryFn: () => client.runs.events(runId, { afterSeq, limit: PAGE }),
    placeholderData: keepPreviousData,
  });
  if (events.isPending) return <Loading what="events" />;
  if (events.isError) return <ErrorState error={events.error} />;
  const items = events.data.items;
  if (items.length === 0 && starts.length === 1) {
    return (
      <Empty title="No events recorded">Dify workflow runs record every workflow and node event here.</Empty>
    );
  }
  return (
    <Stack>
      <Table>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Seq</Table.Th>
            <Table.Th>Received</Table.Th>
            <Table.Th>Event</Table.Th>
            <Table.Th>Data</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {items.map((e) => (
            <Table.Tr key={e.seq}>
              <Table.Td>{e.seq}</Table.Td>
              <Table.Td>
                <Time iso={e.at} />
              </Table.Td>
              <Table.Td>
                <Code>{e.event}</Code>
                {e.truncated ? (
                  <Text size="xs" c="orange">
                    truncated
                  </Text>
                ) : null}
              </Table.Td>
              <Table.Td>
                <JsonView value={e.data} />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Group>
        <Button
          variant="default"
          disabled={starts.length === 1}
          onClick={() => setStarts((s) => s.slice(0, -1))}
        >
          Previous
        </Button>
        <Button
          variant="default"
          disabled={items.length < PAGE}
          onClick={() => setStarts((s) => [...s, items[items.length - 1]?.seq ?? afterSeq])}
        >
          Next
        </Button>
      </Group>
    </Stack>
  );
}
