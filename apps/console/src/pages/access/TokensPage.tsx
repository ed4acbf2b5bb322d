/** API tokens: the list (revoked ones too), creating one (its secret shown once), revoking. */
import { Badge, Button, Group, Modal, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { ApiToken } from '@kairos/protocol';
import { errorField, errorOnField } from '../../api/errors.js';
import { useClient } from '../../api/session-context.js';
import { ConfirmButton } from '../../ui/ConfirmButton.js';
import { Empty, ErrorState, Loading } from '../../ui/states.js';
import { FormActions } from '../../ui/FormActions.js';
import { Time } from '../../ui/time.js';
import { TokenReveal } from '../../ui/TokenReveal.js';
import { EMPTY_GRANT, GrantFields, describeGrant, grantOf } from './GrantFields.js';

function CreateTokenModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const client = useClient();
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [grant, setGrant] = useState(EMPTY_GRANT);
  const [expiresAt, setExpiresAt] = useState('');
  const [created, setCreated] = useState<ApiToken | null>(null);
  const create = useMutation({
    mutationFn: () =>
      client.tokens.create({
        name,
        role: grant.role,
        namespaces: grantOf(grant),
        ...(expiresAt.trim() ? { expiresAt: expiresAt.trim() } : {}),
      }),
    onSuccess: async (token) => {
      setCreated(token);
      await queryClient.invalidateQueries({ queryKey: ['tokens'] });
    },
  });
  const close = () => {
    setCreated(null);
    setName('');
    setGrant(EMPTY_GRANT);
    setExpiresAt('');
    create.reset();
    onClose();
  };
  const fieldError = (field: string) => errorOnField(create.error, field);
  return (
    <Modal
      opened={opened}
      onClose={close}
      title={created ? `Token ${created.name} created` : 'Create API token'}
    >
      {created ? (
        <Stack>
          <TokenReveal token={created.token} usedBy="the API and the CLI accept it as a Bearer token" />
          <Button onClick={close}>Done</Button>
        </Stack>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            create.mutate();
          }}
        >
          <Stack>
            <TextInput
              label="Name"
              description="What it is for: shown in lists and the audit log"
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              error={fieldError('name')}
              required
              data-autofocus
            />
            <GrantFields value={grant} onChange={setGrant} error={fieldError} />
            <TextInput
              label="Expires at"
              description="ISO-8601, e.g. 2027-01-01T00:00:00Z; empty: never"
              value={expiresAt}
              onChange={(e) => setExpiresAt(e.currentTarget.value)}
              error={fieldError('expiresAt')}
            />
            <FormActions
              unplacedError={create.isError && !errorField(create.error) ? create.error : undefined}
              onCancel={close}
              submitLabel={'Create'}
              pending={create.isPending}
            />
          </Stack>
        </form>
      )}
    </Modal>
  );
}

export function TokensPage() {
  const client = useClient();
  const queryClient = useQueryClient();
  const tokens = useQuery({ queryKey: ['tokens'], queryFn: () => client.tokens.list({ limit: 500 }) });
  const revoke = useMutation({
    mutationFn: (id: number) => client.tokens.revoke(id),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ['tokens'] }),
  });
  const [creating, setCreating] = useState(false);
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>API tokens</Title>
        <Button onClick={() => setCreating(true)}>Create token</Button>
      </Group>
      <CreateTokenModal opened={creating} onClose={() => setCreating(false)} />
      {revoke.isError ? <ErrorState error={revoke.error} /> : null}
      {tokens.isPending ? (
        <Loading what="tokens" />
      ) : tokens.isError ? (
        <ErrorState error={tokens.error} />
      ) : tokens.data.items.length === 0 ? (
        <Empty title="No tokens you administer">Press “Create token” for the CLI, a script or CI.</Empty>
      ) : (
        <Table striped highlightOnHover>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Role</Table.Th>
              <Table.Th>Namespaces</Table.Th>
              <Table.Th>Token</Table.Th>
              <Table.Th>Expires</Table.Th>
              <Table.Th>Last used</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {tokens.data.items.map((t) => (
              <Table.Tr key={t.id}>
                <Table.Td>{t.name}</Table.Td>
                <Table.Td>{t.role}</Table.Td>
                <Table.Td>{describeGrant(t.namespaces)}</Table.Td>
                <Table.Td>
                  <Text ff="monospace" size="sm">
                    {t.token}
                  </Text>
                </Table.Td>
                <Table.Td>
                  {t.expiresAt ? <Time iso={t.expiresAt} /> : <Text c="dimmed">never</Text>}
                </Table.Td>
                <Table.Td>
                  {t.lastUsedAt ? <Time iso={t.lastUsedAt} /> : <Text c="dimmed">never</Text>}
                </Table.Td>
                <Table.Td>
                  {t.revokedAt ? (
                    <Badge color="gray">revoked</Badge>
                  ) : (
                    <ConfirmButton
                      label="Revoke"
                      size="xs"
                      color="red"
                      variant="light"
                      question={`Revoke the token “${t.name}”? It stops working at once, on every node.`}
                      onConfirm={() => revoke.mutate(t.id)}
                      loading={revoke.isPending && revoke.variables === t.id}
                    />
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}
