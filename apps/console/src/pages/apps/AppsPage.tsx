/** Apps: the list, and creating one (its access token shown once, with a copy button). */
import { Button, Group, Stack, Table, Text, Title } from '@mantine/core';
import {} from '@tanstack/react-router';
import { useState } from 'react';
import { AnchorLink } from '../../ui/links.js';
import { useApps } from '../../api/lookups.js';
import { Empty, ErrorState, Loading } from '../../ui/states.js';
import { Time } from '../../ui/time.js';
import { CreateAppModal } from './CreateAppModal.js';

export function AppsPage() {
  const apps = useApps();
  const [creating, setCreating] = useState(false);
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Apps</Title>
        <Button onClick={() => setCreating(true)}>Create app</Button>
      </Group>
      <CreateAppModal opened={creating} onClose={() => setCreating(false)} />
      {apps.isPending ? (
        <Loading what="apps" />
      ) : apps.isError ? (
        <ErrorState error={apps.error} />
      ) : apps.data.items.length === 0 ? (
        <Empty title="No apps yet">
          An app groups tasks and holds the access token its executors register with. Press “Create app” to
          make the first one.
        </Empty>
      ) : (
        <Table striped highlightOnHover>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>App name</Table.Th>
              <Table.Th>Name</Table.Th>
              <Table.Th>Namespace</Table.Th>
              <Table.Th>Max concurrency</Table.Th>
              <Table.Th>Created</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {apps.data.items.map((app) => (
              <Table.Tr key={app.id}>
                <Table.Td>
                  <AnchorLink to="/apps/$app" params={{ app: app.appName }}>
                    {app.appName}
                  </AnchorLink>
                </Table.Td>
                <Table.Td>{app.name}</Table.Td>
                <Table.Td>{app.namespace}</Table.Td>
                <Table.Td>{app.maxConcurrency ?? <Text c="dimmed">no limit</Text>}</Table.Td>
                <Table.Td>
                  <Time iso={app.createdAt} />
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}
