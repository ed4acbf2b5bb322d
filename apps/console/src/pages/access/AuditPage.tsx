/** The audit log: changes and sign-ins, newest first, filtered; each entry's before and after. */
import { Button, Group, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useNavigate, useSearch } from '@tanstack/react-router';
import { Fragment, useState } from 'react';
import { useClient } from '../../api/session-context.js';
import type { AuditSearch } from '../../routes.js';
import { JsonView } from '../../ui/JsonView.js';
import { Empty, ErrorState, Loading } from '../../ui/states.js';
import { Time } from '../../ui/time.js';

export function AuditPage() {
  const client = useClient();
  const search = useSearch({ from: '/audit' });
  const navigate = useNavigate({ from: '/audit' });
  const [open, setOpen] = useState<number | null>(null);
  const entries = useQuery({
    queryKey: ['audit', search],
    queryFn: () => client.audit.list({ ...search, limit: 100 }),
  });
  const filter = (key: keyof AuditSearch) => (
    <TextInput
      label={key[0]!.toUpperCase() + key.slice(1)}
      defaultValue={search[key] ?? ''}
      onBlur={(e) =>
        void navigate({ search: { ...search, [key]: e.currentTarget.value.trim() || undefined } })
      }
      onKeyDown={(e) => {
        if (e.key === 'Enter') e.currentTarget.blur();
      }}
    />
  );
  return (
    <Stack>
      <Title order={2}>Audit log</Title>
      <Group align="flex-end">
        {filter('actor')}
        {filter('action')}
        {filter('resource')}
      </Group>
      {entries.isPending ? (
        <Loading what="the audit log" />
      ) : entries.isError ? (
        <ErrorState error={entries.error} />
      ) : entries.data.items.length === 0 ? (
        <Empty title="Nothing recorded">Changes and sign-ins appear here as they happen.</Empty>
      ) : (
        <Table striped highlightOnHover>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>When</Table.Th>
              <Table.Th>Who</Table.Th>
              <Table.Th>Action</Table.Th>
              <Table.Th>Resource</Table.Th>
              <Table.Th>Namespace</Table.Th>
              <Table.Th>From</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {entries.data.items.map((e) => (
              <Fragment key={e.id}>
                <Table.Tr>
                  <Table.Td>
                    <Time iso={e.at} />
                  </Table.Td>
                  <Table.Td>{e.actor ? e.actor.name : <Text c="dimmed">unknown</Text>}</Table.Td>
                  <Table.Td>{e.action}</Table.Td>
                  <Table.Td>
                    {e.resource.id === null ? e.resource.type : `${e.resource.type}/${e.resource.id}`}
                  </Table.Td>
                  <Table.Td>{e.namespace ?? <Text c="dimmed">server</Text>}</Table.Td>
                  <Table.Td>{e.client}</Table.Td>
                  <Table.Td>
                    <Button size="xs" variant="subtle" onClick={() => setOpen(open === e.id ? null : e.id)}>
                      {open === e.id ? 'Hide' : 'Before / after'}
                    </Button>
                  </Table.Td>
                </Table.Tr>
                {open === e.id ? (
                  <Table.Tr>
                    <Table.Td colSpan={7}>
                      <Group align="flex-start" grow>
                        <Stack gap={4}>
                          <Text size="sm" fw={600}>
                            Before
                          </Text>
                          <JsonView value={e.before} />
                        </Stack>
                        <Stack gap={4}>
                          <Text size="sm" fw={600}>
                            After
                          </Text>
                          <JsonView value={e.after} />
                        </Stack>
                      </Group>
                    </Table.Td>
                  </Table.Tr>
                ) : null}
              </Fragment>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}
